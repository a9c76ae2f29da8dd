// Moving through a page as a keyboard user does: Tab (or Shift+Tab) until a control has focus,
// arrow keys until a list shows the wanted choice. The locators only say where the test wants
// to be and read what the page shows; every step the page receives is a key press.
import type { Locator, Page } from 'playwright-core'

// The functions given to evaluate run in the browser; the tests compile without the DOM library.
interface PageNode {
  compareDocumentPosition(other: PageNode): number
  contains(other: PageNode | null): boolean
}
declare const document: { activeElement: PageNode | null; body: PageNode }

/** Node.DOCUMENT_POSITION_PRECEDING: the other node comes before this one. */
const PRECEDING = 2

/** How many key presses a walk to one control may take before the test gives up on it. */
const MAX_PRESSES = 400

/** Whether `target` (or something inside it) holds the focus. */
export function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluate((el: PageNode) => {
    const active = document.activeElement
    return active !== null && (el === active || el.contains(active))
  })
}

/** Whether `target` comes before the focused element in the document (so Shift+Tab reaches it sooner). */
function isBeforeFocus(target: Locator): Promise<boolean> {
  return target.evaluate((el: PageNode, preceding: number) => {
    const active = document.activeElement ?? document.body
    return (active.compareDocumentPosition(el) & preceding) !== 0
  }, PRECEDING)
}

/**
 * Press Tab (or Shift+Tab when the target lies before the focus) until `target` has the focus.
 * Fails with the target's description when it is not reached within a bound, which is what a
 * keyboard user would find: a control Tab never lands on.
 */
export async function tabTo(page: Page, target: Locator, max = MAX_PRESSES): Promise<void> {
  await target.waitFor()
  if (await hasFocus(target)) return
  const key = (await isBeforeFocus(target)) ? 'Shift+Tab' : 'Tab'
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key)
    if (await hasFocus(target)) return
  }
  throw new Error(`${key} never reached ${String(target)} in ${max} presses`)
}

/** How many arrow presses a walk along one tablist may take. */
const MAX_TABS = 20

/**
 * Open `tab` of an ARIA tablist: a tablist is one Tab stop (its open tab), so Tab goes there and
 * the arrow keys move along the strip, opening each tab they reach.
 */
export async function openTab(page: Page, tab: Locator): Promise<void> {
  await tab.waitFor()
  if ((await tab.getAttribute('aria-selected')) === 'true') return
  await tabTo(page, tab.locator('xpath=..').locator('[role="tab"][aria-selected="true"]'))
  for (let i = 0; i < MAX_TABS; i++) {
    if (await hasFocus(tab)) return
    await page.keyboard.press('ArrowRight')
  }
  throw new Error(`The arrow keys never reached ${String(tab)} in ${MAX_TABS} presses`)
}

/** Tab to `target` and press `key` (Enter by default) on it; a tab is opened with the arrow keys. */
export async function press(page: Page, target: Locator, key = 'Enter'): Promise<void> {
  await target.waitFor()
  if ((await target.getAttribute('role')) === 'tab' && (key === 'Enter' || key === ' ')) return openTab(page, target)
  await tabTo(page, target)
  await page.keyboard.press(key)
}

/** Tab to a text field, select what it holds and type `text` over it. */
export async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field)
  await page.keyboard.press('ControlOrMeta+A')
  if (text === '') await page.keyboard.press('Delete')
  else await page.keyboard.type(text)
}

/**
 * Tab to a <select> and move its choice with the arrow keys, one option at a time, to the first
 * option whose text matches `label` (a closed select changes its value on ArrowDown/ArrowUp, as
 * a keyboard user's does; the options passed on the way are chosen in turn).
 */
export async function choose(page: Page, select: Locator, label: string | RegExp): Promise<void> {
  await tabTo(page, select)
  const texts = (await select.locator('option').allTextContents()).map((t) => t.trim())
  const wanted = texts.findIndex((text) => (typeof label === 'string' ? text === label : label.test(text)))
  if (wanted < 0) throw new Error(`${String(select)} offers no option ${String(label)} (it offers ${texts.join(', ')})`)
  const current = () => select.evaluate((el: { selectedIndex: number }) => el.selectedIndex)
  for (let i = 0; i <= texts.length; i++) {
    const now = await current()
    if (now === wanted) return
    await page.keyboard.press(now < wanted ? 'ArrowDown' : 'ArrowUp')
  }
  throw new Error(`The arrow keys never chose ${String(label)} in ${String(select)}`)
}

/** Tab to a checkbox and press Space until it shows `checked`. */
export async function setChecked(page: Page, box: Locator, checked: boolean): Promise<void> {
  await tabTo(page, box)
  if ((await box.isChecked()) !== checked) await page.keyboard.press('Space')
}

declare function getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; strokeWidth: string }

/** The outline `target` draws now (its focus ring when focused), as "solid 3px". */
export function outlineOf(target: Locator): Promise<string> {
  return target.evaluate((el) => {
    const style = getComputedStyle(el)
    return `${style.outlineStyle} ${style.outlineWidth}`
  })
}

/** The width an SVG shape's line is drawn with now, as "3.5px". */
export function strokeWidthOf(target: Locator): Promise<string> {
  return target.evaluate((el) => getComputedStyle(el).strokeWidth)
}
