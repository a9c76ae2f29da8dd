// The README tour, step by step in real Chromium against `serve --demo`: an analyst
// lowers the copay threshold of the eligibility flow and simulates it, a reviewer approves and
// publishes, an agent runs the flow and answers its task, and an auditor reads the audit trail
// and verifies its hash chain, without ever seeing the patient's values. Each step saves the
// tour's screenshot (docs/tour/*.png when CAREPATH_UPDATE_TOUR_SHOTS=1).
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { e2eSession, screenshot, tourShot } from './harness.ts'
import { flowFitted, selectNode, viewportSettled, zoomInAround } from './canvas-actions.ts'

const FLOW = 'eligibility-verification'
/** The tour's input facts: every value here is the patient's and must stay off the audit screen. */
const PATIENT = { mrn: 'MRN-100234', firstName: 'John', lastName: 'Smith', birthDate: '1963-05-19', phone: '555-0100' }
const INPUT = { appointment: { id: 'SCH-12345', date: '2026-12-01' }, patient: PATIENT }

const session = e2eSession()

/** Zoom the canvas in around one node so the shot reads at README size. */
async function zoomAround(page: Page, nodeId: string): Promise<void> {
  await page.locator('.react-flow__node').first().waitFor()
  // After the editor's own fit-to-view, or that would undo the zoom.
  await flowFitted(page)
  await zoomInAround(page, page.locator(`.react-flow__node[data-id="${nodeId}"]`), 3)
}

