// Fires published `trigger.schedule` flows. Every sweep (each second under `carepath serve`, or
// when a test moves the clock and calls it) looks at each scheduled flow's times since the last
// one recorded and, per time: claims it in the database (one process wins: a conditional insert
// or update in schedule-store.ts, the same on SQLite and PostgreSQL), applies the overlap
// policy against the runs this schedule started that are still going, and starts a run whose
// idempotency key is the time, so a claim taken over after a crash never starts a second run.
// Times missed while the runtime was down follow the flow's catch-up policy.
import { randomUUID } from 'node:crypto'
import type { FlowDocument, JsonValue, NodeRegistry } from '@carepath/dsl'
import { scheduledTimesBetween, triggerScheduleConfigSchema, type TriggerScheduleConfig } from '@carepath/nodes'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { scheduleTicked } from '../audit/audit-entries.ts'
import type { Principal } from '../auth/auth.service.ts'
import type { Store } from '../store/store.ts'
import { createScheduleStore } from './schedule-store.ts'

/** A time more than this late counts as missed (the runtime was down), not merely late. */
export const ON_TIME_MS = 60_000
/** How long a claim is its owner's before another process may take it over. */
const LEASE_MS = 5 * 60_000
/** The most times one sweep looks at per flow; a longer outage is skipped past in several sweeps. */
const MAX_TIMES_PER_SWEEP = 50_000

const SCHEDULER: Principal = { userId: 'system:scheduler', username: 'scheduler', role: 'developer', flowRoles: [] }

export interface SchedulerDeps {
  store: Store
  audit: AuditRecorder
  now: () => Date
  registry: NodeRegistry
  /** The flows on the store (`runtime.flowService`): which are published, and since when. */
  flows: ScheduledFlowReads
  /** Starts the runs (`runtime.runs`). */
  runs: ScheduleRuns
  /** This process's name on its claims (a random id by default). */
  owner?: string
}

/** What the scheduler reads of the flows (as `Flows` on the store gives it). */
export interface ScheduledFlowReads {
  list(): PromiseLike<readonly { id: string; status: string; publishedHash: string | null }[]>
  versionByHash(id: string, hash: string): PromiseLike<{ publishedAt: string | null } | undefined>
}

/** What the scheduler needs of the runs service. */
export interface ScheduleRuns {
  start(
    input: { flowId: string; input: JsonValue; idempotencyKey: string },
    principal: Principal,
  ): Promise<{ id: string }>
  /** A published version's document; synchronous until runs/ moves to the store, then a promise. */
  documentFor(flowId: string, hash: string): FlowDocument | Promise<FlowDocument>
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
  const store = createScheduleStore(deps.store)
  const owner = deps.owner ?? `process:${randomUUID()}`

  /** A published flow's trigger, when its start node is a schedule (else undefined). */
  async function scheduledFlow(flowId: string, hash: string): Promise<ScheduledFlow | undefined> {
    const document = await runs.documentFor(flowId, hash)
    const start = document.nodes[document.start]
    if (start?.type !== 'trigger.schedule') return undefined
    const config = triggerScheduleConfigSchema.safeParse(start.config)
    if (!config.success) return undefined
    const publishedAt = (await flows.versionByHash(flowId, hash))?.publishedAt
    if (!publishedAt) return undefined
    return { flowId, hash, config: config.data, publishedAt }
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
    const active = await store.activeRun(flow.flowId)
    if (active && flow.config.overlap !== 'allow') {
      const status = flow.config.overlap === 'queue' ? 'queued' : 'skipped'
      // A queued time that is looked at again stays queued without a second audit record.
      if (!(await store.settle(flow.flowId, at, owner, { status, reason: 'overlap' }, now))) return
      if (status === 'queued') {
        result.queued.push({ flowId: flow.flowId, at })
        if (!queuedBefore) await audit.record(scheduleTicked(flow.flowId, flow.hash, tick('queued', 'overlap', [at])))
      } else {
        result.skipped.push({ flowId: flow.flowId, at, reason: 'overlap' })
        await audit.record(scheduleTicked(flow.flowId, flow.hash, tick('skipped', 'overlap', [at])))
      }
      return
    }
    let runId: string
    try {
      const run = await runs.start(
        {
          flowId: flow.flowId,
          input: inputFor(flow.config, at),
          idempotencyKey: `schedule:${flow.flowId}:${at}`,
        },
        SCHEDULER,
      )
      runId = run.id
    } catch (error) {
      // The flow cannot start now (retired a moment ago, say): the time is skipped, and says so.
      if (
        await store.settle(flow.flowId, at, owner, { status: 'skipped', reason: 'failed' }, deps.now().toISOString())
      ) {
        result.skipped.push({ flowId: flow.flowId, at, reason: 'failed' })
        await audit.record(scheduleTicked(flow.flowId, flow.hash, tick('skipped', 'failed', [at])))
      }
      onError(flow.flowId, error)
      return
    }
    // Settling fails only when this process stalled past its lease and another took the time over:
    // the idempotency key gave that one the same run, and its settle records it.
    if (await store.settle(flow.flowId, at, owner, { status: 'fired', runId }, deps.now().toISOString()))
      result.fired.push({ flowId: flow.flowId, at, runId })
  }

