// The canvas with big flows, in real Chromium against the real runtime: Fit never shrinks a
// flow below a zoom where node text can be read (the analyst pans from there), a small flow
// still fits whole, and a flow of hundreds of steps draws only the steps on screen.
import { describe, expect, it } from 'vitest'
import { apiToken, e2eSession, trpcPost } from './harness.ts'
import { viewportSettled } from './canvas-actions.ts'

const session = e2eSession()

/** Node text is 12 px; 9 px on screen is the smallest we call readable. */
const READABLE_TEXT_PX = 9

/** A trigger and `steps` end-to-end steps in one long row: far wider than any screen. */
function rowFlow(id: string, steps: number, perRow = steps) {
  const nodes: Record<string, unknown> = {
    start: { type: 'trigger.api', typeVersion: 1, title: 'Request received', config: {}, next: { next: 's1' } },
  }
  const layout: Record<string, { x: number; y: number }> = { start: { x: 0, y: 0 } }
  for (let i = 1; i <= steps; i++) {
    const last = i === steps
    nodes[`s${i}`] = last
      ? { type: 'end', typeVersion: 1, title: `Step ${i}`, config: { outcome: 'done' }, next: {} }
      : {
          type: 'decision.rules',
          typeVersion: 1,
          title: `Step ${i}`,
          config: { rules: [], defaultOutcome: 'next' },
          next: { next: `s${i + 1}` },
        }
    layout[`s${i}`] = { x: (i % perRow) * 300, y: Math.floor(i / perRow) * 180 }
  }
  return {
    dsl: 'carepath.flow/1',
    id,
    version: 1,
    title: `Canvas scale ${id}`,
    facts: { type: 'object', properties: {} },
    roles: {},
    start: 'start',
    nodes,
    layout,
  }
}

async function openFlow(flow: { id: string }) {
  await trpcPost(session.runtime.url, 'flows.create', { document: flow }, await apiToken(session.runtime, 'analyst'))
  const page = await session.login('analyst')
  await page.evaluate(`location.hash = '#/flows/${flow.id}'`)
  await page.locator(`[data-testid="canvas"][data-flow-id="${flow.id}"][data-fitted="true"]`).waitFor()
  await viewportSettled(page)
  return page
}

type Page = Awaited<ReturnType<typeof openFlow>>

/** The canvas zoom, from the transform React Flow writes on its viewport. */
async function zoomOf(page: Page): Promise<number> {
  const style = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? ''
  const scale = /scale\(([0-9.]+)\)/.exec(style)
  if (!scale) throw new Error(`no zoom in the viewport's style: ${style}`)
  return Number(scale[1])
}

/** The on-screen size of a node title's text: its CSS font size times the zoom. */
async function titleTextPx(page: Page): Promise<number> {
  const fontSize = (await page.evaluate(
    `parseFloat(getComputedStyle(document.querySelector('.react-flow__node .cp-node-title')).fontSize)`,
  )) as number
  return fontSize * (await zoomOf(page))
}

/** The ids of the nodes in the page. */
async function drawnIds(page: Page): Promise<string[]> {
  const ids: string[] = []
  for (const node of await page.locator('.react-flow__node').all()) ids.push((await node.getAttribute('data-id')) ?? '')
  return ids
}

/** A spot of empty canvas in the lower right part (where a pan up and left has room), found in the page. */
async function emptySpot(page: Page): Promise<{ x: number; y: number }> {
  const spot = (await page.evaluate(`(() => {
    const r = document.querySelector('[data-testid="canvas"]').getBoundingClientRect()
    for (let y = r.bottom - 130; y > r.top + 10; y -= 5) for (let x = r.right - 180; x > r.left + 10; x -= 5) {
      const el = document.elementFromPoint(x, y)
      if (el && el.classList.contains('react-flow__pane')) return { x, y }
    }
    return null
  })()`)) as { x: number; y: number } | null
  if (!spot) throw new Error('no empty canvas to pan from')
  return spot
}

describe('canvas at scale', () => {
  it('Fit keeps node text readable on a flow too wide to show whole, from the toolbar and the zoom controls', async () => {
    const page = await openFlow(rowFlow('wide-row', 60))
    expect(await titleTextPx(page)).toBeGreaterThanOrEqual(READABLE_TEXT_PX)
    // The wheel may still zoom further out than Fit does…
    const canvas = await page.getByTestId('canvas').boundingBox()
    if (!canvas) throw new Error('no canvas on screen')
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2)
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 400)
    await viewportSettled(page)
    expect(await titleTextPx(page)).toBeLessThan(READABLE_TEXT_PX)
    // …and Fit brings it back to a readable zoom.
    await page.getByRole('button', { name: 'Fit', exact: true }).click()
    await viewportSettled(page)
    expect(await titleTextPx(page)).toBeGreaterThanOrEqual(READABLE_TEXT_PX)
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 400)
    await viewportSettled(page)
    await page.locator('.react-flow__controls-fitview').click()
    await viewportSettled(page)
    expect(await titleTextPx(page)).toBeGreaterThanOrEqual(READABLE_TEXT_PX)
    await page.context().close()
  })

  it('a small flow still fits whole, no larger than its real size', async () => {
    const page = await openFlow(rowFlow('short-row', 3))
    expect(await zoomOf(page)).toBeLessThanOrEqual(1)
    const canvas = await page.getByTestId('canvas').boundingBox()
    if (!canvas) throw new Error('no canvas on screen')
    const nodes = page.locator('.react-flow__node')
    expect(await nodes.count()).toBe(4)
    for (const node of await nodes.all()) {
      const box = await node.boundingBox()
      expect(box, 'every node has a box').not.toBeNull()
      if (!box) continue
      expect(box.x).toBeGreaterThanOrEqual(canvas.x)
      expect(box.x + box.width).toBeLessThanOrEqual(canvas.x + canvas.width)
    }
    await page.context().close()
  })

  it('a flow of 300 steps draws only the steps on screen, and panning brings others in', async () => {
    const page = await openFlow(rowFlow('big-grid', 300, 20))
    const drawn = await page.locator('.react-flow__node').count()
    expect(drawn).toBeGreaterThan(0)
    expect(drawn).toBeLessThan(301)
    const before = await drawnIds(page)
    // Pan by dragging an empty spot of the canvas up and to the left, across the screen.
    const spot = await emptySpot(page)
    await page.mouse.move(spot.x, spot.y)
    await page.mouse.down()
    await page.mouse.move(spot.x - 500, spot.y - 300, { steps: 12 })
    await page.mouse.up()
    await viewportSettled(page)
    const after = await drawnIds(page)
    expect(after.some((id) => !before.includes(id))).toBe(true)
    await page.context().close()
  })
})
