// The claims of scheduled times (table schedule_ticks, declared in db/schema.ts and
// schema.pg.ts), on the store: the same statements on SQLite and PostgreSQL. Several runtime
// processes sweep at once, so every write that decides who has a time is one conditional
// statement, never a read followed by a write:
//   - a time is claimed by inserting its row: the primary key (flow_id, tick_at) makes one insert
//     land (ON CONFLICT DO NOTHING), the others change nothing;
//   - a claim carries its owner and a lease; once the lease has passed (the owner died or stalled)
//     another process takes it over with an UPDATE that re-checks the lease in its WHERE, so of two
//     processes taking over at once one changes the row (PostgreSQL re-evaluates the condition on
//     the row the first one committed; SQLite runs one write at a time);
//   - settling and renewing name the owner and need the claim still open, so a process that
//     stalled past its lease cannot undo the takeover.
// Leases are compared with the caller's clock (the runtime's injected `now`), never the server's.
import type { Store } from '../store/store.ts'

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

export interface TickClaim {
  flowId: string
  tickAt: string
  hash: string
  owner: string
  leaseUntil: string
  /** When the claim is made (ISO-8601). */
  at: string
}

const COLUMNS = 'flow_id, tick_at, hash, status, reason, run_id, owner, lease_until, updated_at'

export function createScheduleStore(store: Store) {
  const sql = store.sql
  const insert = (
    t: { flowId: string; tickAt: string; hash: string },
    status: TickRow['status'],
    reason: string | null,
    owner: string,
    leaseUntil: string,
    at: string,
  ) =>
    sql.run(
      'INSERT INTO schedule_ticks (flow_id, tick_at, hash, status, reason, owner, lease_until, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [t.flowId, t.tickAt, t.hash, status, reason, owner, leaseUntil, at],
    )

  return {
    /** Claim a time; false when another process (or an earlier sweep) already has it. */
    async claim(t: TickClaim): Promise<boolean> {
      return (await insert(t, 'claimed', null, t.owner, t.leaseUntil, t.at)).changes === 1
    },

    /** Record a time as skipped (or queued) outright, with the same claim semantics. */
    async record(t: {
      flowId: string
      tickAt: string
      hash: string
      status: 'skipped' | 'queued'
      reason: string
      owner: string
      at: string
    }): Promise<boolean> {
      return (await insert(t, t.status, t.reason, t.owner, t.at, t.at)).changes === 1
    },

    /**
     * Take over a claim whose lease has passed, or a queued time whose turn came; false when the
     * claim is still live or another process took it first.
     */
    async takeOver(flowId: string, tickAt: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
      const taken = await sql.run(
        "UPDATE schedule_ticks SET status = 'claimed', owner = ?, lease_until = ?, updated_at = ? WHERE flow_id = ? AND tick_at = ? AND ((status = 'claimed' AND lease_until < ?) OR status = 'queued')",
        [owner, leaseUntil, now, flowId, tickAt, now],
      )
      return taken.changes === 1
    },

    /** Extend the lease of a claim this owner still holds (long work); false when it was taken over. */
    async renew(flowId: string, tickAt: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
      const renewed = await sql.run(
        "UPDATE schedule_ticks SET lease_until = ?, updated_at = ? WHERE flow_id = ? AND tick_at = ? AND owner = ? AND status = 'claimed'",
        [leaseUntil, now, flowId, tickAt, owner],
      )
      return renewed.changes === 1
    },

    /** Record how a claimed time ended; false (and nothing written) when this owner no longer holds it. */
    async settle(
      flowId: string,
      tickAt: string,
      owner: string,
      outcome: { status: 'fired' | 'skipped' | 'queued'; reason?: string | null; runId?: string | null },
      at: string,
    ): Promise<boolean> {
      const settled = await sql.run(
        "UPDATE schedule_ticks SET status = ?, reason = ?, run_id = ?, updated_at = ? WHERE flow_id = ? AND tick_at = ? AND owner = ? AND status = 'claimed'",
        [outcome.status, outcome.reason ?? null, outcome.runId ?? null, at, flowId, tickAt, owner],
      )
      return settled.changes === 1
    },

    /** The latest time recorded for the flow: the sweep goes on after it. */
    async lastTick(flowId: string): Promise<string | undefined> {
      const row = await sql.get<{ tick_at: string }>(
        'SELECT tick_at FROM schedule_ticks WHERE flow_id = ? ORDER BY tick_at DESC LIMIT 1',
        [flowId],
      )
      return row?.tick_at
    },

    /** Claims of the flow whose lease has passed at `now`, oldest first. */
    staleClaims: (flowId: string, now: string) =>
      sql.all<TickRow>(
        `SELECT ${COLUMNS} FROM schedule_ticks WHERE flow_id = ? AND status = 'claimed' AND lease_until < ? ORDER BY tick_at`,
        [flowId, now],
      ),

    oldestQueued: (flowId: string) =>
      sql.get<TickRow>(
        `SELECT ${COLUMNS} FROM schedule_ticks WHERE flow_id = ? AND status = 'queued' ORDER BY tick_at LIMIT 1`,
        [flowId],
      ),

    /** A run this schedule started that is still going (running, or waiting on a task or timer). */
    async activeRun(flowId: string): Promise<string | undefined> {
      const row = await sql.get<{ id: string }>(
        "SELECT r.id FROM schedule_ticks t JOIN runs r ON r.id = t.run_id WHERE t.flow_id = ? AND r.status IN ('running', 'waiting') LIMIT 1",
        [flowId],
      )
      return row?.id
    },

    /** The times recorded for the flow, newest first. */
    ticks: (flowId: string, limit: number) =>
      sql.all<TickRow>(`SELECT ${COLUMNS} FROM schedule_ticks WHERE flow_id = ? ORDER BY tick_at DESC LIMIT ?`, [
        flowId,
        limit,
      ]),
  }
}
export type ScheduleStore = ReturnType<typeof createScheduleStore>
