// The audit trail on PostgreSQL, where several runtime processes append to one chain. Appends are
// serialised by a transaction-scoped advisory lock: the appender takes it, reads the committed
// head, links the next record and inserts it; the lock is released when the transaction commits
// or rolls back, so the next appender always links to a committed head and the chain has one
// order with no gaps and no forks. The price is that appends do not overlap (bench/pg-audit.bench.ts
// measures it). Several chains merged by checkpoints would lift that, at the cost of a verifier
// that must merge them; one serialised chain keeps the verifier and `audit verify` unchanged.
import { asc, desc, gt } from 'drizzle-orm'
import type { PgDb } from '../db/open-pg.ts'
import { auditLog } from '../db/schema.pg.ts'
import type { AuditInput } from './audit-entries.ts'
import { auditRecordOf, nextRow, type AuditPageReader, type ChainKeys } from './audit-chain.ts'
import { recordJson } from './audit-record.ts'

/** A transaction on the PostgreSQL database (what `db.transaction` hands its callback). */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0]

/** The advisory lock key that serialises appends to the installation's one chain ("audi"). */
export const AUDIT_CHAIN_LOCK = 0x61756469

/**
 * Appending on PostgreSQL. `append` joins the caller's transaction (READ COMMITTED, PostgreSQL's
 * default: each statement sees what committed before it, so the head read after the lock is the
 * latest), so a change and its record commit together; `appendAlone` makes a transaction of its own.
 */
export function createPgAuditAppender(db: PgDb, keys: ChainKeys, now: () => Date) {
  async function append(tx: PgTx, input: AuditInput): Promise<{ seq: number; hash: string }> {
    await tx.execute(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`)
    const [previous] = await tx
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1)
    const at = now().toISOString()
    const row = nextRow(keys, previous, at, recordJson(auditRecordOf(input, at)))
    await tx
      .insert(auditLog)
      .values({ seq: row.seq, at: row.at, record: row.record, prevHash: row.prev_hash, hash: row.hash })
    return { seq: row.seq, hash: row.hash }
  }
  return {
    append,
    appendAlone: (input: AuditInput) => db.transaction((tx) => append(tx, input)),
  }
}
export type PgAuditAppender = ReturnType<typeof createPgAuditAppender>

/** Pages of the PostgreSQL trail by sequence number (for `verifyChainRows`). */
export function pgAuditPages(db: PgDb): AuditPageReader {
  return async (afterSeq, limit) => {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, afterSeq))
      .orderBy(asc(auditLog.seq))
      .limit(limit)
    return rows.map((r) => ({ seq: r.seq, at: r.at, record: r.record, prev_hash: r.prevHash, hash: r.hash }))
  }
}
