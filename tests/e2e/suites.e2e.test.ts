// Test cases that travel with the draft, in real Chromium against `serve --demo`: the analyst
// writes a case in the case form (facts, the payer's response, the expected outcome), saves it
// with the draft, changes a threshold so the case fails, and sees it fail with the report's hash;
// the reviewer sees the same hash, the analyst's case first, and cannot publish until they write
// why the failing case may go out anyway.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { e2eSession, screenshot } from './harness.ts'
import { selectNode } from './canvas-actions.ts'

const FLOW = 'eligibility-verification'
const CASE = 'copay $40 written in the form'
const session = e2eSession()

async function fill(page: Page, path: string, value: string): Promise<void> {
  await page.getByTestId(`case-fact-${path}`).fill(value)
}

describe('test cases saved with the draft and run on review', () => {
  let analyst: Page
  let reportHash = ''

  it('the analyst writes a case in the form, saves it with the draft, and finds it after a reload', async () => {
    analyst = await session.login('analyst')
    await analyst.getByTestId(`flow-open-${FLOW}`).click()
    await analyst.getByTestId('editor').waitFor()
    await analyst.getByTestId('side-tab-simulate').click()
    await expect.poll(() => analyst.locator('[data-testid^="sim-case-edit-"]').count()).toBe(26)
    await analyst.getByTestId('sim-add-case').click()
    await analyst.getByTestId('case-form').waitFor()
    await analyst.getByTestId('case-name').fill(CASE)
    await fill(analyst, 'appointment.id', 'SCH-40')
    await fill(analyst, 'appointment.date', '2026-12-01')
    await fill(analyst, 'appointment.version', '1')
    await analyst.getByTestId('case-fact-appointment.visitType').selectOption('follow-up')
    await fill(analyst, 'patient.firstName', 'Synthetic')
    await fill(analyst, 'patient.lastName', 'Forty')
    await fill(analyst, 'patient.birthDate', '1970-04-04')
    await fill(analyst, 'coverage.payerId', '842610001')
    await fill(analyst, 'coverage.memberId', '123456789')
    const payer = analyst.getByLabel(/^Ask the payer/)
    await payer.fill(
      JSON.stringify({
        status: 'active',
        plan: 'GOLD 123 PLAN',
        copay: 40,
        deductible: 0,
        deductibleRemaining: 0,
        rejections: [],
      }),
    )
    await payer.blur()
    // The call's outcome is written back to the CRM and the EHR: both answers are part of the case.
    const crm = analyst.getByLabel(/^Write the call's outcome to the CRM/)
    await crm.fill(JSON.stringify({ status: 'created', id: '500CASE0040' }))
    await crm.blur()
    const ehr = analyst.getByLabel(/^Note the outcome on the EHR appointment/)
    await ehr.fill(
      JSON.stringify({
        status: 200,
        resource: { resourceType: 'Appointment', id: 'SCH-40', meta: { versionId: '2' } },
      }),
    )
    await ehr.blur()
    await analyst.getByTestId('case-expect').selectOption('verified')
    await screenshot(analyst, 'case-form')
    await analyst.getByTestId('save').click()
    await analyst.getByTestId('save-ok').waitFor()

    // Stored on the server with the draft, not in the browser tab.
    await analyst.reload()
    await analyst.getByTestId('side-tab-simulate').click()
    await expect.poll(() => analyst.getByTestId('sim-cases').textContent()).toContain(CASE)
    await analyst.getByTestId('sim-case-edit-26').click()
    await analyst.getByTestId('case-view-json').click()
    await expect.poll(() => analyst.locator('.monaco-editor').first().textContent()).toContain('SCH-40')
  })

  it('a threshold change makes the case fail; the simulation shows it with its report hash, and it is submitted', async () => {
    await analyst.getByTestId('side-tab-inspect').click()
    await selectNode(analyst, 'cost-check')
    await analyst.getByTestId('rule-0-when-0-value').fill('25')
    await analyst.getByTestId('save').click()
    await analyst.getByTestId('save-ok').waitFor()
    await analyst.getByTestId('side-tab-simulate').click()
    await analyst.getByTestId('sim-run').click()
    await analyst.getByTestId('sim-results').waitFor()
    const own = analyst.getByTestId('sim-result-list-own')
    await expect.poll(() => own.textContent()).toContain(CASE)
    const failing = own.locator('li', { hasText: CASE })
    // It passed on the published version ($50); it now stops at the estimate ($25), named by its
    // title: the step's id is for the tooltip only.
    await expect(failing.textContent()).resolves.toMatch(
      /fails.*expects verified · verified → waiting at Tell the patient the estimate/,
    )
    await expect(failing.textContent()).resolves.not.toContain('tell-estimate')
    await expect(analyst.getByTestId('sim-summary').textContent()).resolves.toMatch(/3 of your test cases fail/)
    reportHash = (await analyst.getByTestId('sim-report-hash').textContent()) ?? ''
    expect(reportHash).toMatch(/^[0-9a-f]{12}$/)
    // Keyboard: the result is a button; Enter opens its detail.
    await failing.getByTestId('sim-result').focus()
    await analyst.keyboard.press('Enter')
    await analyst.getByTestId('sim-case-detail').waitFor()
    await screenshot(analyst, 'simulate-own-cases')

    await analyst.getByTestId('side-tab-review').click()
    await analyst.getByTestId('review-submit').click()
    await expect.poll(() => analyst.getByTestId('review-status').textContent()).toContain('in-review')
    await expect.poll(() => analyst.getByTestId('review-submit').isDisabled()).toBe(true)
    await analyst.context().close()
  })

  it('the reviewer sees the same report, the failing case first, and publishes only with a written reason', async () => {
    const reviewer = await session.login('reviewer')
    await reviewer.getByTestId(`flow-open-${FLOW}`).click()
    await reviewer.getByTestId('side-tab-review').click()
    await reviewer.getByTestId('review-report').waitFor()
    await expect.poll(() => reviewer.getByTestId('review-report-hash').textContent()).toBe(reportHash)
    await expect(reviewer.getByTestId('review-results-own').textContent()).resolves.toContain(CASE)
    await expect(reviewer.getByTestId('review-results-own').textContent()).resolves.toContain(
      'waiting at Tell the patient the estimate',
    )
    // What changed sits beside the report: the threshold's node, against the published version.
    await expect(
      reviewer.getByTestId('review-diff').getByTestId('diff-changed-cost-check').textContent(),
    ).resolves.toMatch(/25/)
    // And the test cases that travelled with the draft: the analyst's new case, by name.
    await expect.poll(() => reviewer.getByTestId('review-suite-diff').textContent()).toContain(`Added: ${CASE}`)
    await reviewer.getByTestId('review-suite-diff').scrollIntoViewIfNeeded()
    await screenshot(reviewer, 'review-suite-diff')
    await reviewer.getByTestId('review-comment').fill('Estimates from $25: agreed with the billing office.')
    await reviewer.getByTestId('review-approve').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('approved')
    await expect(reviewer.getByTestId('publish-blockers').textContent()).resolves.toContain(CASE)
    await expect(reviewer.getByTestId('review-publish').isDisabled()).resolves.toBe(true)

    await expect(reviewer.getByTestId('review-override').isDisabled()).resolves.toBe(true)
    await reviewer
      .getByTestId('review-override-reason')
      .fill('The $40 and $50 cases predate the new estimate policy; they are updated in the next draft.')
    await reviewer.getByTestId('review-override').click()
    await expect.poll(() => reviewer.getByTestId('review-publish').isEnabled()).toBe(true)
    await expect(reviewer.getByTestId('review-override-note').textContent()).resolves.toContain('reviewer let 3')
    await screenshot(reviewer, 'review-override')
    await reviewer.getByTestId('review-publish').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('published')
    await reviewer.context().close()
  })
})