  async function sweepFlow(flow: ScheduledFlow, result: Sweeping): Promise<void> {
    const nowDate = deps.now()
    const now = nowDate.toISOString()
    const leaseUntil = new Date(nowDate.getTime() + LEASE_MS).toISOString()
    // Claims whose owner stopped before settling them: taken over once their lease has passed.
    for (const row of await store.staleClaims(flow.flowId, now)) {
      if (await store.takeOver(flow.flowId, row.tick_at, owner, leaseUntil, now)) await fire(flow, row.tick_at, result)
    }
    // Queued times start, oldest first, while no run of this schedule is going.
    for (let row = await store.oldestQueued(flow.flowId); row && !(await store.activeRun(flow.flowId));) {
      if (!(await store.takeOver(flow.flowId, row.tick_at, owner, leaseUntil, now))) break
      await fire(flow, row.tick_at, result, true)
      const next = await store.oldestQueued(flow.flowId)
      if (next?.tick_at === row.tick_at) break
      row = next
    }

    const since = (await store.lastTick(flow.flowId)) ?? flow.publishedAt
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
      const recorded = await store.record({
        flowId: flow.flowId,
        tickAt: last,
        hash: flow.hash,
        status: 'skipped',
        reason: 'missed',
        owner,
        at: now,
      })
      if (recorded) {
        await audit.record(scheduleTicked(flow.flowId, flow.hash, tick('skipped', 'missed', dropped)))
        for (const at of dropped) result.skipped.push({ flowId: flow.flowId, at, reason: 'missed' })
      }
    }
    for (const at of [...caughtUp, ...onTime]) {
      if (!(await store.claim({ flowId: flow.flowId, tickAt: at, hash: flow.hash, owner, leaseUntil, at: now })))
        continue
      await fire(flow, at, result)
    }
  }

  /**
   * Fire every scheduled flow's due times. Safe to call from several processes at once: each time
   * is claimed by one. One flow that cannot be read does not stop the others.
   */
  async function sweep(onError: (flowId: string, error: unknown) => void = () => {}): Promise<SweepResult> {
    const result: Sweeping = { fired: [], skipped: [], queued: [], onError }
    if (registry.has('trigger.schedule')) {
      for (const flow of await flows.list()) {
        if (!flow.publishedHash || flow.status === 'retired') continue
        try {
          const scheduled = await scheduledFlow(flow.id, flow.publishedHash)
          if (scheduled) await sweepFlow(scheduled, result)
        } catch (error) {
          onError(flow.id, error)
        }
      }
    }
    const { onError: _onError, ...done } = result
    return done
  }

  /** The times a flow's schedule recorded, newest first (for operators). */
  async function history(flowId: string, limit = 50) {
    return (await store.ticks(flowId, limit)).map((row) => ({
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
