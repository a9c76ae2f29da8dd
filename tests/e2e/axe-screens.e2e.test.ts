// axe-core (WCAG 2.1 A and AA) on every screen of the designer, in real Chromium against
// `serve --demo`, each seen by the role that uses it: the flow list, the editor with each side
// tab (and a decision's forms), the reviewer's editor, runs and the run viewer, the inbox and a
// task, the audit trail with a record open, the access and break-glass reports, users and
// queues with the security and settings panels, and every operations tab. The test visits all of
// them and then fails once, listing each screen's violations, so one run says everything to fix;
// it also fails when a screen showed an error state instead of what it loads.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { axeViolations } from './axe.ts'
import { apiToken, e2eSession, trpcPost } from './harness.ts'
import { selectNode } from './canvas-actions.ts'

const session = e2eSession()
const FLOW = 'eligibility-verification'
const INPUT = {
  appointment: { id: 'SCH-777', date: '2026-12-01' },
  patient: { firstName: 'Synthetic', lastName: 'Seven', birthDate: '1970-07-07', mrn: 'MRN-777' },
}

/** What axe found, by screen; a screen with nothing found is listed with an empty list. */
const found = new Map<string, string[]>()
/** Screens that showed an error state (a call that failed) where they should have shown their content. */
const failedCalls = new Map<string, string[]>()

/** The screen has rendered what it loads: its marker is there and no "Loading…" is left in the main region. */
async function settled(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).first().waitFor()
  await expect.poll(() => page.locator('main [data-testid="loading"]').count()).toBe(0)
}

async function check(page: Page, screen: string): Promise<void> {
  found.set(screen, await axeViolations(page))
  const errors = await page.getByTestId('error').allTextContents()
  if (errors.length > 0) failedCalls.set(screen, errors)
}

/** Go to a hash route and check the screen once `testId` is shown. */
async function visit(page: Page, screen: string, path: string, testId: string): Promise<void> {
  await page.goto(`${session.runtime.url}/#${path}`)
  await settled(page, testId)
  await check(page, screen)
}

async function sideTab(page: Page, tab: string, testId: string): Promise<void> {
  await page.getByTestId(`side-tab-${tab}`).click()
  await settled(page, testId)
  await check(page, `editor, ${tab} tab`)
}

describe('axe-core on every screen', () => {
  it('finds no WCAG 2.1 AA violation on any screen, for the role that uses it', async () => {
    // A run waiting at the front desk's step: the agent's task and the run viewer have something to show.
    const started = (await trpcPost(
      session.runtime.url,
      'runs.start',
      { flowId: FLOW, input: INPUT, idempotencyKey: 'axe-screens-1' },
      await apiToken(session.runtime, 'agent'),
    )) as { id: string }

    const analyst = await session.login('analyst')
    await settled(analyst, 'flow-list')
    await check(analyst, 'flow list')
    await analyst.getByTestId('flow-new').click()
    await check(analyst, 'flow list, new flow form')
    await visit(analyst, 'editor', `/flows/${FLOW}`, 'editor')
    await analyst.locator('.react-flow__node').first().waitFor()
    await selectNode(analyst, 'cost-check')
    await check(analyst, 'editor, a rules decision in the inspector')
    await analyst.getByTestId('open-wide-editor').click()
    await settled(analyst, 'wide-editor')
    await check(analyst, 'editor, rules full width')
    await analyst.keyboard.press('Escape')
    await selectNode(analyst, 'tell-estimate')
    await check(analyst, 'editor, a human step in the inspector')
    await selectNode(analyst, 'ask-payer')
    await check(analyst, 'editor, a connector in the inspector')
    await sideTab(analyst, 'history', 'history-panel')
    await sideTab(analyst, 'simulate', 'simulator-panel')
    await analyst.getByTestId('sim-add-case').click()
    await settled(analyst, 'case-form')
    await check(analyst, 'editor, simulate tab, case form')
    await analyst.getByTestId('sim-run').click()
    await settled(analyst, 'sim-results')
    await check(analyst, 'editor, simulate tab, results')
    await sideTab(analyst, 'review', 'review-panel')
    await sideTab(analyst, 'phi-map', 'phi-map-panel')
    // The runtime maps the flow under the installation's queue clearances, and the panel says so.
    const clearances = analyst.getByTestId('phi-map-clearances')
    await clearances.waitFor()
    expect(await clearances.textContent()).toMatch(/^Queue clearances: the installation's/)
    await analyst.getByTestId('side-tab-runs').click()
    await check(analyst, 'editor, waiting runs tab')
    // The case added above is not saved: leaving the editor asks first, naming the test cases.
    const asked = new Promise<string>((resolve) =>
      analyst.once('dialog', (dialog) => {
        resolve(dialog.message())
        void dialog.accept()
      }),
    )
    await visit(analyst, 'runs', '/runs', 'run-list')
    await expect(asked).resolves.toMatch(/test cases/)
    await visit(analyst, 'run viewer', `/runs/${started.id}`, 'run-viewer')
    await visit(analyst, 'my alerts', '/my-alerts', 'nav-my-alerts')
    await analyst.context().close()

    // The reviewer's editor: read-only, its palette greyed out but readable.
    const reviewer = await session.login('reviewer')
    await visit(reviewer, 'editor as reviewer', `/flows/${FLOW}`, 'editor')
    await reviewer.locator('.react-flow__node').first().waitFor()
    await reviewer.getByTestId('side-tab-review').click()
    await settled(reviewer, 'review-panel')
    await check(reviewer, 'editor as reviewer, review tab')
    await reviewer.context().close()

    const agent = await session.login('agent')
    await visit(agent, 'inbox', '/inbox', 'inbox')
    await agent.getByTestId('inbox-task').first().locator('a').click()
    await settled(agent, 'task-screen')
    await check(agent, 'task')
    await agent.context().close()

    const auditor = await session.login('auditor')
    await visit(auditor, 'audit trail', '/audit', 'audit-list')
    await auditor.getByTestId('audit-row').first().getByRole('button').click()
    await settled(auditor, 'audit-detail')
    await check(auditor, 'audit trail, record drawer')
    await visit(auditor, 'accounting of access', '/audit/access', 'nav-access')
    await visit(auditor, 'break-glass reviews', '/audit/reveals', 'nav-reveals')
    await auditor.context().close()

    const admin = await session.login('admin')
    await visit(admin, 'users and queues, security, settings', '/admin', 'admin-screen')
    await settled(admin, 'security-panel')
    await check(admin, 'users and queues, security, settings')
    await admin.context().close()

    const operator = await session.login('operator')
    for (const tab of ['incidents', 'alerts', 'dead-letters', 'metrics', 'owners']) {
      await visit(operator, `operations, ${tab}`, `/operations/${tab}`, `ops-tab-${tab}`)
    }
    await operator.context().close()

    const failing = [...found].filter(([, violations]) => violations.length > 0)
    expect(Object.fromEntries(failing)).toEqual({})
    expect(found.size).toBeGreaterThanOrEqual(25)
    // Every screen showed what it loads: none of its calls failed (a PHI map tab that could not be
    // read once passed every axe check while showing only its error).
    expect(Object.fromEntries(failedCalls)).toEqual({})
  })
})
