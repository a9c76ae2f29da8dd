// The claims of scheduled times (table schedule_ticks, declared in db/schema.ts). Prepared once
// on the raw handle, like the run store: the sweep runs every second.
import type { Db } from '../db/open-db.ts'

export interface TickRow {
  flow_id: string
  tick_at: string
  hash: string
  status: 'claimed' | 'fired' | 'skipped' | 'queued'
  reason: string | null
  run_id: string | null
  owner: string
  lease_until: string
  updated_at: string
}

export function createScheduleStore(db: Db) {
  const sql = db.$client
  // The primary key (flow_id, tick_at) is the claim: of several processes, one insert lands.
  const claim = sql.prepare(
    'INSERT INTO schedule_ticks (flow_id, tick_at, hash, status, reason, owner, lease_until, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  )
  // Taking over a claim whose owner stopped before it settled, or a queued time whose turn came.
  const takeOver = sql.prepare(
    "UPDATE schedule_ticks SET status = 'claimed', owner = ?, lease_until = ?, updated_at = ? WHERE flow_id = ? AND tick_at = ? AND ((status = 'claimed' AND lease_until < ?) OR status = 'queued')",
  )
  const settle = sql.prepare(
    'UPDATE schedule_ticks SET status = ?, reason = ?, run_id = ?, updated_at = ? WHERE flow_id = ? AND tick_at = ? AND owner = ?',
  )
  const last = sql.prepare<[string], { tick_at: string }>(
    'SELECT tick_at FROM schedule_ticks WHERE flow_id = ? ORDER BY tick_at DESC LIMIT 1',
  )
  const stale = sql.prepare<[string, string], TickRow>(
    "SELECT * FROM schedule_ticks WHERE flow_id = ? AND status = 'claimed' AND lease_until < ? ORDER BY tick_at",
  )
  const queued = sql.prepare<[string], TickRow>(
    "SELECT * FROM schedule_ticks WHERE flow_id = ? AND status = 'queued' ORDER BY tick_at LIMIT 1",
  )
  const active = sql.prepare<[string], { id: string }>(
    "SELECT r.id FROM schedule_ticks t JOIN runs r ON r.id = t.run_id WHERE t.flow_id = ? AND r.status IN ('running', 'waiting') LIMIT 1",
  )
  const ofFlow = sql.prepare<[string, number], TickRow>(
    'SELECT * FROM schedule_ticks WHERE flow_id = ? ORDER BY tick_at DESC LIMIT ?',
  )

  return {
    /** Claim a time; false when another process (or an earlier sweep) already has it. */
    claim: (t: { flowId: string; tickAt: string; hash: string; owner: string; leaseUntil: string; at: string }) =>
      claim.run(t.flowId, t.tickAt, t.hash, 'claimed', null, t.owner, t.leaseUntil, t.at).changes === 1,
    /** Record a time as skipped (or queued) outright, with the same claim semantics. */
    record: (t: {
      flowId: string
      tickAt: string
      hash: string
      status: 'skipped' | 'queued'
      reason: string
      owner: string
      at: string
    }) => claim.run(t.flowId, t.tickAt, t.hash, t.status, t.reason, t.owner, t.at, t.at).changes === 1,
    takeOver: (flowId: string, tickAt: string, owner: string, leaseUntil: string, now: string) =>
      takeOver.run(owner, leaseUntil, now, flowId, tickAt, now).changes === 1,
    settle: (
      flowId: string,
      tickAt: string,
      owner: string,
      outcome: { status: TickRow['status']; reason?: string | null; runId?: string | null },
      at: string,
    ) => settle.run(outcome.status, outcome.reason ?? null, outcome.runId ?? null, at, flowId, tickAt, owner),
    /** The latest time recorded for the flow: the sweep goes on after it. */
    lastTick: (flowId: string) => last.get(flowId)?.tick_at,
    staleClaims: (flowId: string, now: string) => stale.all(flowId, now),
    oldestQueued: (flowId: string) => queued.get(flowId),
    /** A run this schedule started that is still going (running, or waiting on a task or timer). */
    activeRun: (flowId: string) => active.get(flowId)?.id,
    ticks: (flowId: string, limit: number) => ofFlow.all(flowId, limit),
  }
}
export type ScheduleStore = ReturnType<typeof createScheduleStore>
