// Claiming schedule ticks across runtime processes on PostgreSQL. A tick is claimed by inserting
// its row (the primary key makes one insert win); the claim carries an owner and a lease. A claim
// whose owner died is due again once its lease has passed: `claimExpired` takes such rows with
// `FOR UPDATE SKIP LOCKED`, so processes sweeping at once never wait on each other and never take
// the same row, and re-checks the lease on the row it locked. Settling and renewing need the owner
// to still hold the claim, so a process that stalled past its lease cannot undo a takeover.
// The clock is injected: leases are compared with the caller's `now`, never the server's.
import { and, eq, sql } from 'drizzle-orm'
import type { PgDb } from '../db/open-pg.ts'
import { scheduleTicks } from '../db/schema.pg.ts'

export interface TickKey {
  flowId: string
  tickAt: string
}

export interface TickClaim extends TickKey {
  hash: string
  owner: string
  leaseUntil: string
}

export interface PgTickClaimsOptions {
  /** This process's name in the `owner` column. */
  owner: string
  now: () => Date
  /** How long a claim is its owner's before another process may take it over (ms). */
  leaseMs: number
}

export function createPgTickClaims(db: PgDb, options: PgTickClaimsOptions) {
  const { owner, now, leaseMs } = options
  const instant = () => now()
  const leaseFrom = (at: Date) => new Date(at.getTime() + leaseMs).toISOString()

  /** Claim a tick that came due; false when another process holds it already. */
  async function claim(tick: TickKey & { hash: string }): Promise<boolean> {
    const at = instant()
    const inserted = await db
      .insert(scheduleTicks)
      .values({
        ...tick,
        status: 'claimed',
        owner,
        leaseUntil: leaseFrom(at),
        updatedAt: at.toISOString(),
      })
      .onConflictDoNothing()
      .returning({ flowId: scheduleTicks.flowId })
    return inserted.length === 1
  }

  /** Take over up to `limit` claims whose lease has passed (their owner died or stalled), oldest first. */
  async function claimExpired(limit: number): Promise<TickClaim[]> {
    const at = instant()
    const nowIso = at.toISOString()
    const result = await db.execute<{
      flow_id: string
      tick_at: string
      hash: string
      owner: string
      lease_until: string
    }>(sql`
      WITH due AS (
        SELECT flow_id, tick_at FROM schedule_ticks
        WHERE status = 'claimed' AND lease_until < ${nowIso}
        ORDER BY tick_at, flow_id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE schedule_ticks AS t
      SET owner = ${owner}, lease_until = ${leaseFrom(at)}, updated_at = ${nowIso}
      FROM due
      WHERE t.flow_id = due.flow_id AND t.tick_at = due.tick_at AND t.status = 'claimed' AND t.lease_until < ${nowIso}
      RETURNING t.flow_id, t.tick_at, t.hash, t.owner, t.lease_until`)
    return result.rows
      .map((r) => ({ flowId: r.flow_id, tickAt: r.tick_at, hash: r.hash, owner: r.owner, leaseUntil: r.lease_until }))
      .sort((a, b) => a.tickAt.localeCompare(b.tickAt) || a.flowId.localeCompare(b.flowId))
  }

  const held = (tick: TickKey) =>
    and(
      eq(scheduleTicks.flowId, tick.flowId),
      eq(scheduleTicks.tickAt, tick.tickAt),
      eq(scheduleTicks.owner, owner),
      eq(scheduleTicks.status, 'claimed'),
    )

  /** Extend the lease of a claim this process still holds (long work); false when it was taken over. */
  async function renew(tick: TickKey): Promise<boolean> {
    const at = instant()
    const renewed = await db
      .update(scheduleTicks)
      .set({ leaseUntil: leaseFrom(at), updatedAt: at.toISOString() })
      .where(held(tick))
      .returning({ flowId: scheduleTicks.flowId })
    return renewed.length === 1
  }

  /** Record how the tick ended; false (and nothing written) when this process no longer holds it. */
  async function settle(
    tick: TickKey,
    outcome: { status: 'fired' | 'skipped'; reason?: string; runId?: string },
  ): Promise<boolean> {
    const settled = await db
      .update(scheduleTicks)
      .set({
        status: outcome.status,
        reason: outcome.reason ?? null,
        runId: outcome.runId ?? null,
        updatedAt: instant().toISOString(),
      })
      .where(held(tick))
      .returning({ flowId: scheduleTicks.flowId })
    return settled.length === 1
  }

  return { owner, claim, claimExpired, renew, settle }
}
export type PgTickClaims = ReturnType<typeof createPgTickClaims>
