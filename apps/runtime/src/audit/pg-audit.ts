// Reading the audit trail of a PostgreSQL database opened on its own (db copy checks the chain it
// copied). Appending, on either database, is audit-recorder.ts.
import { asc, gt } from 'drizzle-orm'
import type { PgDb } from '../db/open-pg.ts'
import { auditLog } from '../db/schema.pg.ts'
import type { AuditPageReader } from './audit-chain.ts'

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
