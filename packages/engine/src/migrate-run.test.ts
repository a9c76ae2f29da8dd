// Moving a waiting run to a new version: the log before the move replays against the old version,
// the run.migrated event names both hashes and nodes, and the run goes on in the new version.
import { describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import { flowHashOf, foldEvents, migrateRun, resumeRun, startRun, traceOf, type EngineDeps } from './index.ts'
import { migrationTestFlows } from './testing/test-flows.ts'

const { v1, v2 } = migrationTestFlows
const deps = (): EngineDeps => ({
  registry,
  clock: { now: () => '2026-03-02T10:00:00.000Z' },
  connectors: {},
  loadFlow: async (_id, hash) => (hash === flowHashOf(v1) ? v1 : v2),
})

describe('migrateRun', () => {
  it('moves a run waiting at a task to the mapped node of the new version, and it goes on there', async () => {
    const waiting = await startRun(v1, {}, deps(), { runId: 'r-1' })
    expect(waiting.openTask?.nodeId).toBe('call')
    const moved = await migrateRun(v2, waiting.events, { migration: 'm-1', toNode: 'call-patient' }, deps())
    expect(moved).toMatchObject({ status: 'waiting', flowHash: flowHashOf(v2), openTask: { nodeId: 'call-patient' } })
    const migrated = moved.events.find((e) => e.type === 'run.migrated')
    expect(migrated?.data).toEqual({
      migration: 'm-1',
      fromHash: flowHashOf(v1),
      toHash: flowHashOf(v2),
      fromNode: 'call',
      toNode: 'call-patient',
    })
    // The new version's answer is taken; the old task id is gone.
    const done = await resumeRun(
      v2,
      moved.events,
      { type: 'answer', taskId: moved.openTask!.taskId, answer: { value: 'wrong-number' } },
      deps(),
    )
    expect(done).toMatchObject({ status: 'completed', outcome: 'fix-number' })
    // The whole log replays: each stretch against its own version, to the same trace.
    const replayed = await resumeRun(v2, done.events, { type: 'continue' }, deps())
    expect(traceOf(replayed.events)).toBe(traceOf(done.events))
  })

  it('refuses a run that is not waiting, a node the new version lacks, and a run already on the version', async () => {
    const waiting = await startRun(v1, {}, deps(), { runId: 'r-1' })
    await expect(migrateRun(v2, waiting.events, { migration: 'm', toNode: 'call' }, deps())).rejects.toThrow(
      /no node "call"/,
    )
    const done = await resumeRun(
      v1,
      waiting.events,
      { type: 'answer', taskId: waiting.openTask!.taskId, answer: { value: 'yes' } },
      deps(),
    )
    await expect(migrateRun(v2, done.events, { migration: 'm', toNode: 'call-patient' }, deps())).rejects.toThrow(
      /Only a run waiting/,
    )
    const moved = await migrateRun(v2, waiting.events, { migration: 'm', toNode: 'call-patient' }, deps())
    await expect(migrateRun(v2, moved.events, { migration: 'm', toNode: 'call-patient' }, deps())).rejects.toThrow(
      /already on this version/,
    )
    expect(foldEvents(waiting.events).flowHash).toBe(flowHashOf(v1))
  })
})
