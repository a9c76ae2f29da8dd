// Runs and records people can read, in Chromium against `serve --demo`: the editor's side-panel
// tabs fit a 1280 px window and move with the arrow keys; a run starts from a form read from the
// flow's facts (empty, labelled, its JSON one click away); the audit drawer says a publication's
// "why" in sentences and names the demo seed as the installation, not as a person.
import { describe, expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { e2eSession } from './harness.ts'

const session = e2eSession()
const FLOW = 'eligibility-verification'

describe('readable runs and records', () => {
  it('fits the side-panel tabs at 1280 px and moves between them with the arrow keys', async () => {
    const analyst = await session.login('analyst')
    await analyst.getByTestId(`flow-open-${FLOW}`).click()
    await analyst.getByTestId('editor').waitFor()
    const strip = analyst.getByRole('tablist', { name: 'Side panel' })
    const box = await strip.boundingBox()
    if (!box) throw new Error('the side panel has no tab strip')
    const tabs = strip.getByRole('tab')
    expect(await tabs.allTextContents()).toEqual([
      'Inspect',
      'History',
      'Simulate',
      'Review',
      'PHI map',
      'Waiting runs',
    ])
    for (const tab of await tabs.all()) {
      const own = await tab.boundingBox()
      if (!own) throw new Error('a tab is not on screen')
      // Whole, inside the strip: no tab is cut at the panel's edge.
      expect(own.x).toBeGreaterThanOrEqual(box.x)
      expect(own.x + own.width).toBeLessThanOrEqual(box.x + box.width + 0.5)
    }
    await analyst.getByTestId('side-tab-inspect').click()
    await analyst.keyboard.press('ArrowRight')
    await expect
      .poll(() => analyst.evaluate("document.activeElement?.getAttribute('data-testid')"))
      .toBe('side-tab-history')
    await expect(analyst.getByTestId('side-tab-history').getAttribute('aria-selected')).resolves.toBe('true')
    await analyst.keyboard.press('End')
    await expect(analyst.getByTestId('side-tab-runs').getAttribute('aria-selected')).resolves.toBe('true')
    await analyst.keyboard.press('ArrowRight')
    await expect(analyst.getByTestId('side-tab-inspect').getAttribute('aria-selected')).resolves.toBe('true')
    // One Tab stop for the strip: the open tab.
    await expect(strip.locator('[tabindex="0"]').count()).resolves.toBe(1)
    await analyst.context().close()
  })

  it('starts a run from a form read from the flow, with its JSON one click away', async () => {
    const agent = await session.login('agent')
    await agent.getByTestId('nav-runs').click()
    await agent.getByTestId('run-start-open').click()
    await agent.getByTestId('run-start-flow').selectOption(FLOW)
    const fact = (path: string) => agent.getByTestId(`run-start-fact-${path}`)
    await fact('patient.lastName').waitFor()
    // Labelled by the fact's name and marked required in words.
    await expect(agent.getByLabel(/patient\.lastName \(required\)|patient\.lastName.*required/).count()).resolves.toBe(
      1,
    )
    expect(await axeViolations(agent)).toEqual([])

    // Invalid JSON keeps the JSON view open and says why; valid JSON comes back to the form.
    await agent.getByTestId('run-start-view-json').click()
    await agent.getByTestId('run-start-input').fill('{"patient": ')
    await agent.getByTestId('run-start-view-form').click()
    await expect(agent.getByTestId('run-start-json-hint').textContent()).resolves.toMatch(/not valid JSON/)
    await expect(agent.getByTestId('run-start-input').getAttribute('aria-invalid')).resolves.toBe('true')
    await agent.getByTestId('run-start-input').fill('{"patient": {"lastName": "Smith", "mrn": "MRN-7"}}')
    await agent.getByTestId('run-start-view-form').click()
    await expect(fact('patient.lastName').inputValue()).resolves.toBe('Smith')
    await expect(fact('patient.mrn').inputValue()).resolves.toBe('MRN-7')

    // What is still missing where it is needed is named under its field, and the run does not start.
    await agent.getByTestId('run-start-submit').click()
    await expect(agent.getByTestId('run-start-fact-patient.birthDate-error').textContent()).resolves.toMatch(
      /Required once patient is given/,
    )
    await expect(fact('patient.birthDate').getAttribute('aria-invalid')).resolves.toBe('true')
    await expect(agent.getByTestId('run-start-fact-patient.lastName-error').count()).resolves.toBe(0)
    await expect(agent.getByTestId('run-start-fact-appointment.id-error').count()).resolves.toBe(0)
    await expect(agent.getByTestId('run-status').count()).resolves.toBe(0)
    await expect(agent.getByTestId('run-start-form').count()).resolves.toBe(1)
    expect(await axeViolations(agent)).toEqual([])
    await agent.context().close()
  })

  it('reads a publication’s why as sentences, the demo seed named as the installation', async () => {
    const auditor = await session.login('auditor')
    await auditor.getByTestId('nav-audit').click()
    await auditor.getByTestId('audit-list').waitFor()
    await auditor.getByTestId('audit-filter-flow').selectOption(FLOW)
    await auditor.getByTestId('audit-filter-action').selectOption('review.publish')
    const rows = auditor.getByTestId('audit-row')
    await expect.poll(() => rows.first().locator('td').nth(2).textContent()).toBe('Carepath demo seed')
    await rows.first().click()
    const drawer = auditor.getByTestId('audit-detail')
    await expect(drawer.textContent()).resolves.toContain('Carepath demo seed (the installation itself)')
    const sentences = await auditor.getByTestId('audit-detail-sentences').locator('li').allTextContents()
    expect(sentences).toEqual([
      expect.stringMatching(/^Version [0-9a-f]{12} was published as the flow’s first version\.$/),
      'Reason: Example flow published by the demo seed after its simulation; no person reviewed it.',
    ])
    // The stored JSON is one click away, closed.
    await expect(auditor.getByTestId('audit-detail-json').isVisible()).resolves.toBe(false)
    await auditor.getByText('The record as stored (JSON)').click()
    await expect(auditor.getByTestId('audit-detail-json').textContent()).resolves.toContain('"previous": null')
    await auditor.context().close()
  })
})
