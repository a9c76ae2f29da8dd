// Test cases travel with the draft: saved and versioned with it, run on submission exactly as the
// designer runs them (same report, same hash), and a failing case blocks publishing until a
// reviewer who is not the author writes why it may go out anyway.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { intakeFlow, intakeSuite } from '../../testing/test-registry.ts'
import { describeOnEachRuntime, type TestRuntime } from '../../testing/test-runtime.ts'

const id = 'intake-check'

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TRPCError) return error.code
    throw error
  }
  return 'OK'
}

/** The intake suite plus a case the analyst wrote: a score of 6 is approved after a yes. */
const withSixCase = {
  ...intakeSuite,
  cases: [
    ...intakeSuite.cases,
    {
      id: 'six-yes',
      name: 'score 6, approved',
      input: { score: 6, patient: { name: 'Synthetic Six' } },
      answers: { ask: { approved: true } },
      expect: { outcome: 'approved' },
    },
  ],
}

describeOnEachRuntime('test cases saved with the draft', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await open()
  })
  afterEach(() => t.close())

  it('keeps each revision’s cases, in the suite file format, and refuses a bad suite without writing', async () => {
    await t.as.analyst.flows.create({ document: intakeFlow(), suites: [intakeSuite] })
    const saved = await t.as.analyst.flows.save({ id, document: intakeFlow(), baseRevision: 1, suite: withSixCase })
    expect(saved).toMatchObject({ revision: 2, suiteChanged: true })
    expect(await t.as.reviewer.flows.suite({ id })).toEqual(withSixCase)
    expect(await t.as.analyst.flows.suite({ id, revision: 1 })).toMatchObject({ flow: id, cases: intakeSuite.cases })
    // A document-only save keeps the cases of the revision before.
    await t.as.analyst.flows.save({ id, document: intakeFlow({ min: 4 }), baseRevision: 2 })
    expect(await t.as.analyst.flows.suite({ id })).toEqual(withSixCase)

    const broken = { flow: id, cases: [{ id: 'no input' }] }
    const error = await t.as.analyst.flows
      .save({ id, document: intakeFlow(), baseRevision: 3, suite: broken })
      .catch((e: unknown) => e)
    expect((error as TRPCError).code).toBe('BAD_REQUEST')
    expect((error as TRPCError).message).toMatch(/test cases are not valid/)
    const other = { ...withSixCase, flow: 'another-flow' }
    expect(await codeOf(t.as.analyst.flows.save({ id, document: intakeFlow(), baseRevision: 3, suite: other }))).toBe(
      'BAD_REQUEST',
    )
    expect((await t.as.analyst.flows.get({ id })).draft.revision).toBe(3)
    // Agents and auditors do not read test cases, neither alone nor with the flow.
    expect(await codeOf(t.as.agent.flows.suite({ id }))).toBe('FORBIDDEN')
    expect((await t.as.agent.flows.get({ id })).suites).toEqual([])
    expect((await t.as.auditor.flows.get({ id })).suites).toEqual([])
    expect((await t.as.analyst.flows.get({ id })).suites).toEqual([withSixCase])
  })

  it('runs the designer’s simulation on submission: the same counts and the same report hash', async () => {
    await t.as.analyst.flows.create({ document: intakeFlow(), suites: [withSixCase] })
    const designer = await t.as.analyst.simulate.run({ flowId: id })
    await t.as.analyst.review.submit({ id })
    const review = await t.as.reviewer.review.get({ id })
    expect(review.reportHash).toBe(designer.hash)
    expect(review.report?.summary).toEqual(designer.report.summary)
    expect(review.report?.cases.map((c) => [c.id, c.status])).toEqual(
      designer.report.cases.map((c) => [c.id, c.status]),
    )
    // The saved cases come first, each one run.
    expect(designer.report.cases.slice(0, 3).map((c) => [c.id, c.source, c.status])).toEqual([
      ['low', 'suite', 'unchanged'],
      ['high-yes', 'suite', 'unchanged'],
      ['six-yes', 'suite', 'unchanged'],
    ])
  })

  it('blocks publishing a failing case until a reviewer writes why, and audits the override', async () => {
    const { hash: v1 } = await t.as.analyst.flows.create({ document: intakeFlow(), suites: [withSixCase] })
    await t.as.analyst.review.submit({ id })
    await t.as.reviewer.review.approve({ id, hash: v1, comment: '' })
    await t.as.reviewer.review.publish({ id, hash: v1 })

    // A threshold change: score 6 is now a fast track, and the analyst's case still expects approval.
    const { hash } = await t.as.analyst.flows.save({ id, document: intakeFlow({ min: 7 }), baseRevision: 1 })
    await t.as.analyst.review.submit({ id })
    await t.as.reviewer.review.approve({ id, hash, comment: 'threshold per policy 12' })
    const review = await t.as.reviewer.review.get({ id })
    expect(review.publishBlockers).toEqual([expect.stringMatching(/A test case fails.*“score 6, approved”/)])
    expect(await codeOf(t.as.reviewer.review.publish({ id, hash }))).toBe('PRECONDITION_FAILED')

    // No reason, the author, or a case that does not fail: refused, nothing recorded.
    expect(await codeOf(t.as.reviewer.review.override({ id, hash, reason: 'ok' }))).toBe('BAD_REQUEST')
    expect(await codeOf(t.as.analyst.review.override({ id, hash, reason: 'I am sure it is right.' }))).toBe('FORBIDDEN')
    expect((await t.as.reviewer.review.get({ id })).override).toBeNull()

    const reason = 'Policy 12 moves score 6 to the fast track; the case is out of date.'
    await t.as.reviewer2.review.override({ id, hash, reason })
    const after = await t.as.reviewer.review.get({ id })
    expect(after.override).toMatchObject({ by: 'reviewer2', reason, cases: ['six-yes'] })
    expect(after.publishBlockers).toEqual([])
    await t.as.reviewer.review.publish({ id, hash })
    const records = (await t.runtime.audit.list({ limit: 100 })).items.map((i) => i.record)
    expect(records.find((r) => r.action === 'review.override')).toMatchObject({
      agent: { who: 'reviewer2', role: 'reviewer' },
      entity: { flow: id, hash },
      why: { reason, cases: ['six-yes'] },
    })
  })

  it('voids an open review when the cases change, so the report always shows the cases saved', async () => {
    const { hash } = await t.as.analyst.flows.create({ document: intakeFlow(), suites: [intakeSuite] })
    await t.as.analyst.review.submit({ id })
    await t.as.analyst.flows.save({ id, document: intakeFlow(), baseRevision: 1, suite: withSixCase })
    expect((await t.as.analyst.flows.get({ id })).status).toBe('draft')
    expect(await codeOf(t.as.reviewer.review.approve({ id, hash, comment: '' }))).toBe('CONFLICT')
  })
})
