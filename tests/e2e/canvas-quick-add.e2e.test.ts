// Room to work on the canvas, in real Chromium against the real runtime: a step added from a
// port (a line let go on empty canvas, or "New step…" in the inspector's port list, keyboard
// only) lands where it was asked for and is connected to that port; palette drops land under
// the cursor; the full-width decision table keeps its column headers in view while its rows
// scroll, with the cell syntax beside it. Positions and edges are read from the saved draft.
import { copyFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { flowDocumentSchema, type FlowDocument } from '@carepath/dsl'
import { axeViolations } from './axe.ts'
import {
  dragFromPort,
  dropNode,
  isDrawnAt,
  isEmptyCanvas,
  portCentre,
  screenToFlow,
  selectNode,
  viewportSettled,
  type ScreenPoint,
} from './canvas-actions.ts'
import { apiToken, e2eSession, screenshot, trpcPost } from './harness.ts'
import { hasFocus, press } from './keyboard.ts'

const session = e2eSession()

/** How far (flow units) a step may sit from where it was asked for: rounding of pixels and zoom. */
const NEAR = 3
/** The new node's top edge above the drop point (quick-add-placement.ts), so its input meets the line. */
const DROP_INPUT_Y = 36
/** A palette drop centres a node's head on the cursor (flow-canvas.tsx). */
const DROP_OFFSET = { x: 100, y: 30 }

/**
 * A trigger leading to a decision whose two outcomes ("urgent" and "otherwise") both end at
 * Done: a valid flow, so the server takes it, and still valid once "otherwise" leads to a new
 * step instead. Done sits up and to the right, leaving the canvas below the decision empty.
 * `extra` adds or replaces steps.
 */
function decisionFlow(id: string, extra: Record<string, unknown> = {}) {
  return {
    dsl: 'carepath.flow/1',
    id,
    version: 1,
    title: `Quick add ${id}`,
    facts: { type: 'object', properties: { score: { type: 'number' } } },
    roles: {},
    start: 'start',
    nodes: {
      start: { type: 'trigger.api', typeVersion: 1, title: 'Request received', config: {}, next: { next: 'decide' } },
      decide: {
        type: 'decision.rules',
        typeVersion: 1,
        title: 'Decide',
        config: {
          rules: [
            {
              id: 'high-score',
              name: 'Score above 50',
              priority: 1,
              conditions: { all: [{ fact: 'score', operator: 'greaterThan', value: 50 }] },
              event: { type: 'urgent' },
            },
          ],
          defaultOutcome: 'otherwise',
        },
        next: { urgent: 'done', otherwise: 'done' },
      },
      done: { type: 'end', typeVersion: 1, title: 'Done', config: { outcome: 'done' }, next: {} },
      ...extra,
    },
    layout: { start: { x: 0, y: 0 }, decide: { x: 300, y: 0 }, done: { x: 650, y: -160 } },
  }
}

async function openFlow(flow: { id: string }, as = 'analyst'): Promise<Page> {
  await trpcPost(session.runtime.url, 'flows.create', { document: flow }, await apiToken(session.runtime, as))
  const page = await session.login(as)
  await page.evaluate(`location.hash = '#/flows/${flow.id}'`)
  await page.locator(`[data-testid="canvas"][data-flow-id="${flow.id}"][data-fitted="true"]`).waitFor()
  await viewportSettled(page)
  return page
}

/** The draft as saved on the server, read by the document schema. */
async function savedDraft(id: string): Promise<FlowDocument> {
  const token = await apiToken(session.runtime, 'analyst')
  const response = await fetch(
    `${session.runtime.url}/trpc/flows.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
    { headers: { authorization: `Bearer ${token}` } },
  )
  if (!response.ok) throw new Error(`flows.get answered ${response.status}`)
  let value: unknown = await response.json()
  for (const key of ['result', 'data', 'draft', 'document'])
    value = typeof value === 'object' && value !== null && key in value ? Reflect.get(value, key) : undefined
  return flowDocumentSchema.parse(value)
}

/** The editor's document as the designer keeps it locally until a save (a moment after each edit). */
async function unsavedDocument(page: Page, id: string): Promise<FlowDocument | undefined> {
  const text = await page.evaluate(`localStorage.getItem('carepath.unsaved.${id}')`)
  if (typeof text !== 'string') return undefined
  const backup: unknown = JSON.parse(text)
  const document = typeof backup === 'object' && backup !== null ? Reflect.get(backup, 'document') : undefined
  return flowDocumentSchema.parse(document)
}

/** Save with the toolbar's Save (by keyboard when `keys`), and wait for the server to have it. */
async function save(page: Page, keys = false): Promise<void> {
  if (keys) await press(page, page.getByTestId('save'))
  else await page.getByTestId('save').click()
  await page.getByTestId('save-ok').waitFor()
}

/** A point of empty canvas `dx`, `dy` pixels from `from`; fails the test if something is drawn there. */
async function emptyPointFrom(page: Page, from: ScreenPoint, dx: number, dy: number): Promise<ScreenPoint> {
  const point = { x: from.x + dx, y: from.y + dy }
  expect(await isEmptyCanvas(page, point), `empty canvas at ${point.x}, ${point.y}`).toBe(true)
  return point
}

function expectNear(actual: { x: number; y: number } | undefined, wanted: { x: number; y: number }, what: string) {
  expect(actual, what).toBeDefined()
  expect(Math.abs((actual?.x ?? Infinity) - wanted.x), `${what}: x ${actual?.x} vs ${wanted.x}`).toBeLessThanOrEqual(
    NEAR,
  )
  expect(Math.abs((actual?.y ?? Infinity) - wanted.y), `${what}: y ${actual?.y} vs ${wanted.y}`).toBeLessThanOrEqual(
    NEAR,
  )
}

const canvasNode = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`)

describe('quick-add from a port', () => {
  it('a line let go on empty canvas opens the picker there; the step typed for lands there, connected', async () => {
    const page = await openFlow(decisionFlow('quick-add-mouse'))
    const port = await portCentre(page, 'decide', 'otherwise')
    const drop = await emptyPointFrom(page, port, 160, 90)
    const wanted = await screenToFlow(page, drop)
    await dragFromPort(page, 'decide', 'otherwise', drop)

    const picker = page.getByTestId('quick-add')
    await picker.waitFor()
    // The picker opens at the drop point (a corner of it there, on the side with room), inside
    // the canvas, with the typing field focused.
    const box = await picker.boundingBox()
    const canvas = await page.getByTestId('canvas').boundingBox()
    if (!box || !canvas) throw new Error('no picker or canvas on screen')
    const near = (a: number, b: number) => Math.abs(a - b) <= 2
    expect(
      near(box.x, drop.x) || near(box.x + box.width, drop.x),
      `picker x ${box.x}+${box.width}, drop ${drop.x}`,
    ).toBe(true)
    expect(
      near(box.y, drop.y) || near(box.y + box.height, drop.y),
      `picker y ${box.y}+${box.height}, drop ${drop.y}`,
    ).toBe(true)
    expect(box.x).toBeGreaterThanOrEqual(canvas.x)
    expect(box.x + box.width).toBeLessThanOrEqual(canvas.x + canvas.width)
    expect(box.y).toBeGreaterThanOrEqual(canvas.y)
    expect(box.y + box.height).toBeLessThanOrEqual(canvas.y + canvas.height)
    await expect.poll(() => hasFocus(page.getByTestId('quick-add-search'))).toBe(true)
    // It offers the palette's step types, never a trigger (nothing leads into one).
    await expect.poll(() => picker.getByTestId('quick-add-decision.table').count()).toBe(1)
    expect(await picker.locator('[data-testid^="quick-add-trigger."]').count()).toBe(0)
    const path = await screenshot(page, 'quick-add-picker')
    copyFileSync(path, '/tmp/quick-add-picker.png')
    expect(await axeViolations(page)).toEqual([])

    // Typing narrows the list and chooses the step named so, though others holding the word come first.
    await page.keyboard.type('end')
    await expect.poll(() => picker.getByTestId('quick-add-hl7.send').count()).toBe(1)
    expect(await picker.getByRole('option').first().getAttribute('data-type')).not.toBe('end')
    await expect.poll(() => picker.getByRole('option', { selected: true }).getAttribute('data-type')).toBe('end')
    await page.keyboard.press('Enter')
    await expect.poll(() => picker.count()).toBe(0)

    // Added, selected (the inspector shows it) and focused on the canvas.
    await page.getByTestId('inspector-node-id').filter({ hasText: 'end-1' }).waitFor()
    await expect.poll(() => hasFocus(canvasNode(page, 'end-1'))).toBe(true)
    // One undo takes the step and its edge away together; redo brings both back.
    await page.keyboard.press('Control+z')
    await expect.poll(() => canvasNode(page, 'end-1').count()).toBe(0)
    await expect.poll(() => page.locator('[data-testid^="rf__edge-"]').count()).toBe(3)
    await page.keyboard.press('Control+y')
    await expect.poll(() => canvasNode(page, 'end-1').count()).toBe(1)

    await save(page)
    const saved = await savedDraft('quick-add-mouse')
    expect(saved.nodes.decide?.next).toEqual({ urgent: 'done', otherwise: 'end-1' })
    expect(saved.nodes['end-1']?.type).toBe('end')
    expectNear(saved.layout?.['end-1'], { x: wanted.x, y: wanted.y - DROP_INPUT_Y }, 'the new step')
    await page.context().close()
  })

  it('Escape closes the picker and changes nothing; a line let go on a step opens no picker', async () => {
    const page = await openFlow(decisionFlow('quick-add-escape'))
    const port = await portCentre(page, 'decide', 'otherwise')
    await dragFromPort(page, 'decide', 'otherwise', await emptyPointFrom(page, port, 160, 90))
    await page.getByTestId('quick-add').waitFor()
    await page.keyboard.type('end')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('quick-add').count()).toBe(0)
    expect(await page.locator('.react-flow__node').count()).toBe(3)
    expect(await page.getByTestId('toolbar').textContent()).not.toContain('unsaved changes')

    // Let go on a step's body, away from its input: a missed port, not a new step.
    const start = await canvasNode(page, 'start').locator('.cp-node-head').boundingBox()
    if (!start) throw new Error('Cannot see the start step')
    await dragFromPort(page, 'decide', 'otherwise', { x: start.x + start.width / 2, y: start.y + start.height / 2 })
    expect(await page.getByTestId('quick-add').count()).toBe(0)
    expect(await page.locator('.react-flow__node').count()).toBe(3)
    expect(await page.getByTestId('toolbar').textContent()).not.toContain('unsaved changes')
    await page.context().close()
  })

  it('"New step…" in the port list adds a step beside its source, by keyboard alone', async () => {
    const page = await openFlow(decisionFlow('quick-add-keys'))
    await press(page, page.getByTestId('side-tab-inspect'))
    await press(page, canvasNode(page, 'decide'))
    await page.getByTestId('inspector-node-id').filter({ hasText: 'decide' }).waitFor()

    // Escape closes it and gives the focus back to the button, with nothing added.
    await press(page, page.getByTestId('connect-otherwise-new'))
    await expect.poll(() => hasFocus(page.getByTestId('quick-add-search'))).toBe(true)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('quick-add').count()).toBe(0)
    await expect.poll(() => hasFocus(page.getByTestId('connect-otherwise-new'))).toBe(true)
    expect(await page.locator('.react-flow__node').count()).toBe(3)

    await page.keyboard.press('Enter')
    await expect.poll(() => hasFocus(page.getByTestId('quick-add-search'))).toBe(true)
    const picker = page.getByTestId('quick-add')
    const chosen = () => picker.getByRole('option', { selected: true }).getAttribute('data-type')
    await page.keyboard.type('end')
    await expect.poll(chosen).toBe('end')
    // The arrows move along the list and back.
    await page.keyboard.press('ArrowUp')
    await expect.poll(chosen).not.toBe('end')
    await page.keyboard.press('ArrowDown')
    await expect.poll(chosen).toBe('end')
    await screenshot(page, 'quick-add-inspector')
    expect(await axeViolations(page)).toEqual([])
    await page.keyboard.press('Enter')

    await page.getByTestId('inspector-node-id').filter({ hasText: 'end-1' }).waitFor()
    await expect.poll(() => hasFocus(canvasNode(page, 'end-1'))).toBe(true)
    await save(page, true)
    const saved = await savedDraft('quick-add-keys')
    expect(saved.nodes.decide?.next).toEqual({ urgent: 'done', otherwise: 'end-1' })
    // To the right of its source, at the source's height (nothing else is there).
    expectNear(saved.layout?.['end-1'], { x: 300 + 300, y: 0 }, 'the new step')
    await page.context().close()
  })
})

