// The analyst's whole loop with the keyboard alone, in real Chromium against `serve --demo`: a
// medication refill flow built from an empty canvas (palette entries added with Enter, ports
// connected from the inspector's lists, facts, a queue and a threshold in the forms), saved, two
// test cases written in the case form, simulated, a threshold changed so one case fails, and
// submitted. The reviewer sees the failing case first and publishes only with a written reason;
// the admin adds a pharmacist to the new queue on the admin screen, the pharmacist answers the
// run's task from the inbox, and the auditor reads the publication's record. Every step the
// pages receive is a key press (Tab, Shift+Tab, Enter, Space, arrows, typing); locators only
// say where the test wants to go and what it expects to see there.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { axeViolations } from './axe.ts'
import { apiToken, DEMO_PASSWORD, e2eSession, screenshot, trpcPost } from './harness.ts'
import { choose, hasFocus, outlineOf, strokeWidthOf, press, setChecked, tabTo, typeInto } from './keyboard.ts'

const session = e2eSession()
const FLOW = 'medication-refill'
const LOW = 'copay $30 refills at once'
const HIGH = 'copay $75 asks the pharmacist'

/** A node on the canvas, as the keyboard reaches it (React Flow makes each node focusable). */
const canvasNode = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`)

/** Open the editor's side tab `tab` from the keyboard. */
async function sideTab(page: Page, tab: string): Promise<void> {
  await press(page, page.getByTestId(`side-tab-${tab}`))
}

/** Tab to a node on the canvas and select it with Enter; the inspector shows it. */
async function selectNode(page: Page, id: string): Promise<void> {
  await sideTab(page, 'inspect')
  await press(page, canvasNode(page, id))
  await page.getByTestId('inspector-node-id').filter({ hasText: id }).waitFor()
}

/** Search the palette for `query` and press Enter (or Space) on the entry of `type`: a new step at a free spot. */
async function addStep(page: Page, query: string, type: string, key = 'Enter'): Promise<void> {
  await typeInto(page, page.getByTestId('palette-search'), query)
  await press(page, page.getByTestId(`palette-${type}`), key)
}

/** A tRPC query over HTTP (GET), for the set-up steps the test takes over the API. */
async function trpcGet(baseUrl: string, path: string, token: string): Promise<unknown> {
  const response = await fetch(`${baseUrl}/trpc/${path}`, { headers: { authorization: `Bearer ${token}` } })
  const body = (await response.json()) as { result?: { data: unknown } }
  if (!response.ok) throw new Error(`${path} answered ${response.status}`)
  return body.result?.data
}

/** Save the draft with the toolbar's Save, from the keyboard. */
async function save(page: Page): Promise<void> {
  await press(page, page.getByTestId('save'))
  await page.getByTestId('save-ok').waitFor()
}

describe('the whole loop, keyboard only', () => {
  let analyst: Page

  it('builds a flow from an empty canvas, with its facts, queue, steps and connections', async () => {
    analyst = await session.login('analyst')
    // After logging in, focus sits on the screen's heading, not on the page body.
    await expect.poll(() => hasFocus(analyst.locator('main h1, main h2').first())).toBe(true)

    await press(analyst, analyst.getByTestId('flow-new'))
    await expect.poll(() => hasFocus(analyst.getByTestId('new-flow-title'))).toBe(true)
    await analyst.keyboard.type('Medication refill')
    await expect.poll(() => analyst.getByTestId('new-flow-template').inputValue()).toBe('blank')
    await analyst.keyboard.press('Enter')
    await analyst.getByTestId('canvas-empty').waitFor()
    await expect.poll(() => analyst.getByTestId('flow-status').textContent()).toBeTruthy()

    // Facts from the form: the copay the patient pays, a required number (financial PHI).
    await press(analyst, analyst.getByTestId('fact-add'))
    await typeInto(analyst, analyst.getByRole('textbox', { name: 'Name of a top-level field' }), 'copay')
    await choose(analyst, analyst.getByTestId('fact-copay-type'), /number/i)
    await choose(analyst, analyst.getByTestId('fact-copay-phi'), /financial/i)
    await setChecked(analyst, analyst.getByTestId('fact-copay-required'), true)
    await typeInto(analyst, analyst.getByTestId('fact-copay-description'), 'What the patient pays at the counter')

    // The new queue: pharmacists, who see financial data.
    await press(analyst, analyst.getByTestId('flow-roles-tab'))
    await press(analyst, analyst.getByTestId('role-add'))
    await typeInto(analyst, analyst.getByTestId('role-0-queue'), 'pharmacy')
    await typeInto(analyst, analyst.getByTestId('role-0-title'), 'Pharmacist')
    await setChecked(analyst, analyst.getByTestId('role-0-phi-financial'), true)
    await screenshot(analyst, 'keyboard-roles-form')

    // Four steps from the palette, each with Enter or Space; none lands on another.
    await addStep(analyst, 'api', 'trigger.api')
    await addStep(analyst, 'rules', 'decision.rules')
    await addStep(analyst, 'approval', 'task.approval')
    await addStep(analyst, 'end', 'end', 'Space')
    await expect.poll(() => analyst.locator('.react-flow__node').count()).toBe(4)
    await screenshot(analyst, 'keyboard-palette-added')

    // Each step configured in its form; each port connected from the inspector's "Outcomes lead to".
    await selectNode(analyst, 'trigger-api-1')
    await choose(analyst, analyst.getByTestId('connect-next'), 'Decision rules 1')

    await selectNode(analyst, 'decision-rules-1')
    await press(analyst, analyst.getByTestId('rules-add'))
    await typeInto(analyst, analyst.getByTestId('rule-0-name'), 'Copay above $50')
    await typeInto(analyst, analyst.getByTestId('rule-0-outcome'), 'needs-pharmacist')
    await choose(analyst, analyst.getByTestId('rule-0-when-0-fact'), 'copay')
    await choose(analyst, analyst.getByTestId('rule-0-when-0-operator'), '>')
    await typeInto(analyst, analyst.getByTestId('rule-0-when-0-value'), '50')
    await choose(analyst, analyst.getByTestId('connect-needs-pharmacist'), 'Task approval 1')
    await choose(analyst, analyst.getByTestId('connect-otherwise'), 'End 1')
    await screenshot(analyst, 'keyboard-rules-form')
    // The same rules as JSON: Monaco keeps Tab for indenting, and the hint beside it says how to leave.
    await press(analyst, analyst.getByTestId('rules-mode-json'))
    const rulesJson = analyst.getByTestId('rules-json')
    await expect.poll(() => rulesJson.getByTestId('editor-tab-hint').textContent()).toMatch(/Ctrl\+M/)
    await tabTo(analyst, rulesJson.locator('.monaco-editor'))
    await analyst.keyboard.press('Control+M')
    await analyst.keyboard.press('Tab')
    await expect.poll(() => hasFocus(rulesJson)).toBe(false)
    await press(analyst, analyst.getByTestId('rules-mode-builder'))
    await analyst.getByTestId('rule-0-when-0-value').waitFor()

    await selectNode(analyst, 'task-approval-1')
    await typeInto(analyst, analyst.getByTestId('inspector-title'), 'Pharmacist approves the refill')
    await typeInto(analyst, analyst.getByTestId('field-role'), 'pharmacy')
    await typeInto(analyst, analyst.getByTestId('field-title'), 'Approve this refill')
    await choose(analyst, analyst.getByTestId('connect-approved'), 'End 1')
    // Quick-add from a port: "New step…" opens the picker; typing narrows it and chooses End (not
    // "HL7 send", listed first), Enter adds it beside the approval, connected, and the inspector opens it.
    await press(analyst, analyst.getByTestId('connect-rejected-new'))
    await analyst.keyboard.type('end')
    await expect
      .poll(() => analyst.getByTestId('quick-add').getByRole('option', { selected: true }).getAttribute('data-type'))
      .toBe('end')
    await analyst.keyboard.press('Enter')
    await expect.poll(() => analyst.locator('.react-flow__node').count()).toBe(5)
    await analyst.getByTestId('inspector-node-id').filter({ hasText: 'end-2' }).waitFor()
    await selectNode(analyst, 'task-approval-1')
    await expect.poll(() => analyst.getByTestId('connect-rejected').inputValue()).toBe('end-2')
    // The decision the pharmacist writes is declared from its problem, with one key press.
    await press(analyst, analyst.getByTestId('add-to-facts-approval.decision').first())

    await selectNode(analyst, 'end-1')
    await typeInto(analyst, analyst.getByTestId('field-outcome'), 'refilled')
    await selectNode(analyst, 'end-2')
    await typeInto(analyst, analyst.getByTestId('field-outcome'), 'refused')
    await expect.poll(() => analyst.locator('.react-flow__edge').count()).toBe(5)

    // A focused node shows it: a ring outside its border.
    await tabTo(analyst, canvasNode(analyst, 'decision-rules-1'))
    await expect.poll(() => outlineOf(canvasNode(analyst, 'decision-rules-1'))).toBe('solid 3px')
    await screenshot(analyst, 'keyboard-node-focus')
    // So does a focused edge: its line is drawn thick in the accent colour.
    const edge = analyst.locator('.react-flow__edge').first()
    await tabTo(analyst, edge)
    await expect.poll(() => strokeWidthOf(edge.locator('.react-flow__edge-path'))).toBe('3.5px')
    expect(await axeViolations(analyst)).toEqual([])
    await save(analyst)
    await expect.poll(() => analyst.getByTestId('flow-status').textContent()).toContain('draft')
  })

  it('writes two test cases in the case form, simulates, and sees one fail after a threshold change', async () => {
    await sideTab(analyst, 'simulate')
    // The pharmacist's case first, the one that fails later second: the failing one is listed first anyway.
    await press(analyst, analyst.getByTestId('sim-add-case'))
    await typeInto(analyst, analyst.getByTestId('case-name'), HIGH)
    await typeInto(analyst, analyst.getByTestId('case-fact-copay'), '75')
    await choose(analyst, analyst.getByTestId('case-answer-task-approval-1-option'), /Approve/)
    await choose(analyst, analyst.getByTestId('case-expect'), 'refilled')
    await press(analyst, analyst.getByTestId('sim-add-case'))
    await typeInto(analyst, analyst.getByTestId('case-name'), LOW)
    await typeInto(analyst, analyst.getByTestId('case-fact-copay'), '30')
    await choose(analyst, analyst.getByTestId('case-expect'), 'refilled')
    await screenshot(analyst, 'keyboard-case-form')
    expect(await axeViolations(analyst)).toEqual([])
    await save(analyst)

    await sideTab(analyst, 'simulate')
    await press(analyst, analyst.getByTestId('sim-run'))
    await analyst.getByTestId('sim-results').waitFor()
    await expect.poll(() => analyst.getByTestId('sim-summary').textContent()).not.toMatch(/fail/)

    // The threshold drops to $25: the $30 case now waits for a pharmacist.
    await selectNode(analyst, 'decision-rules-1')
    await typeInto(analyst, analyst.getByTestId('rule-0-when-0-value'), '25')
    await save(analyst)
    await sideTab(analyst, 'simulate')
    await press(analyst, analyst.getByTestId('sim-run'))
    await expect.poll(() => analyst.getByTestId('sim-summary').textContent()).toMatch(/1 of your test cases fail/)
    const own = analyst.getByTestId('sim-result-list-own')
    await expect.poll(() => own.locator('li').first().textContent()).toContain(LOW)
    // The result is a button: Enter opens its detail.
    await press(analyst, own.getByTestId('sim-result').first())
    await analyst.getByTestId('sim-case-detail').waitFor()
    await screenshot(analyst, 'keyboard-simulate')
    expect(await axeViolations(analyst)).toEqual([])

    await sideTab(analyst, 'review')
    await press(analyst, analyst.getByTestId('review-submit'))
    await expect.poll(() => analyst.getByTestId('review-status').textContent()).toContain('in-review')
    await analyst.context().close()
  })

  it('the reviewer sees the failing case first and publishes only with a written reason', async () => {
    const reviewer = await session.login('reviewer')
    await press(reviewer, reviewer.getByTestId(`flow-open-${FLOW}`))
    await reviewer.getByTestId('editor').waitFor()
    await expect.poll(() => hasFocus(reviewer.locator('main h1'))).toBe(true)
    await sideTab(reviewer, 'review')
    await reviewer.getByTestId('review-report').waitFor()
    await expect
      .poll(() => reviewer.getByTestId('review-results-own').locator('li').first().textContent())
      .toMatch(new RegExp(`fails.*${LOW.replace('$', '\\$')}`))
    expect(await axeViolations(reviewer)).toEqual([])
    await typeInto(reviewer, reviewer.getByTestId('review-comment'), 'Refills from $25 need a pharmacist now.')
    await press(reviewer, reviewer.getByTestId('review-approve'))
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('approved')
    await expect(reviewer.getByTestId('publish-blockers').textContent()).resolves.toContain(LOW)
    await expect(reviewer.getByTestId('review-publish').isDisabled()).resolves.toBe(true)
    await expect(reviewer.getByTestId('review-override').isDisabled()).resolves.toBe(true)
    await typeInto(
      reviewer,
      reviewer.getByTestId('review-override-reason'),
      'The $30 case predates the new threshold; it is updated in the next draft.',
    )
    await press(reviewer, reviewer.getByTestId('review-override'))
    await expect.poll(() => reviewer.getByTestId('review-publish').isEnabled()).toBe(true)
    await press(reviewer, reviewer.getByTestId('review-publish'))
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('published')
    await reviewer.context().close()
  })

  it('the admin adds a pharmacist to the new queue, who answers the run’s task from the inbox', async () => {
    const admin = await session.login('admin')
    await admin.getByTestId('queue-unworked-pharmacy').waitFor()
    await typeInto(admin, admin.getByTestId('add-user-name'), 'pharmacist')
    await typeInto(admin, admin.getByTestId('add-user-password'), DEMO_PASSWORD)
    await choose(admin, admin.getByTestId('add-user-role'), /agent/i)
    await setChecked(admin, admin.getByTestId('add-user-queue-pharmacy'), true)
    expect(await axeViolations(admin)).toEqual([])
    await press(admin, admin.getByTestId('add-user-submit'))
    await expect.poll(() => admin.getByTestId('queue-pharmacy').textContent()).toContain('pharmacist')
    await admin.context().close()

    // Set-up outside the loop, over the API: the new person logs in with the password alone (as the
    // demo's people do), and a run of the published flow reaches the pharmacist's step.
    const adminToken = await apiToken(session.runtime, 'admin')
    const policy = (await trpcGet(session.runtime.url, 'security.mfaPolicy', adminToken)) as { passwordOnly: string[] }
    await trpcPost(
      session.runtime.url,
      'security.setMfaPolicy',
      { ...policy, passwordOnly: [...policy.passwordOnly, 'pharmacist'] },
      adminToken,
    )
    await trpcPost(
      session.runtime.url,
      'runs.start',
      { flowId: FLOW, input: { copay: 40 }, idempotencyKey: 'keyboard-loop-1' },
      await apiToken(session.runtime, 'agent'),
    )

    const pharmacist = await session.login('pharmacist')
    await press(pharmacist, pharmacist.getByTestId('nav-inbox'))
    await expect.poll(() => pharmacist.getByTestId('inbox').textContent()).toContain('Approve this refill')
    await expect.poll(() => hasFocus(pharmacist.locator('main h1'))).toBe(true)
    await press(pharmacist, pharmacist.getByTestId('inbox-task').first().locator('a'))
    await pharmacist.getByTestId('task-screen').waitFor()
    expect(await axeViolations(pharmacist)).toEqual([])
    await press(pharmacist, pharmacist.getByTestId('task-answer-approved'))
    await pharmacist.getByTestId('task-done').waitFor()
    await pharmacist.context().close()
  })

  it('the auditor reads the record of the override, from the keyboard', async () => {
    const auditor = await session.login('auditor')
    await press(auditor, auditor.getByTestId('nav-audit'))
    const row = auditor.locator('[data-testid="audit-row"][data-action="review.override"]').first()
    await press(auditor, row.getByRole('button'))
    await expect.poll(() => auditor.getByTestId('audit-detail').textContent()).toContain('predates the new threshold')
    await screenshot(auditor, 'keyboard-audit-record')
    expect(await axeViolations(auditor)).toEqual([])

    // The pharmacist's run, from the runs list: each row's link opens its viewer.
    await press(auditor, auditor.getByTestId('nav-runs'))
    const run = auditor.locator('[data-testid^="run-row-"]', { hasText: FLOW }).first()
    await press(auditor, run.getByRole('link'))
    await expect.poll(() => auditor.getByTestId('run-outcome').textContent()).toBe('refilled')
    await expect.poll(() => hasFocus(auditor.locator('main h1'))).toBe(true)
    await auditor.context().close()
  })
})
