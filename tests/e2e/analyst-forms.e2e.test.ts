// The analyst's forms, in real Chromium against `serve --demo`: a blank new flow gets its facts
// and a role from the forms (the JSON view shows the same schema), two steps are added and
// connected with the keyboard alone, a field the question writes is declared from its problem
// with "Add to facts", and the decision table opens full width with its syntax help. axe-core
// finds nothing on each of these screens.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { axeViolations } from './axe.ts'
import { e2eSession, screenshot } from './harness.ts'
import { selectNode } from './canvas-actions.ts'

const session = e2eSession()

/** Focus a canvas node and select it with Enter, as a keyboard user does after tabbing to it. */
async function selectWithKeyboard(page: Page, id: string): Promise<void> {
  const inspectTab = page.getByTestId('side-tab-inspect')
  if ((await inspectTab.count()) > 0) {
    await inspectTab.focus()
    await page.keyboard.press('Enter')
  }
  await page.locator(`.react-flow__node[data-id="${id}"]`).focus()
  await page.keyboard.press('Enter')
  await page.getByTestId('inspector-node-id').filter({ hasText: id }).waitFor()
}

/** Add a node type from the palette with the keyboard (Enter on its entry). */
async function addWithKeyboard(page: Page, type: string): Promise<void> {
  await page.getByTestId(`palette-${type}`).focus()
  await page.keyboard.press('Enter')
}

describe("the analyst's forms", () => {
  it('builds facts and a role in forms, connects steps from the keyboard and opens the table full width', async () => {
    const analyst = await session.login('analyst')
    await analyst.getByTestId('flow-new').click()
    await analyst.getByTestId('new-flow-title').fill('Medication refill')
    await expect.poll(() => analyst.getByTestId('new-flow-template').inputValue()).toBe('blank')
    await analyst.getByTestId('new-flow-create').click()
    await analyst.getByTestId('canvas-empty').waitFor()

    // A blank flow: no other domain's facts or roles.
    await analyst.getByTestId('facts-empty').waitFor()
    expect(await axeViolations(analyst)).toEqual([])

    // Facts from the form: a group "refill" holding a required copay (a number, financial PHI).
    await analyst.getByTestId('fact-add').click()
    await analyst.getByRole('textbox', { name: 'Name of a top-level field' }).fill('refill')
    await analyst.getByTestId('fact-refill-type').selectOption('object')
    await analyst.getByTestId('fact-refill-add').click()
    await analyst.getByRole('textbox', { name: 'Name of a field in refill' }).fill('copay')
    await analyst.getByTestId('fact-refill.copay-type').selectOption('number')
    await analyst.getByTestId('fact-refill.copay-phi').selectOption('financial')
    await analyst.getByTestId('fact-refill.copay-required').check()
    await analyst.getByTestId('fact-refill.copay-description').fill('What the patient pays at the counter')
    await screenshot(analyst, 'analyst-facts-form')
    expect(await axeViolations(analyst)).toEqual([])

    // The JSON is one click away and holds what the form built.
    await analyst.getByTestId('flow-settings-json').click()
    await analyst.getByTestId('flow-facts-json').waitFor()
    await expect
      .poll(async () =>
        // Monaco draws spaces as non-breaking ones.
        (await analyst.getByTestId('flow-facts-json').locator('.view-lines').innerText()).replace(/\u00a0/g, ' '),
      )
      .toMatch(/"copay"[\s\S]*"x-phi": "financial"/)
    await analyst.getByTestId('flow-settings-form').click()
    await analyst.getByTestId('fact-refill.copay-name').waitFor()

    // A role from the form: the pharmacy queue sees financial and clinical data.
    await analyst.getByTestId('flow-roles-tab').click()
    await analyst.getByTestId('roles-empty').waitFor()
    await analyst.getByTestId('role-add').click()
    await analyst.getByTestId('role-0-queue').fill('pharmacy')
    await analyst.getByTestId('role-0-title').fill('Pharmacist')
    await analyst.getByTestId('role-0-phi-financial').check()
    await analyst.getByTestId('role-0-phi-clinical').check()
    await screenshot(analyst, 'analyst-roles-form')
    expect(await axeViolations(analyst)).toEqual([])

    // Two steps added and connected with the keyboard alone; they do not land on each other.
    await addWithKeyboard(analyst, 'trigger.api')
    await addWithKeyboard(analyst, 'decision.table')
    await expect.poll(() => analyst.locator('.react-flow__node').count()).toBe(2)
    const [a, b] = await Promise.all(
      ['trigger-api-1', 'decision-table-1'].map((id) =>
        analyst.locator(`.react-flow__node[data-id="${id}"]`).boundingBox(),
      ),
    )
    expect(a && b && Math.abs(a.y - b.y) >= a.height).toBe(true)
    await selectWithKeyboard(analyst, 'trigger-api-1')
    const connect = analyst.getByTestId('connect-next')
    // Until it is focused, a list holds its current choice alone (a selection builds no more).
    expect(await connect.locator('option').allTextContents()).toEqual(['Not connected'])
    await connect.focus()
    await expect.poll(() => connect.locator('option').count()).toBeGreaterThan(1)
    await connect.selectOption('decision-table-1')
    await expect.poll(() => analyst.locator('.react-flow__edge').count()).toBe(1)
    await expect.poll(() => connect.inputValue()).toBe('decision-table-1')
    await screenshot(analyst, 'analyst-keyboard-connect')
    expect(await axeViolations(analyst)).toEqual([])

    // A field a step writes is declared from its problem with one click.
    await selectWithKeyboard(analyst, 'decision-table-1')
    const missing = analyst.getByTestId('add-to-facts-input').first()
    await missing.waitFor()
    await missing.click()
    await expect.poll(() => analyst.getByTestId('add-to-facts-input').count()).toBe(0)

    // The table full width: sticky headers and the cell syntax in view; Esc closes it.
    await analyst.getByTestId('open-wide-editor').click()
    const dialog = analyst.getByTestId('wide-editor')
    await dialog.getByTestId('table-grid').waitFor()
    await dialog.getByTestId('syntax-help').waitFor()
    const width = await dialog.evaluate((el) => el.getBoundingClientRect().width)
    expect(width).toBeGreaterThan(1000)
    await screenshot(analyst, 'analyst-wide-table')
    expect(await axeViolations(analyst)).toEqual([])
    await analyst.keyboard.press('Escape')
    await expect.poll(() => analyst.getByTestId('wide-editor').count()).toBe(0)
  })

  it('gives a reviewer the table full width too, read-only, closed with Done', async () => {
    const reviewer = await session.login('reviewer')
    await reviewer.goto(`${session.runtime.url}/#/flows/prior-authorization`)
    await reviewer.getByTestId('editor').waitFor()
    await selectNode(reviewer, 'pa-required')
    await reviewer.getByTestId('open-wide-editor').click()
    const dialog = reviewer.getByTestId('wide-editor')
    await dialog.getByTestId('table-grid').waitFor()
    await expect(dialog.locator('input, select, textarea').first().isDisabled()).resolves.toBe(true)
    expect(await axeViolations(reviewer)).toEqual([])
    await dialog.getByTestId('wide-editor-close').click()
    await expect.poll(() => reviewer.getByTestId('wide-editor').count()).toBe(0)
    await reviewer.context().close()
  })
})
