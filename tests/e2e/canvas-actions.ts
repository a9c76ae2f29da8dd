// Canvas gestures as a user makes them: drag a type from the palette, drag from a named port to
// a node's input, click a node.
import type { Page as BrowserPage } from 'playwright-core'

/** Drag a node type from the palette onto the canvas at (x, y) inside the canvas. */
export async function dropNode(page: BrowserPage, type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } })
}

/** Drag from output port `port` of node `from` to the input of node `to`. */
export async function connectPorts(page: BrowserPage, from: string, port: string, to: string): Promise<void> {
  const handle = page.locator(`[data-testid="port-${from}-${port}"] .react-flow__handle`)
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`)
  const a = await handle.boundingBox()
  const b = await target.boundingBox()
  if (!a || !b) throw new Error(`Cannot see port ${from}.${port} or the input of ${to}`)
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
  await page.mouse.down()
  await page.mouse.move(b.x + b.width / 2 - 4, b.y + b.height / 2, { steps: 10 })
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 3 })
  await page.mouse.up()
}

/** Click a node's header to select it (and open it in the inspector). */
export async function selectNode(page: BrowserPage, id: string): Promise<void> {
  const inspectTab = page.getByTestId('side-tab-inspect')
  if ((await inspectTab.count()) > 0) await inspectTab.click()
  await page.locator(`.react-flow__node[data-id="${id}"] .cp-node-head`).click()
  await page.getByTestId('inspector-node-id').filter({ hasText: id }).waitFor()
}
