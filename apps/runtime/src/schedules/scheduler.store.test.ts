// The scheduler on the store, on SQLite and PostgreSQL from one suite: two schedulers on two stores
// of one database are two runtime processes sweeping at once. The flows and runs are stand-ins (a
// published schedule, a run row per idempotency key); the claims and the audit trail are real.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createScheduleStore } from './schedule-store.ts'
import { createScheduler, type ScheduleRuns, type ScheduledFlowReads } from './scheduler.ts'

const { registry } = composeCatalog([builtinPlugin])
const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const HOUR = 3_600_000
const PUBLISHED_AT = '2026-03-01T09:00:00.000Z'

function scheduledFlow(trigger: Record<string, unknown>): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id: 'nightly',
    version: 1,
    title: 'Nightly batch',
    facts: { type: 'object', properties: {} },
    roles: {},
    start: 'tick',
    nodes: {
      tick: { type: 'trigger.schedule', typeVersion: 1, config: trigger, next: { next: 'done' } },
      done: { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
    },
  }
}

const cron = (expression: string, extra: Record<string, unknown> = {}) => ({
  schedule: { kind: 'cron', cron: expression },
  timezone: 'UTC',
  ...extra,
})

/** The one published flow, as the flows service on the store reads it. */
const flowsOf = (): ScheduledFlowReads => ({
  list: async () => [{ id: 'nightly', status: 'published', publishedHash: 'h1' }],
  versionByHash: async () => ({ publishedAt: PUBLISHED_AT }),
})

/** Runs as the runs service keeps them: one row per idempotency key, whichever process asks. */
function runsOn(store: Store, document: FlowDocument, name: string): ScheduleRuns & { started: number } {
  let n = 0
  const runs = {
    started: 0,
    documentFor: async () => document,
    async start(input: { flowId: string; idempotencyKey: string }) {
      runs.started++
      await store.sql.run(
        "INSERT INTO runs (id, flow_id, hash, status, idempotency_key, started_by, created_at, updated_at) VALUES (?, ?, 'h1', 'completed', ?, 'scheduler', ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
        [`${name}-${++n}`, input.flowId, input.idempotencyKey, PUBLISHED_AT, PUBLISHED_AT],
      )
      const row = await store.sql.get<{ id: string }>('SELECT id FROM runs WHERE idempotency_key = ?', [
        input.idempotencyKey,
      ])
      return { id: row!.id }
    },
  }
  return runs
}

describeOnEachStore('the scheduler on the store', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  beforeEach(async () => {
    opened = await backend.open('scheduler')
    clock = Date.parse(PUBLISHED_AT)
  })
  afterEach(() => opened.dispose())

  const processOn = (store: Store, document: FlowDocument, name: string) => {
    const runs = runsOn(store, document, name)
    const audit = createStoreAuditRecorder(store, keys, now)
    return { runs, scheduler: createScheduler({ store, audit, now, registry, flows: flowsOf(), runs, owner: name }) }
  }

  const runCount = async () =>
    Number((await opened.store.sql.get<{ n: number }>('SELECT count(*) AS n FROM runs'))?.n ?? 0)

  it('fires each time once when two processes sweep at once, and records the missed ones once', async () => {
    const document = scheduledFlow(cron('*/15 * * * *', { catchUpLimit: 8 }))
    const a = processOn(opened.store, document, 'a')
    const b = processOn(await opened.another(), document, 'b')
    clock += 3 * HOUR // 12:00 on time; of the eleven missed (09:15 … 11:45) the latest eight caught up, three skipped
    const results = await Promise.all([a.scheduler.sweep(), b.scheduler.sweep()])
    const fired = results.flatMap((r) => r.fired.map((f) => f.at)).sort()
    expect(fired).toHaveLength(9)
    expect(new Set(fired).size).toBe(9)
    expect([fired[0], fired[8]]).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-01T12:00:00.000Z'])
    expect(results.flatMap((r) => r.skipped.map((s) => s.at)).sort()).toEqual([
      '2026-03-01T09:15:00.000Z',
      '2026-03-01T09:30:00.000Z',
      '2026-03-01T09:45:00.000Z',
    ])
    expect(await runCount()).toBe(9)
    // Each time's run started once: a lost claim never reaches the runs service.
    expect(a.runs.started + b.runs.started).toBe(9)
    const history = await b.scheduler.history('nightly', 100)
    expect(history.filter((h) => h.status === 'fired')).toHaveLength(9)
    // One audit record says how many were missed, on one chain that still verifies.
    const trail = await opened.store.sql.values('SELECT record FROM audit_log ORDER BY seq')
    expect(trail.map((row) => JSON.parse(String(row[0])) as unknown)).toEqual([
      expect.objectContaining({
        action: 'schedule.tick',
        why: expect.objectContaining({ status: 'skipped', reason: 'missed', count: 3 }),
      }),
    ])
    expect(await verifyChainRows(auditRows(storeAuditPages(opened.store), 50), keys)).toMatchObject({ ok: true })
    // Sweeping again at the same time starts nothing more, at either process.
    const again = await Promise.all([a.scheduler.sweep(), b.scheduler.sweep()])
    expect(again.flatMap((r) => r.fired)).toEqual([])
  })

  it('takes over the time of a process that died after claiming it, once its lease has passed', async () => {
    const document = scheduledFlow(cron('0 10 * * *'))
    const a = processOn(opened.store, document, 'a')
    const b = processOn(await opened.another(), document, 'b')
    clock += HOUR // 10:00
    // A third process claimed 10:00 and died before starting the run.
    const dead = createScheduleStore(await opened.another())
    expect(
      await dead.claim({
        flowId: 'nightly',
        tickAt: '2026-03-01T10:00:00.000Z',
        hash: 'h1',
        owner: 'dead',
        leaseUntil: '2026-03-01T10:05:00.000Z',
        at: '2026-03-01T10:00:00.000Z',
      }),
    ).toBe(true)
    const held = await Promise.all([a.scheduler.sweep(), b.scheduler.sweep()])
    expect(held.flatMap((r) => r.fired)).toEqual([]) // its lease still holds
    clock += 10 * 60_000
    const taken = await Promise.all([a.scheduler.sweep(), b.scheduler.sweep()])
    expect(taken.flatMap((r) => r.fired.map((f) => f.at))).toEqual(['2026-03-01T10:00:00.000Z'])
    expect(await runCount()).toBe(1)
    expect(a.runs.started + b.runs.started).toBe(1)
  })
})