describe('the README tour', () => {
  let analyst: Page
  let reportHash = ''

  it('1–3: the analyst opens the eligibility flow and lowers the copay threshold to $25', async () => {
    analyst = await session.login('analyst')
    await analyst.getByTestId(`flow-open-${FLOW}`).waitFor()
    await expect.poll(() => analyst.locator('[data-testid^="flow-open-"]').count()).toBeGreaterThanOrEqual(9)
    await tourShot(analyst, '01-flows')

    await analyst.getByTestId(`flow-open-${FLOW}`).click()
    await analyst.getByTestId('editor').waitFor()
    await zoomAround(analyst, 'cost-check')
    await selectNode(analyst, 'cost-check')
    await analyst.getByTestId('rule-0-when-0-value').fill('25')
    await analyst.getByTestId('rule-0-name').fill('Copay above $25')
    await expect.poll(() => analyst.getByTestId('rule-0-when-0-value').inputValue()).toBe('25')
    await analyst.getByTestId('save').click()
    await analyst.getByTestId('save-ok').waitFor()
    await expect(analyst.getByTestId('flow-revision').textContent()).resolves.toContain('rev 2')
    await tourShot(analyst, '02-canvas')
  })

  it('4–6: the simulation flags the changed cases, and the draft goes to review', async () => {
    await analyst.getByTestId('save-ok').getByRole('button', { name: 'Dismiss' }).click()
    await analyst.getByTestId('side-tab-simulate').click()
    // A test case's form, read from the flow: opened and closed again, so nothing changes.
    await analyst.getByTestId('sim-case-edit-0').click()
    await analyst.getByTestId('case-form').waitFor()
    await analyst.getByRole('button', { name: 'Fit', exact: true }).click()
    await flowFitted(analyst)
    await tourShot(analyst, '09-case-form')
    await analyst.getByTestId('sim-case-edit-0').click()
    await expect.poll(() => analyst.getByTestId('case-form').count()).toBe(0)
    await analyst.getByTestId('sim-run').click()
    await analyst.getByTestId('sim-results').waitFor()
    // The figures the README states, and the report's hash the reviewer will see too.
    await expect
      .poll(() => analyst.getByTestId('sim-summary').textContent())
      .toBe('69 cases, 5 changed, 2 of your test cases fail')
    reportHash = (await analyst.getByTestId('sim-report-hash').textContent()) ?? ''
    const failing = analyst.locator('[data-testid="sim-result-list-own"] li.changed [data-testid="sim-result"]')
    await expect.poll(() => failing.count()).toBe(2)
    await expect(failing.first().textContent()).resolves.toMatch(/copay/i)
    await failing.first().click()
    await analyst.getByTestId('sim-case-detail').waitFor()
    // The whole flow in view, so both paths of the changed case show.
    await analyst.getByRole('button', { name: 'Fit', exact: true }).click()
    await flowFitted(analyst)
    await tourShot(analyst, '03-simulate')

    await analyst.getByTestId('side-tab-review').click()
    await analyst.getByTestId('review-submit').click()
    await expect.poll(() => analyst.getByTestId('review-status').textContent()).toContain('in-review')
    await analyst.context().close()
  })

  it('7: a reviewer reads the report, approves and publishes', async () => {
    const reviewer = await session.login('reviewer')
    await reviewer.getByTestId(`flow-open-${FLOW}`).click()
    await reviewer.getByTestId('side-tab-review').click()
    await reviewer.getByTestId('review-report').waitFor()
    await expect.poll(() => reviewer.getByTestId('review-report-hash').textContent()).toBe(reportHash)
    await reviewer.getByTestId('review-comment').fill('Estimates from $25 copay: matches the new policy.')
    await reviewer.getByTestId('review-approve').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('approved')
    // The two $50-boundary cases still expect no estimate: publishing waits for a written reason.
    await expect(reviewer.getByTestId('publish-blockers').textContent()).resolves.toMatch(/2 test cases fail/)
    await reviewer
      .getByTestId('review-override-reason')
      .fill('Estimates from a $25 copay are the new policy; both $50-boundary cases are out of date.')
    await reviewer.getByTestId('review-override').click()
    await expect.poll(() => reviewer.getByTestId('review-publish').isEnabled()).toBe(true)
    // The demo configures no payer, so the gate warns (without blocking) that the payer step's runs will fail here.
    await expect
      .poll(() => reviewer.getByTestId('publish-warnings').textContent())
      .toContain('calls the "payer" connector, which this installation has not configured')
    // The shot shows the report's head: its hash and the analyst's test cases, failing ones first.
    await reviewer.getByTestId('review-report').evaluate((el) => el.scrollIntoView())
    await tourShot(reviewer, '04-review')
    await reviewer.getByTestId('review-publish').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('published')
    await reviewer.context().close()
  })

  it('8–10: an agent runs the flow, answers the task, and sees the path taken', async () => {
    const agent = await session.login('agent')
    await agent.getByTestId('nav-runs').click()
    await agent.getByTestId('run-start-open').click()
    await agent.getByTestId('run-start-flow').selectOption(FLOW)
    // The form is read from the published flow's facts schema, and starts empty.
    const fact = (path: string) => agent.getByTestId(`run-start-fact-${path}`)
    await fact('appointment.id').waitFor()
    await expect(fact('patient.mrn').inputValue()).resolves.toBe('')
    // Starting with nothing typed says so, and focus goes to the first field.
    await agent.getByTestId('run-start-submit').click()
    await expect(agent.getByTestId('run-start-error').textContent()).resolves.toMatch(/The input is empty/)
    const focused = () => agent.evaluate("document.activeElement?.getAttribute('data-testid')")
    await expect.poll(focused).toBe('run-start-fact-appointment.id')
    await fact('appointment.id').fill(INPUT.appointment.id)
    // A fact its object requires is named under its field once that object is given.
    await agent.getByTestId('run-start-submit').click()
    await expect(agent.getByTestId('run-start-fact-appointment.date-error').textContent()).resolves.toMatch(
      /Required once appointment is given/,
    )
    await expect.poll(focused).toBe('run-start-fact-appointment.date')
    await fact('appointment.date').fill(INPUT.appointment.date)
    for (const [key, value] of Object.entries(PATIENT)) await fact(`patient.${key}`).fill(value)
    await expect(agent.getByTestId('run-start-fact-appointment.date-error').count()).resolves.toBe(0)
    await expect(agent.getByTestId('run-start-error').count()).resolves.toBe(0)
    await agent.getByTestId('run-start-form').evaluate((el) => el.scrollIntoView())
    await tourShot(agent, '08-start-run')
    // The same input as JSON, one click away; it round-trips back to the form.
    await agent.getByTestId('run-start-view-json').click()
    await expect.poll(async () => JSON.parse(await agent.getByTestId('run-start-input').inputValue())).toEqual(INPUT)
    await agent.getByTestId('run-start-view-form').click()
    await expect(fact('patient.lastName').inputValue()).resolves.toBe(PATIENT.lastName)
    await agent.getByTestId('run-start-submit').click()
    // A refused start says why on the form; fail with that sentence rather than a timeout.
    await agent
      .getByTestId('run-status')
      .or(agent.locator('[data-testid="run-start-form"] .cp-error-text'))
      .first()
      .waitFor()
    expect(await agent.locator('[data-testid="run-start-form"] .cp-error-text').allTextContents()).toEqual([])
    await expect.poll(() => agent.getByTestId('run-status').textContent()).toContain('waiting')

    await agent.getByTestId('nav-inbox').click()
    await agent.getByTestId('inbox-task').first().click()
    await agent.getByTestId('task-screen').waitFor()
    await expect(agent.getByTestId('task-fact-patient.firstName').textContent()).resolves.toBe('John')
    const facts = (await agent.getByTestId('task-facts').textContent()) ?? ''
    expect(facts).not.toContain(PATIENT.mrn)
    expect(facts).not.toContain(PATIENT.birthDate)
    await tourShot(agent, '05-inbox-task')
    await agent.getByTestId('task-field-selfPay-yes').click()
    await agent.getByTestId('task-submit').click()
    await agent.getByTestId('task-done').waitFor()

    await agent.getByRole('link', { name: 'See the run' }).click()
    await expect.poll(() => agent.getByTestId('run-status').textContent()).toContain('completed')
    await expect.poll(() => agent.locator('.cp-node.hl-path').count()).toBeGreaterThanOrEqual(4)
    await viewportSettled(agent)
    await tourShot(agent, '06-run-viewer')
    await agent.context().close()
  })

  it('11: the auditor reads the trail of these steps, opens a record, and verifies the chain', async () => {
    const auditor = await session.login('auditor')
    await auditor.getByTestId('nav-audit').click()
    await auditor.getByTestId('audit-list').waitFor()
    const rows = auditor.getByTestId('audit-row')
    // Newest first: the first row on the page is the latest record.
    const seqs = await rows.locator('td:first-child').allTextContents()
    expect(seqs.map(Number)).toEqual([...seqs.map(Number)].sort((a, b) => b - a))
    // The demo's start-up and this tour make more than one page: "Older" goes on from where page 1 ends.
    await expect(auditor.getByTestId('audit-pager').textContent()).resolves.toMatch(/Page 1 of [2-9]/)
    await auditor.getByRole('button', { name: 'Older →' }).click()
    await expect.poll(() => auditor.getByTestId('audit-pager').textContent()).toMatch(/Page 2 of/)
    const older = await rows.locator('td:first-child').allTextContents()
    expect(Number(older[0])).toBeLessThan(Number(seqs[seqs.length - 1]))

    // Narrow to the flow of the tour: its save, submission, approval, publication and run are there.
    await auditor.getByTestId('audit-filter-flow').selectOption(FLOW)
    const actions = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-action')))
    for (const action of [
      'flow.save',
      'review.submit',
      'review.approve',
      'review.override',
      'review.publish',
      'run.start',
      'task.answer',
    ])
      expect(actions).toContain(action)

    await auditor.getByTestId('audit-filter-action').selectOption('review.publish')
    // The demo published it once at start-up; the newest publication is the reviewer's.
    await expect.poll(() => rows.first().locator('td').nth(2).textContent()).toBe('reviewer')
    await rows.first().click()
    await expect(auditor.getByTestId('audit-detail').textContent()).resolves.toContain('reviewer')
    await expect(auditor.getByTestId('audit-detail-hash').textContent()).resolves.toMatch(/^[0-9a-f]{64}$/)

    await auditor.getByTestId('audit-filter-action').selectOption('run.start')
    await rows.first().click()
    await auditor.getByTestId('audit-detail-why').waitFor()
    // The run's first decision reads as an explanation: rules and conditions, with hashes for what they saw.
    await auditor.getByTestId('audit-detail').getByTestId('explanation').first().waitFor()
    await screenshot(auditor, 'audit-run-record')

    await auditor.getByTestId('audit-verify').click()
    await expect
      .poll(() => auditor.getByTestId('audit-verify-result').textContent())
      .toMatch(/Chain intact: \d+ records checked/)

    // The auditor never sees the patient's values, neither in the list nor in a record's "why".
    await auditor.getByTestId('audit-filter-action').selectOption('')
    const text = (await auditor.locator('body').textContent()) ?? ''
    for (const value of Object.values(PATIENT)) expect(text).not.toContain(value)
    // The shot shows the publication's record: who approved what, and its place in the chain.
    await auditor.locator('[data-testid="audit-row"][data-action="review.publish"]').first().click()
    await expect(auditor.getByTestId('audit-detail').textContent()).resolves.toContain('review.publish')
    await tourShot(auditor, '07-audit')
    await auditor.context().close()
  })

  it('12: the analyst edits facts in a form and a decision table full width', async () => {
    const page = await session.login('analyst')
    await page.getByTestId('flow-open-patient-intake-triage').click()
    await page.getByTestId('editor').waitFor()
    // No step selected: the flow's settings, its facts as a form.
    await page.getByTestId('flow-settings-form').waitFor()
    await expect.poll(() => page.getByTestId('inspector').textContent()).toContain('Facts')
    await tourShot(page, '10-facts-form')

    await selectNode(page, 'score')
    await page.getByTestId('open-wide-editor').click()
    const dialog = page.getByTestId('wide-editor')
    await dialog.getByTestId('table-grid').waitFor()
    await dialog.getByTestId('syntax-help').waitFor()
    await tourShot(page, '11-wide-table')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('wide-editor').count()).toBe(0)
    await page.context().close()
  })

  it('13: the admin sees who works each queue, the flows sending work there, and its PHI clearance', async () => {
    const admin = await session.login('admin')
    await admin.getByTestId('admin-screen').waitFor()
    await admin.getByTestId('queue-clinician-clearance-edit').click()
    await admin.locator('#queue-clinician-clearance-classes').waitFor()
    await expect.poll(() => admin.getByTestId('queue-clinician').textContent()).toContain('clinician')
    await tourShot(admin, '12-users-queues')
    await admin.context().close()
  })
})
