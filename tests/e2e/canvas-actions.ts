// Canvas gestures as a user makes them: drag a type from the palette, drag from a named port to
// a node's input, click a node, zoom with the wheel. And the conditions that say the canvas has
// come to rest after a fit or a zoom, so a test waits for what it needs instead of for a time.
import type { Locator, Page as BrowserPage } from 'playwright-core'
import { E2E_WAIT_MS } from './e2e-limits.ts'

/** Animation frames in a row with an unchanged viewport that count as "the canvas stopped moving". */
const STILL_FRAMES = 10

// The functions given to page.evaluate run in the browser; the tests compile without the DOM
// library, so the little of it they touch is declared here (for these functions only). The waits
// read the page once per animation frame through page.evaluate (the DevTools protocol): the
// designer's CSP forbids eval, which page.waitForFunction needs.
interface PageElement {
  readonly style: { readonly transform: string }
  getAttribute(name: string): string | null
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number; height: number }
}
declare const document: {
  querySelector(selector: string): PageElement | null
  querySelectorAll(selector: string): Iterable<PageElement>
  elementFromPoint(x: number, y: number): { closest(selector: string): unknown } | null
}
declare function requestAnimationFrame(callback: () => void): number

/** Read the page with `read` (which waits for an animation frame) until `done` says so, or the wait limit passes. */
async function eachFrameUntil<T>(
  page: BrowserPage,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + E2E_WAIT_MS
  for (;;) {
    const value = await page.evaluate(read)
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`The canvas did not settle within ${E2E_WAIT_MS} ms`)
  }
}

/** The viewport's transform on the next animation frame (runs in the page). */
const transformNextFrame = () =>
  new Promise<string>((resolve) =>
    requestAnimationFrame(() => resolve(document.querySelector('.react-flow__viewport')?.style.transform ?? '')),
  )

/** Drag a node type from the palette onto the canvas at (x, y) inside the canvas. */
export async function dropNode(page: BrowserPage, type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } })
}

/** A point on the screen, in CSS pixels from the page's top left. */
export interface ScreenPoint {
  x: number
  y: number
}

/**
 * Where a point on the screen is in flow coordinates: what React Flow's screenToFlowPosition
 * answers, worked out here from the pane's box and the viewport's pan and zoom.
 */
export async function screenToFlow(page: BrowserPage, point: ScreenPoint): Promise<{ x: number; y: number }> {
  const { left, top, transform } = await page.evaluate(() => {
    const pane = document.querySelector('[data-testid="canvas"] .react-flow')?.getBoundingClientRect()
    const viewport = document.querySelector('.react-flow__viewport')?.style.transform ?? ''
    return { left: pane?.left ?? 0, top: pane?.top ?? 0, transform: viewport }
  })
  const pan = /translate\((-?[0-9.]+)px, (-?[0-9.]+)px\) scale\(([0-9.]+)\)/.exec(transform)
  if (!pan) throw new Error(`No pan and zoom in the viewport's transform: ${transform}`)
  const [, tx = '0', ty = '0', zoom = '1'] = pan
  return { x: (point.x - left - Number(tx)) / Number(zoom), y: (point.y - top - Number(ty)) / Number(zoom) }
}

/** Whether what is drawn at `point` on the screen (the topmost element there) lies inside `selector`. */
export function isDrawnAt(page: BrowserPage, point: ScreenPoint, selector: string): Promise<boolean> {
  return page.evaluate(({ x, y, selector }) => Boolean(document.elementFromPoint(x, y)?.closest(selector)), {
    ...point,
    selector,
  })
}

/** Whether `point` on the screen shows empty canvas (the pane), not a node, an edge or a control. */
export function isEmptyCanvas(page: BrowserPage, point: ScreenPoint): Promise<boolean> {
  return isDrawnAt(page, point, '.react-flow__pane')
}

/** The centre of output port `port`'s handle on node `node`, read once the canvas is still. */
export async function portCentre(page: BrowserPage, node: string, port: string): Promise<ScreenPoint> {
  await viewportSettled(page)
  const box = await page.locator(`[data-testid="port-${node}-${port}"] .react-flow__handle`).boundingBox()
  if (!box) throw new Error(`Cannot see port ${node}.${port}`)
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
}

/** Drag a line from output port `port` of node `from` and let go at `to` (on empty canvas: quick-add). */
export async function dragFromPort(page: BrowserPage, from: string, port: string, to: ScreenPoint): Promise<void> {
  const start = await portCentre(page, from, port)
  await page.mouse.move(start.x, start.y)
  await page.mouse.down()
  await page.mouse.move(to.x, to.y, { steps: 12 })
  await page.mouse.up()
}