describe('edge labels before auto-layout', () => {
  it('two outcomes of one step leading to the same step show their labels apart, level with their ports', async () => {
    const page = await openFlow(decisionFlow('two-outcomes-one-step'))
    const labelBox = async (port: string) => {
      const label = page.locator(`.react-flow__edge[data-id^="decide:${port}->done"] .react-flow__edge-textwrapper`)
      await label.waitFor()
      const box = await label.boundingBox()
      if (!box) throw new Error(`the label of ${port} is not drawn`)
      return box
    }
    const urgent = await labelBox('urgent')
    const otherwise = await labelBox('otherwise')
    await screenshot(page, 'two-outcomes-one-step')
    const apart =
      urgent.y + urgent.height <= otherwise.y ||
      otherwise.y + otherwise.height <= urgent.y ||
      urgent.x + urgent.width <= otherwise.x ||
      otherwise.x + otherwise.width <= urgent.x
    expect(apart, `labels at ${JSON.stringify(urgent)} and ${JSON.stringify(otherwise)}`).toBe(true)
    // Each sits on its own line, level with the port it leaves.
    for (const [port, box] of [
      ['urgent', urgent],
      ['otherwise', otherwise],
    ] as const) {
      const centre = await portCentre(page, 'decide', port)
      expect(Math.abs(box.y + box.height / 2 - centre.y), port).toBeLessThanOrEqual(2)
    }
    await page.context().close()
  })
})

