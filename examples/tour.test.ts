// The README tour, walked through the runtime's API with the roles the tour
// names: the analyst changes the eligibility copay threshold and simulates, the reviewer
// approves and publishes, the agent starts a run and works its task seeing only what the
// front-desk role may see, and the auditor verifies the audit chain. The designer's screens
// call these same procedures; its browser tests cover the clicks.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { createTestRuntime, type TestRuntime } from '@carepath/runtime/testing'

const flow = JSON.parse(
  readFileSync(new URL('./eligibility-verification.flow.json', import.meta.url), 'utf8'),
) as FlowDocument
const suite = JSON.parse(
  readFileSync(new URL('./eligibility-verification.suite.json', import.meta.url), 'utf8'),
) as Record<string, unknown>
const tourInput = {
  appointment: { id: 'SCH-12345', date: '2026-12-01' },
  patient: { mrn: 'MRN-100234', firstName: 'John', lastName: 'Smith', birthDate: '1963-05-19', phone: '555-0100' },
}

/** The tour's simulation figures, as the README states them (step 5). */
const TOUR_CASES = 69
const TOUR_CHANGED = 5

let t: TestRuntime

beforeAll(async () => {
  t = await createTestRuntime({ registry })
  // What `npm start` does for every example: created, simulated, approved by someone else, published.
  const created = await t.as.analyst.flows.create({ document: flow, suites: [suite] })
  await t.as.analyst.review.submit({ id: flow.id })
  await t.as.reviewer.review.approve({ id: flow.id, hash: created.hash, comment: 'example flow' })
  await t.as.reviewer.review.publish({ id: flow.id, hash: created.hash })
})
afterAll(() => t?.close())

describe('the README tour', () => {
  it('walks from a threshold change to an audited run', async () => {
    // Steps 2-3: the analyst opens the flow and lowers the copay threshold to $25.
    const opened = await t.as.analyst.flows.get({ id: flow.id })
    const draft = structuredClone(opened.draft?.document ?? opened.published?.document) as unknown as FlowDocument
    const rules = draft.nodes['cost-check']!.config['rules'] as {
      id: string
      name: string
      conditions: { all: { value: unknown }[] }
    }[]
    const copay = rules.find((r) => r.id === 'high-copay')!
    copay.conditions.all[0]!.value = 25
    copay.name = 'Copay above $25'
    const saved = await t.as.analyst.flows.save({ id: flow.id, document: draft, baseRevision: opened.draft!.revision })

    // Steps 4-5: the simulation flags the two suite cases written for the $50 boundary; they
    // fail their expectation (no estimate), which is what the threshold change is meant to do.
    const simulated = await t.as.analyst.simulate.run({ flowId: flow.id, generate: true })
    const report = simulated.report
    const flagged = report.cases.filter((c) => c.source === 'suite' && c.status !== 'unchanged').map((c) => c.id)
    expect(flagged.sort()).toEqual(['copay-30-no-estimate', 'copay-exactly-at-the-50-threshold-no-estimate'])
    expect(report.cases.find((c) => c.id === 'copay-30-no-estimate')?.candidate?.waitingAt).toBe('tell-estimate')
    // The README's figures: this many cases, this many changed (the generated ones ran too).
    const changed = report.cases.filter((c) => c.status !== 'unchanged').length
    expect([report.cases.length, changed]).toEqual([TOUR_CASES, TOUR_CHANGED])

    // Steps 6-7: submit; the reviewer sees the same simulation (same hash); the author may not
    // approve; publishing waits for the reviewer's reason to let the two failing cases through.
    await t.as.analyst.review.submit({ id: flow.id })
    const review = await t.as.reviewer.review.get({ id: flow.id })
    expect(review.reportHash).toBe(simulated.hash)
    await expect(t.as.analyst.review.approve({ id: flow.id, hash: saved.hash, comment: 'mine' })).rejects.toThrow()
    await t.as.reviewer.review.approve({ id: flow.id, hash: saved.hash, comment: 'threshold change as requested' })
    expect((await t.as.reviewer.review.get({ id: flow.id })).publishBlockers).toEqual([
      expect.stringMatching(/^2 test cases fail/),
    ])
    await t.as.reviewer.review.override({
      id: flow.id,
      hash: saved.hash,
      reason: 'Estimates from a $25 copay are the new policy; both $50-boundary cases are out of date.',
    })
    expect((await t.as.reviewer.review.get({ id: flow.id })).publishBlockers).toEqual([])
    await t.as.reviewer.review.publish({ id: flow.id, hash: saved.hash })

    // Step 8: the agent starts a run; no insurance on file, so it waits for the front desk.
    const run = await t.as.agent.runs.start({ flowId: flow.id, input: tourInput, idempotencyKey: 'tour-1' })
    expect(run.status).toBe('waiting')

    // Step 9: the task shows only the front-desk fields; the agent answers self-pay.
    const inbox = (await t.as.agent.tasks.inbox()) as unknown as { id: string; nodeId: string; shows: unknown }[]
    const task = inbox.find((item) => item.nodeId === 'collect-insurance')!
    expect(JSON.stringify(task)).toContain('555-0100')
    expect(JSON.stringify(task)).not.toContain('MRN-100234')
    expect(JSON.stringify(task)).not.toContain('1963-05-19')
    await t.as.agent.tasks.claim({ id: task.id })
    await t.as.agent.tasks.answer({ id: task.id, answer: { selfPay: true } })

    // Step 10: the run ends self-pay along the path the viewer highlights, on the new version. The
    // tour's runtime has no CRM or EHR configured, so the two write-back steps fail (their failure
    // is in the run's log) and the call still ends; tests/e2e/embed writes back to real ones.
    const done = await t.as.agent.runs.get({ id: run.id })
    expect(done).toMatchObject({ status: 'completed', outcome: 'self-pay', hash: saved.hash })
    expect(done.path).toEqual([
      'appointment-booked',
      'has-insurance',
      'collect-insurance',
      'insurance-collected',
      'outcome-self-pay',
      'write-back-crm',
      'write-back-fhir',
      'outcome-route',
      'self-pay',
    ])

    // Step 11: the auditor's chain check passes over everything above.
    const verified = await t.as.auditor.audit.verify()
    expect(verified.ok).toBe(true)
    expect(verified.checked).toBeGreaterThan(5)
  })
})
