import { afterEach, beforeEach, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { intakeFlow, intakeSuite, waitFlow } from '../../testing/test-registry.ts'
import { describeOnEachRuntime, publishFlow, type TestRuntime } from '../../testing/test-runtime.ts'

const input = { score: 7, patient: { name: 'Test Patient', ssn: '000-11-2222' } }

describeOnEachRuntime('runs and tasks', (open) => {
  let t: TestRuntime
  let hash: string
  beforeEach(async () => {
    t = await open()
    hash = await publishFlow(t, intakeFlow(), [intakeSuite])
  })
  afterEach(() => t.close())

  it('starts a run pinned to the published hash; the same idempotency key returns the same run', async () => {
    const first = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'k-1' })
    const again = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'k-1' })
    expect(again.id).toBe(first.id)
    expect(first.hash).toBe(hash)
    expect(first.status).toBe('waiting')
    expect((await t.as.agent.runs.list({ flowId: 'intake-check' })).length).toBe(1)
    // Concurrent starts with one key make one run.
    const both = await Promise.all(
      [1, 2].map(() => t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'k-2' })),
    )
    expect(both[0]?.id).toBe(both[1]?.id)
  })

  it('pauses at a task, shows only its declared fields, refuses a bad answer, and resumes on a good one', async () => {
    const run = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'k-1' })
    const [task] = await t.as.agent.tasks.inbox()
    expect(task?.runId).toBe(run.id)
    // The step shows patient.name only; the SSN is neither declared nor visible to the front desk.
    expect(task?.view).toEqual({ patient: { name: 'Test Patient' } })
    expect(JSON.stringify(task)).not.toContain('000-11-2222')

    const before = (await t.runtime.runs.store.events(run.id)).length
    const bad = await t.as.agent.tasks.answer({ id: task!.id, answer: { approved: 'maybe' } }).catch((e: unknown) => e)
    expect((bad as TRPCError).code).toBe('BAD_REQUEST')
    expect((bad as TRPCError).message).toMatch(/yes or no/)
    expect((await t.runtime.runs.store.events(run.id)).length).toBe(before)
    expect((await t.as.agent.tasks.inbox()).length).toBe(1)

    await t.as.agent.tasks.claim({ id: task!.id })
    const done = await t.as.agent.tasks.answer({ id: task!.id, answer: { approved: true } })
    expect(done).toMatchObject({ status: 'completed', outcome: 'approved' })
    expect(await t.as.agent.tasks.inbox()).toEqual([])
    const view = await t.as.agent.runs.get({ id: run.id })
    expect(view.path).toEqual(['start', 'check', 'ask', 'approved'])
    expect(view.decisions[0]).toMatchObject({ nodeId: 'check', port: 'high' })
    expect(view.tasks).toEqual([
      expect.objectContaining({ nodeId: 'ask', role: 'front-desk', status: 'answered', answeredBy: 'agent' }),
    ])
  })

  it('keeps a run on the version it started with after a new version is published', async () => {
    const run = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'k-1' })
    const v2 = await t.as.analyst.flows.save({ id: 'intake-check', document: intakeFlow({ min: 9 }), baseRevision: 1 })
    await t.as.analyst.review.submit({ id: 'intake-check' })
    await t.as.reviewer.review.approve({ id: 'intake-check', hash: v2.hash, comment: '' })
    // The suite's high case still expects approval, which a threshold of 9 no longer gives.
    await t.as.reviewer.review.override({
      id: 'intake-check',
      hash: v2.hash,
      reason: 'The high case is meant to change.',
    })
    await t.as.reviewer.review.publish({ id: 'intake-check', hash: v2.hash })
    const [task] = await t.as.agent.tasks.inbox()
    await t.as.agent.tasks.answer({ id: task!.id, answer: { approved: false } })
    const old = await t.as.agent.runs.get({ id: run.id })
    expect(old).toMatchObject({ hash, status: 'completed', outcome: 'declined' })
    const fresh = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'k-2' })
    expect(fresh).toMatchObject({ hash: v2.hash, status: 'completed', outcome: 'fast-track' })
  })

  it('redacts run data by role: the reviewer sees the path and no patient values', async () => {
    const run = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'k-1' })
    const asReviewer = JSON.stringify(await t.as.reviewer.runs.get({ id: run.id }))
    expect(asReviewer).not.toContain('Test Patient')
    expect(asReviewer).not.toContain('000-11-2222')
    expect(asReviewer).toContain('"check"')
    const asAgent = JSON.stringify(await t.as.agent.runs.get({ id: run.id }))
    expect(asAgent).toContain('Test Patient')
    expect(asAgent).not.toContain('000-11-2222')
    expect(
      (await t.runtime.audit.list({ limit: 200 })).items.some(
        (i) => i.record.action === 'run.read' && i.record.agent.who === 'agent',
      ),
    ).toBe(true)
  })

  it('refuses runs of flows with nothing published, and input that is not an object', async () => {
    await t.as.analyst.flows.create({ document: { ...intakeFlow(), id: 'unpublished' } })
    const error = await t.as.agent.runs
      .start({ flowId: 'unpublished', input, idempotencyKey: 'x' })
      .catch((e: unknown) => e)
    expect((error as TRPCError).code).toBe('CONFLICT')
    const bad = await t.as.agent.runs
      .start({ flowId: 'intake-check', input: [] as never, idempotencyKey: 'y' })
      .catch((e: unknown) => e)
    expect((bad as TRPCError).code).toBe('BAD_REQUEST')
    expect(await t.as.agent.runs.list()).toEqual([])
    // A retired flow starts nothing new.
    await t.as.reviewer.flows.retire({ id: 'intake-check' })
    const retired = await t.as.agent.runs
      .start({ flowId: 'intake-check', input, idempotencyKey: 'z' })
      .catch((e: unknown) => e)
    expect((retired as TRPCError).code).toBe('CONFLICT')
    expect((retired as TRPCError).message).toMatch(/retired/)
  })

  it('waits on a timer and goes on when it is due, from the log', async () => {
    await publishFlow(t, waitFlow())
    const run = await t.as.agent.runs.start({ flowId: 'reminder', input: {}, idempotencyKey: 'r-1' })
    expect(run.status).toBe('waiting')
    t.advance(9 * 60_000)
    expect(await t.runtime.runs.fireDueTimers()).toBe(0)
    t.advance(60_000)
    expect(await t.runtime.runs.fireDueTimers()).toBe(1)
    expect(await t.as.agent.runs.get({ id: run.id })).toMatchObject({
      status: 'completed',
      outcome: 'sent',
      path: ['start', 'hour', 'sent'],
    })
  })
})