/** Drag from output port `port` of node `from` to the input of node `to`. */
export async function connectPorts(page: BrowserPage, from: string, port: string, to: string): Promise<void> {
  const handle = page.locator(`[data-testid="port-${from}-${port}"] .react-flow__handle`)
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`)
  // Measured once the canvas is still: a box read during a fit or zoom animation is already stale.
  await viewportSettled(page)
  const a = await handle.boundingBox()
  const b = await target.boundingBox()
  if (!a || !b) throw new Error(`Cannot see port ${from}.${port} or the input of ${to}`)
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
  await page.mouse.down()
  await page.mouse.move(b.x + b.width / 2 - 4, b.y + b.height / 2, { steps: 10 })
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 3 })
  await page.mouse.up()
}

/**
 * Click a node's header to select it (and open it in the inspector). Fit stops at a readable zoom,
 * so a big flow's node may be off screen: focusing it first makes the canvas pan to it, as it does
 * for a keyboard user.
 */
export async function selectNode(page: BrowserPage, id: string): Promise<void> {
  const inspectTab = page.getByTestId('side-tab-inspect')
  if ((await inspectTab.count()) > 0) await inspectTab.click()
  const node = page.locator(`.react-flow__node[data-id="${id}"]`)
  // The canvas pans only to a node focused from the keyboard (:focus-visible), so a key comes first.
  await page.keyboard.press('Shift')
  await node.focus()
  await viewportSettled(page)
  await node.locator('.cp-node-head').click()
  await page.getByTestId('inspector-node-id').filter({ hasText: id }).waitFor()
}

/**
 * Choose where one of the inspector's "Outcomes lead to" lists leads. A list holds only its
 * current choice until it is focused (as it is by a click or the Tab key), so it is focused first.
 */
export async function chooseTarget(list: Locator, target: string): Promise<void> {
  await list.focus()
  await list.selectOption(target)
}

/** The canvas viewport's transform (pan and zoom), as React Flow writes it. */
function viewportTransform(page: BrowserPage): Promise<string> {
  return page.evaluate(() => document.querySelector('.react-flow__viewport')?.style.transform ?? '')
}

/**
 * Resolves once the canvas has stopped moving: its viewport transform unchanged over several
 * animation frames in a row. Counted in frames, not milliseconds, so a slow machine (fewer, later
 * frames) waits longer instead of giving up early.
 */
export async function viewportSettled(page: BrowserPage): Promise<void> {
  let last: string | undefined
  let still = 0
  await eachFrameUntil(page, transformNextFrame, (transform) => {
    still = transform === last ? still + 1 : 0
    last = transform
    return still >= STILL_FRAMES
  })
}

/**
 * Resolves once a fit-to-view (the editor's own on opening a flow, or the Fit button) has
 * finished: the nodes, taken together, are centred in the canvas and the canvas has stopped moving.
 */
export async function flowFitted(page: BrowserPage): Promise<void> {
  // Runs in the page, whole (page.evaluate sends its source): nothing outside it is in scope there.
  const centredNextFrame = () =>
    new Promise<boolean>((resolve) =>
      requestAnimationFrame(() => {
        const pane = document.querySelector('[data-testid="canvas"] .react-flow')?.getBoundingClientRect()
        const nodes = [...document.querySelectorAll('.react-flow__node')].map((n) => n.getBoundingClientRect())
        if (!pane || nodes.length === 0) return resolve(false)
        const left = Math.min(...nodes.map((n) => n.left))
        const right = Math.max(...nodes.map((n) => n.right))
        const top = Math.min(...nodes.map((n) => n.top))
        const bottom = Math.max(...nodes.map((n) => n.bottom))
        const near = (a: number, b: number) => Math.abs(a - b) <= 2
        resolve(
          near((left + right) / 2, pane.left + pane.width / 2) && near((top + bottom) / 2, pane.top + pane.height / 2),
        )
      }),
    )
  await eachFrameUntil(page, centredNextFrame, (ok) => ok)
  await viewportSettled(page)
}

/** Zoom in around `node` with `steps` turns of the mouse wheel, and wait until the zoom has landed. */
export async function zoomInAround(page: BrowserPage, node: Locator, steps: number): Promise<void> {
  const box = await node.boundingBox()
  if (!box) return
  const before = await viewportTransform(page)
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  for (let i = 0; i < steps; i++) await page.mouse.wheel(0, -200)
  await eachFrameUntil(page, transformNextFrame, (transform) => transform !== before)
  await viewportSettled(page)
}

/** Where each node sits, in flow coordinates (React Flow places a node with its own transform). Runs in the page. */
const nodePositions = () =>
  [...document.querySelectorAll('.react-flow__node')]
    .map((n) => `${n.getAttribute('data-id')} ${n.style.transform}`)
    .join('\n')

/** Click "Auto-layout" and wait until the nodes have moved and the flow is fitted again. */
export async function autoLayout(page: BrowserPage): Promise<void> {
  const before = await page.evaluate(nodePositions)
  await page.getByTestId('auto-layout').click()
  await eachFrameUntil(page, nodePositions, (now) => now !== before)
  await flowFitted(page)
}
