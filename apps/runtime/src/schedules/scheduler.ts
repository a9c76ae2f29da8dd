// Fires published `trigger.schedule` flows. Every sweep (each second under `carepath serve`, or
// when a test moves the clock and calls it) looks at each scheduled flow's times since the last
// one recorded and, per time: claims it in the database (one process wins), applies the overlap
// policy against the runs this schedule started that are still going, and starts a run whose
// idempotency key is the time, so a claim taken over after a crash never starts a second run.
// Times missed while the runtime was down follow the flow's catch-up policy.
import { randomUUID } from 'node:crypto'
import type { JsonValue, NodeRegistry } from '@carepath/dsl'
import { scheduledTimesBetween, triggerScheduleConfigSchema, type TriggerScheduleConfig } from '@carepath/nodes'
import type { AuditService } from '../audit/audit.service.ts'
import { scheduleTicked } from '../audit/audit-entries.ts'
import type { Principal } from '../auth/auth.service.ts'
import type { Db } from '../db/open-db.ts'
import type { FlowsService } from '../flows/flows.service.ts'
import type { RunsService } from '../runs/runs.service.ts'
import { createScheduleStore } from './schedule-store.ts'

/** A time more than this late counts as missed (the runtime was down), not merely late. */
export const ON_TIME_MS = 60_000
/** How long a claim is its owner's before another process may take it over. */
const LEASE_MS = 5 * 60_000
/** The most times one sweep looks at per flow; a longer outage is skipped past in several sweeps. */
const MAX_TIMES_PER_SWEEP = 50_000

const SCHEDULER: Principal = { userId: 'system:scheduler', username: 'scheduler', role: 'developer', flowRoles: [] }

export interface SchedulerDeps {
  db: Db
  audit: AuditService
  now: () => Date
  registry: NodeRegistry
  flows: FlowsService
  runs: RunsService
  /** This process's name on its claims (a random id by default). */
  owner?: string
}

/** What one sweep did, per scheduled time. */
export interface SweepResult {
  fired: { flowId: string; at: string; runId: string }[]
  skipped: { flowId: string; at: string; reason: 'missed' | 'overlap' | 'failed' }[]
  queued: { flowId: string; at: string }[]
}

type Sweeping = SweepResult & { onError: (flowId: string, error: unknown) => void }

interface ScheduledFlow {
  flowId: string
  hash: string
  config: TriggerScheduleConfig
  publishedAt: string
}

