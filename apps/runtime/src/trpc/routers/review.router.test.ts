import { afterEach, beforeEach, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { intakeFlow, intakeSuite } from '../../testing/test-registry.ts'
import { describeOnEachRuntime, type TestRuntime } from '../../testing/test-runtime.ts'

/** The intake suite with the high case expecting what a threshold of `min` gives it. */
function intakeSuiteFor(min: number) {
  const [low, high] = intakeSuite.cases
  return { ...intakeSuite, cases: [low, { ...high, expect: { outcome: 7 >= min ? 'approved' : 'fast-track' } }] }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TRPCError) return error.code
    throw error
  }
  return 'OK'
}

describeOnEachRuntime('flows, review and publishing', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await open()
  })
  afterEach(() => t.close())

  it('saves drafts with revisions and refuses a stale revision without overwriting', async () => {
    const created = await t.as.analyst.flows.create({ document: intakeFlow(), suites: [intakeSuite] })
    expect(created.revision).toBe(1)
    const saved = await t.as.analyst.flows.save({
      id: 'intake-check',
      document: intakeFlow({ min: 6 }),
      baseRevision: 1,
    })
    expect(saved.revision).toBe(2)
    expect(
      await codeOf(
        t.as.developer.flows.save({ id: 'intake-check', document: intakeFlow({ min: 9 }), baseRevision: 1 }),
      ),
    ).toBe('CONFLICT')
    const flow = await t.as.analyst.flows.get({ id: 'intake-check' })
    expect(flow.draft.revision).toBe(2)
    expect(flow.draft.hash).toBe(saved.hash)
    expect((await t.as.analyst.flows.history({ id: 'intake-check' })).map((v) => v.revision)).toEqual([2, 1])
  })

  it('refuses an invalid document with its problems and writes nothing', async () => {
    const bad = {
      ...intakeFlow(),
      nodes: { ...intakeFlow().nodes, check: { type: 'test.nope', typeVersion: 1, config: {}, next: {} } },
    }
    const error = await t.as.analyst.flows.create({ document: bad }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TRPCError)
    expect((error as TRPCError).code).toBe('BAD_REQUEST')
    expect((error as TRPCError).message).toMatch(/not valid/)
    expect(await t.as.analyst.flows.list()).toEqual([])
  })

  it('walks draft → in review → approved → published, with four eyes and the report of exactly this hash', async () => {
    const { hash } = await t.as.analyst.flows.create({ document: intakeFlow(), suites: [intakeSuite] })
    const submitted = await t.as.analyst.review.submit({ id: 'intake-check' })
    expect(submitted.status).toBe('in-review')
    const review = await t.as.reviewer.review.get({ id: 'intake-check' })
    expect(review.hash).toBe(hash)
    expect(review.report).toMatchObject({ summary: { cases: expect.any(Number) } })
    expect(review.publishBlockers.join(' ')).toMatch(/sign-off of a reviewer/)

    // The analyst (author) may not approve at all; publishing before approval is blocked.
    expect(await codeOf(t.as.analyst.review.approve({ id: 'intake-check', hash, comment: 'mine' }))).toBe('FORBIDDEN')
    expect(await codeOf(t.as.reviewer.review.publish({ id: 'intake-check', hash }))).toBe('PRECONDITION_FAILED')

    await t.as.reviewer.review.approve({ id: 'intake-check', hash, comment: 'looks right' })
    expect((await t.as.reviewer.review.get({ id: 'intake-check' })).publishBlockers).toEqual([])
    await t.as.reviewer2.review.publish({ id: 'intake-check', hash })
    const flow = await t.as.analyst.flows.get({ id: 'intake-check' })
    expect(flow.status).toBe('published')
    expect(flow.published?.hash).toBe(hash)
    const actions = (await t.runtime.audit.list({ limit: 100 })).items.map((i) => i.record.action)
    expect(actions).toEqual(
      expect.arrayContaining(['flow.create', 'review.submit', 'review.approve', 'review.publish']),
    )
  })

  it('does not let the author of a version approve it, even as a reviewer', async () => {
    // A reviewer duplicates a flow into a new one: they are its author.
    await t.as.analyst.flows.create({ document: intakeFlow(), suites: [intakeSuite] })
    await t.runtime.auth.setFlowRoles('developer', [], { who: 'test', role: 'system' })
    const copy = await t.as.developer.flows.duplicate({ id: 'intake-check', newId: 'intake-copy' })
    await t.as.developer.review.submit({ id: 'intake-copy' })
    // The developer cannot approve (role); reviewers who did not write it can.
    expect(await codeOf(t.as.developer.review.approve({ id: 'intake-copy', hash: copy.hash, comment: '' }))).toBe(
      'FORBIDDEN',
    )
    await t.as.reviewer.review.approve({ id: 'intake-copy', hash: copy.hash, comment: 'ok' })
  })

  it('voids an approval when the draft changes after it, and rolls back through the same gate', async () => {
    const v1 = await t.as.analyst.flows.create({ document: intakeFlow(), suites: [intakeSuite] })
    await t.as.analyst.review.submit({ id: 'intake-check' })
    await t.as.reviewer.review.approve({ id: 'intake-check', hash: v1.hash, comment: '' })
    await t.as.reviewer.review.publish({ id: 'intake-check', hash: v1.hash })

    // Raising the threshold above the high case's score: its expectation changes with the draft.
    const v2 = await t.as.analyst.flows.save({
      id: 'intake-check',
      document: intakeFlow({ min: 8 }),
      baseRevision: 1,
      suite: intakeSuiteFor(8),
    })
    await t.as.analyst.review.submit({ id: 'intake-check' })
    await t.as.reviewer.review.approve({ id: 'intake-check', hash: v2.hash, comment: '' })
    // An edit after approval: the approval is void and publishing the new hash is blocked.
    const v3 = await t.as.analyst.flows.save({ id: 'intake-check', document: intakeFlow({ min: 9 }), baseRevision: 2 })
    expect(await codeOf(t.as.reviewer.review.publish({ id: 'intake-check', hash: v3.hash }))).toBe(
      'PRECONDITION_FAILED',
    )
    expect(await codeOf(t.as.reviewer.review.publish({ id: 'intake-check', hash: v2.hash }))).toBe('CONFLICT')
    expect((await t.as.analyst.flows.get({ id: 'intake-check' })).published?.hash).toBe(v1.hash)

    // The simulation report compares the draft with what is published.
    await t.as.analyst.review.submit({ id: 'intake-check' })
    const report = (await t.as.reviewer.review.get({ id: 'intake-check' })).report as { base: { hash: string } | null }
    expect(report.base?.hash).toBe(v1.hash)
    await t.as.reviewer.review.approve({ id: 'intake-check', hash: v3.hash, comment: '' })
    await t.as.reviewer.review.publish({ id: 'intake-check', hash: v3.hash })
    await t.as.reviewer2.review.rollback({ id: 'intake-check', hash: v1.hash })
    expect((await t.as.analyst.flows.get({ id: 'intake-check' })).published?.hash).toBe(v1.hash)
    // A version that was never published cannot be rolled back to.
    expect(await codeOf(t.as.reviewer.review.rollback({ id: 'intake-check', hash: v2.hash }))).toBe('CONFLICT')
  })

  it('takes a rejected version back to draft, and a resubmission of the same hash is reviewed afresh', async () => {
    const { hash } = await t.as.analyst.flows.create({ document: intakeFlow(), suites: [intakeSuite] })
    await t.as.analyst.review.submit({ id: 'intake-check' })
    await t.as.reviewer.review.reject({ id: 'intake-check', hash, comment: 'explain the threshold first' })
    expect((await t.as.analyst.flows.get({ id: 'intake-check' })).status).toBe('draft')
    expect(await codeOf(t.as.reviewer.review.publish({ id: 'intake-check', hash }))).toBe('PRECONDITION_FAILED')
    await t.as.analyst.review.submit({ id: 'intake-check' })
    const again = await t.as.reviewer.review.get({ id: 'intake-check' })
    expect(again).toMatchObject({ status: 'in-review', reviewStatus: 'open', comments: [] })
    await t.as.reviewer2.review.approve({ id: 'intake-check', hash, comment: 'ok now' })
    await t.as.reviewer.review.publish({ id: 'intake-check', hash })
    expect((await t.as.analyst.flows.get({ id: 'intake-check' })).status).toBe('published')
  })
})