describe('palette drops', () => {
  it('land where the cursor lets go, not at a spot of the canvas’s choosing', async () => {
    // The fit leaves the canvas panned (and zoomed), so flow and screen coordinates differ.
    const page = await openFlow(decisionFlow('drop-at-cursor'))
    const canvas = await page.getByTestId('canvas').boundingBox()
    if (!canvas) throw new Error('no canvas on screen')
    const drops = [
      { type: 'end', id: 'end-1', at: { x: 130, y: canvas.height - 140 } },
      { type: 'notify', id: 'notify-1', at: { x: canvas.width / 2 + 60, y: canvas.height - 110 } },
    ]
    for (const { type, id, at } of drops) {
      const onScreen = { x: canvas.x + at.x, y: canvas.y + at.y }
      expect(await isEmptyCanvas(page, onScreen), `empty canvas under the ${type} drop`).toBe(true)
      const flow = await screenToFlow(page, onScreen)
      await dropNode(page, type, at.x, at.y)
      // The editor's own document (kept locally until saved: two steps lead nowhere yet).
      await expect.poll(async () => (await unsavedDocument(page, 'drop-at-cursor'))?.layout?.[id]).toBeDefined()
      const position = (await unsavedDocument(page, 'drop-at-cursor'))?.layout?.[id]
      expectNear(position, { x: flow.x - DROP_OFFSET.x, y: flow.y - DROP_OFFSET.y }, `the ${type} step`)
    }
    const [a, b] = await Promise.all(drops.map(({ id }) => canvasNode(page, id).boundingBox()))
    if (!a || !b) throw new Error('a dropped step is not on screen')
    const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    expect(overlap, 'the two dropped steps overlap').toBe(false)
    await page.context().close()
  })
})