export function createScheduler(deps: SchedulerDeps) {
  const { flows, runs, registry, audit } = deps
  const store = createScheduleStore(deps.db)
  const owner = deps.owner ?? `process:${randomUUID()}`

  /** Published, not retired flows whose start node is a schedule, with their parsed trigger. */
  async function scheduledFlows(): Promise<ScheduledFlow[]> {
    if (!registry.has('trigger.schedule')) return []
    const scheduled: ScheduledFlow[] = []
    for (const flow of flows.list()) {
      if (!flow.publishedHash || flow.status === 'retired') continue
      const document = await runs.documentFor(flow.id, flow.publishedHash)
      const start = document.nodes[document.start]
      if (start?.type !== 'trigger.schedule') continue
      const config = triggerScheduleConfigSchema.safeParse(start.config)
      const publishedAt = flows.versionByHash(flow.id, flow.publishedHash)?.publishedAt
      if (!config.success || !publishedAt) continue
      scheduled.push({ flowId: flow.id, hash: flow.publishedHash, config: config.data, publishedAt })
    }
    return scheduled
  }

  function inputFor(config: TriggerScheduleConfig, at: string): { [key: string]: JsonValue } {
    if (!config.into) return {}
    const keys = config.into.split('.')
    return keys.reduceRight<{ [key: string]: JsonValue }>((inner, key, index) => {
      if (index === keys.length - 1) return { [key]: at }
      return { [key]: inner }
    }, {})
  }

  /** Start the run of a claimed time (the claim is this process's), honouring the overlap policy. */
  async function fire(flow: ScheduledFlow, at: string, result: Sweeping, queuedBefore = false): Promise<void> {
    const onError = result.onError
    const now = deps.now().toISOString()
    const active = store.activeRun(flow.flowId)
    if (active && flow.config.overlap !== 'allow') {
      const status = flow.config.overlap === 'queue' ? 'queued' : 'skipped'
      // A queued time that is looked at again stays queued without a second audit record.
      store.settle(flow.flowId, at, owner, { status, reason: 'overlap' }, now)
      if (status === 'queued') {
        result.queued.push({ flowId: flow.flowId, at })
        if (!queuedBefore) audit.appendAlone(scheduleTicked(flow.flowId, flow.hash, tick('queued', 'overlap', [at])))
      } else {
        result.skipped.push({ flowId: flow.flowId, at, reason: 'overlap' })
        audit.appendAlone(scheduleTicked(flow.flowId, flow.hash, tick('skipped', 'overlap', [at])))
      }
      return
    }
    try {
      const run = await runs.start(
        {
          flowId: flow.flowId,
          input: inputFor(flow.config, at),
          idempotencyKey: `schedule:${flow.flowId}:${at}`,
        },
        SCHEDULER,
      )
      store.settle(flow.flowId, at, owner, { status: 'fired', runId: run.id }, deps.now().toISOString())
      result.fired.push({ flowId: flow.flowId, at, runId: run.id })
    } catch (error) {
      // The flow cannot start now (retired a moment ago, say): the time is skipped, and says so.
      store.settle(flow.flowId, at, owner, { status: 'skipped', reason: 'failed' }, deps.now().toISOString())
      result.skipped.push({ flowId: flow.flowId, at, reason: 'failed' })
      audit.appendAlone(scheduleTicked(flow.flowId, flow.hash, tick('skipped', 'failed', [at])))
      onError(flow.flowId, error)
    }
  }

  async function sweepFlow(flow: ScheduledFlow, result: Sweeping): Promise<void> {
    const nowDate = deps.now()
    const now = nowDate.toISOString()
    const leaseUntil = new Date(nowDate.getTime() + LEASE_MS).toISOString()
    // Claims whose owner stopped before settling them: taken over once their lease has passed.
    for (const row of store.staleClaims(flow.flowId, now)) {
      if (store.takeOver(flow.flowId, row.tick_at, owner, leaseUntil, now)) await fire(flow, row.tick_at, result)
    }
    // Queued times start, oldest first, while no run of this schedule is going.
    for (let row = store.oldestQueued(flow.flowId); row && !store.activeRun(flow.flowId);) {
      if (!store.takeOver(flow.flowId, row.tick_at, owner, leaseUntil, now)) break
      await fire(flow, row.tick_at, result, true)
      const next = store.oldestQueued(flow.flowId)
      if (next?.tick_at === row.tick_at) break
      row = next
    }

    const since = store.lastTick(flow.flowId) ?? flow.publishedAt
    const { times } = scheduledTimesBetween(flow.config, since, now, MAX_TIMES_PER_SWEEP)
    if (times.length === 0) return
    const onTimeFrom = new Date(nowDate.getTime() - ON_TIME_MS).toISOString()
    const missed = times.filter((at) => at < onTimeFrom)
    const onTime = times.filter((at) => at >= onTimeFrom)
    const limit = flow.config.catchUp === 'fire' ? flow.config.catchUpLimit : 0
    const caughtUp = limit > 0 ? missed.slice(-limit) : []
    const dropped = missed.slice(0, missed.length - caughtUp.length)
    if (dropped.length > 0) {
      // One row for the latest dropped time moves the sweep past all of them; one audit record says how many.
      const last = dropped[dropped.length - 1] as string
      const recorded = store.record({
        flowId: flow.flowId,
        tickAt: last,
        hash: flow.hash,
        status: 'skipped',
        reason: 'missed',
        owner,
        at: now,
      })
      if (recorded) {
        audit.appendAlone(scheduleTicked(flow.flowId, flow.hash, tick('skipped', 'missed', dropped)))
        for (const at of dropped) result.skipped.push({ flowId: flow.flowId, at, reason: 'missed' })
      }
    }
    for (const at of [...caughtUp, ...onTime]) {
      if (!store.claim({ flowId: flow.flowId, tickAt: at, hash: flow.hash, owner, leaseUntil, at: now })) continue
      await fire(flow, at, result)
    }
  }

  /**
   * Fire every scheduled flow's due times. Safe to call from several processes at once: each time
   * is claimed by one. One flow that cannot be read does not stop the others.
   */
  async function sweep(onError: (flowId: string, error: unknown) => void = () => {}): Promise<SweepResult> {
    const result: Sweeping = { fired: [], skipped: [], queued: [], onError }
    for (const flow of await scheduledFlows()) {
      try {
        await sweepFlow(flow, result)
      } catch (error) {
        onError(flow.flowId, error)
      }
    }
    const { onError: _onError, ...done } = result
    return done
  }

  /** The times a flow's schedule recorded, newest first (for operators). */
  function history(flowId: string, limit = 50) {
    return store.ticks(flowId, limit).map((row) => ({
      at: row.tick_at,
      hash: row.hash,
      status: row.status,
      reason: row.reason,
      runId: row.run_id,
    }))
  }

  return { sweep, history, owner }
}
export type Scheduler = ReturnType<typeof createScheduler>

function tick(
  status: 'skipped' | 'queued',
  reason: 'missed' | 'overlap' | 'failed',
  times: readonly string[],
): { status: 'skipped' | 'queued'; reason: 'missed' | 'overlap' | 'failed'; from: string; to: string; count: number } {
  return { status, reason, from: times[0] ?? '', to: times[times.length - 1] ?? '', count: times.length }
}
