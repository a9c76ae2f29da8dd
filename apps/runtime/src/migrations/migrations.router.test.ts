// Moving waiting runs to a new version, as an operator does it: propose (the simulator replays
// the waiting runs against the new version), a second person approves, apply; each run's log
// records the move and still replays, and the run goes on in the new version.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { resumeRun, traceOf } from '@carepath/engine'
import { migrationTestFlows } from '@carepath/engine/testing'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'

const { registry } = composeCatalog([builtinPlugin])
const { v1, v2 } = migrationTestFlows

describe('migrating waiting runs', () => {
  let t: TestRuntime
  let fromHash: string
  let runIds: string[]
  beforeEach(async () => {
    t = await createTestRuntime({ registry })
    fromHash = await publishFlow(t, v1)
    runIds = []
    for (const key of ['a', 'b']) {
      runIds.push(
        (
          await t.as.developer.runs.start({
            flowId: 'follow-up',
            input: { reason: 'discharged yesterday' },
            idempotencyKey: key,
          })
        ).id,
      )
    }
    const saved = await t.as.analyst.flows.save({ id: 'follow-up', document: v2, baseRevision: 1 })
    await t.as.analyst.review.submit({ id: 'follow-up' })
    await t.as.reviewer.review.approve({ id: 'follow-up', hash: saved.hash, comment: 'ok' })
    await t.as.reviewer.review.publish({ id: 'follow-up', hash: saved.hash })
  })
  afterEach(() => t.close())

  it('reports the runs whose step the new version lacks until they are mapped', async () => {
    const unmapped = await t.as.analyst.migrations.plan({ flowId: 'follow-up', fromHash, mapping: {} })
    expect(unmapped.report.summary).toEqual({ runs: 2, movable: 0, needsMapping: 2, changed: 2 })
    expect(unmapped.report.runs[0]).toMatchObject({ waitingAt: 'call', toNode: null })
    expect(unmapped.report.runs[0]?.note).toMatch(/no node "call": map "call"/)
    const mapped = await t.as.analyst.migrations.plan({
      flowId: 'follow-up',
      fromHash,
      mapping: { call: 'call-patient' },
    })
    expect(mapped.report.summary).toMatchObject({ runs: 2, movable: 2, needsMapping: 0 })
    expect(mapped.status).toBe('proposed')
  })

  it('needs a second person to approve, then moves every waiting run, audited per run', async () => {
    const plan = await t.as.analyst.migrations.plan({
      flowId: 'follow-up',
      fromHash,
      mapping: { call: 'call-patient' },
    })
    const early = await t.as.reviewer.migrations.migrate({ id: plan.id }).catch((e: unknown) => e)
    expect((early as TRPCError).code).toBe('CONFLICT')
    await t.as.reviewer.migrations.approve({ id: plan.id })
    const applied = await t.as.reviewer.migrations.migrate({ id: plan.id })
    expect(applied.status).toBe('applied')
    expect(applied.results).toHaveLength(2)
    expect(applied.results).toEqual(expect.arrayContaining(runIds.map((runId) => ({ runId, moved: true }))))

    const v2Hash = (await t.runtime.flowService.list())[0]!.publishedHash!
    for (const runId of runIds) {
      expect(await t.runtime.runs.store.runById(runId)).toMatchObject({ hash: v2Hash, status: 'waiting' })
      const tasks = await t.runtime.runs.store.tasksOfRun(runId)
      expect(tasks.map((task) => [task.node_id, task.status])).toEqual([
        ['call', 'cancelled'],
        ['call-patient', 'open'],
      ])
    }
    const moves = (await t.runtime.audit.list({ limit: 500 })).items
      .map((i) => i.record)
      .filter((r) => r.action === 'run.migrate')
    expect(moves.map((r) => r.entity.run).sort()).toEqual([...runIds].sort())

    // The moved run goes on in the new version: its new answer is one the old version did not have.
    const [runId] = runIds
    const task = (await t.runtime.runs.store.tasksOfRun(runId!)).find((x) => x.status === 'open')!
    const done = await t.runtime.runs.resume(
      runId!,
      { type: 'answer', taskId: task.id, answer: { value: 'wrong-number' } },
      { who: 'nurse', role: 'agent' },
    )
    expect(done).toMatchObject({ status: 'completed', outcome: 'fix-number' })
    // Its log, with both versions in it, replays to the same trace.
    const events = await t.runtime.runs.store.events(runId!)
    const replayed = await resumeRun(
      v2,
      events,
      { type: 'continue' },
      {
        registry,
        clock: { now: () => '2027-01-01T00:00:00.000Z' },
        connectors: {},
        loadFlow: async (_id, hash) => await t.runtime.runs.documentFor('follow-up', hash),
      },
    )
    expect(traceOf(replayed.events)).toBe(traceOf(events))
  })

  it('records who proposed a plan and who approved it (approving is a reviewer’s, proposing is not)', async () => {
    const plan = await t.as.developer.migrations.plan({
      flowId: 'follow-up',
      fromHash,
      mapping: { call: 'call-patient' },
    })
    expect(plan.proposedBy).toBe('developer')
    const approved = await t.as.reviewer.migrations.approve({ id: plan.id })
    expect(approved.approvedBy).toBe('reviewer')
  })
})