/** A decision table with `rows` rows: more than the full-width editor shows at once. */
function bigTableFlow(id: string, rows: number) {
  return decisionFlow(id, {
    decide: {
      type: 'decision.table',
      typeVersion: 1,
      title: 'Score bands',
      config: {
        inputs: [{ fact: 'score' }],
        outputs: [{ name: 'outcome' }],
        hitPolicy: 'first',
        rows: Array.from({ length: rows }, (_, i) => ({
          cells: [`[${i * 10}..${i * 10 + 9}]`],
          outputs: [i % 2 ? 'high' : 'low'],
        })),
      },
      next: { low: 'done', high: 'done', noMatch: 'done' },
    },
  })
}

describe('the full-width decision table', () => {
  it('keeps its column headers in view while the rows scroll, with the cell syntax beside it', async () => {
    const page = await openFlow(bigTableFlow('sticky-table', 60))
    await selectNode(page, 'decide')
    await page.getByTestId('open-wide-editor').click()
    const dialog = page.getByTestId('wide-editor')
    await dialog.waitFor()
    const scroller = dialog.locator('.cp-wide-editor-main')
    const header = dialog.locator('thead th').nth(1)
    const view = await scroller.boundingBox()
    if (!view) throw new Error('no scrolling area in the wide editor')

    // Scroll the rows as a user does, with the wheel over them, well past the first rows.
    await page.mouse.move(view.x + view.width / 2, view.y + view.height / 2)
    await page.mouse.wheel(0, 900)
    await expect.poll(() => scroller.evaluate((el: { scrollTop: number }) => el.scrollTop)).toBeGreaterThan(600)
    await expect
      .poll(async () => (await dialog.getByTestId('table-row-0').boundingBox())?.y ?? 0)
      .toBeLessThan(view.y - 200)

    // The header row sits at the top of the scrolling area, drawn over the rows (not under them).
    const head = await header.boundingBox()
    if (!head) throw new Error('no column header')
    expect(head.y).toBeGreaterThanOrEqual(view.y - 1)
    expect(head.y).toBeLessThanOrEqual(view.y + 2)
    const headCentre = { x: head.x + head.width / 2, y: head.y + head.height / 2 }
    expect(await isDrawnAt(page, headCentre, 'thead'), 'the header is what shows at its place').toBe(true)
    // Nothing of the rows shows through it: scrolled on by part of a row, it looks exactly the same.
    // (A page screenshot of the stuck cells' box: a locator's screenshot would scroll the table
    // back to the row's own place, and the row itself does not stick, only its cells do.)
    const first = await dialog.locator('thead th').first().boundingBox()
    const last = await dialog.locator('thead th').last().boundingBox()
    if (!first || !last) throw new Error('no header cells')
    const clip = { x: first.x, y: first.y, width: last.x + last.width - first.x, height: first.height }
    const headerShot = () => page.screenshot({ clip })
    const before = await headerShot()
    const scrolled = await scroller.evaluate((el: { scrollTop: number }) => el.scrollTop)
    await page.mouse.wheel(0, 40)
    await expect.poll(() => scroller.evaluate((el: { scrollTop: number }) => el.scrollTop)).toBeGreaterThan(scrolled)
    expect((await headerShot()).equals(before), 'the header row looks the same after a scroll').toBe(true)
    await expect.poll(() => dialog.getByTestId('table-input-0').isVisible()).toBe(true)

    // The syntax help stays in view beside the table.
    const help = await dialog.getByTestId('syntax-help').boundingBox()
    expect(help).not.toBeNull()
    expect(help!.x).toBeGreaterThan(view.x + view.width - 2)
    expect(help!.y).toBeLessThan(view.y + view.height)
    expect(await dialog.getByTestId('syntax-help').getByText('Cell syntax').isVisible()).toBe(true)
    await screenshot(page, 'wide-table-scrolled')
    expect(await axeViolations(page)).toEqual([])
    await page.context().close()
  })
})
