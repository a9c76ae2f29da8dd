import { asc, gt } from 'drizzle-orm'
import type { Db } from '../db/open-db.ts'
import { auditLog } from '../db/schema.ts'
import type { AuditInput } from './audit-entries.ts'
import { auditRecordSchema, chainHash, GENESIS_HASH, recordJson, type AuditRecord } from './audit-record.ts'

export type { AuditInput }

export interface VerifyResult {
  ok: boolean
  checked: number
  /** The first record whose hash or link does not match, by sequence number. */
  firstBroken?: { seq: number; reason: string } | undefined
}

/**
 * The audit trail. `append` must be called inside the transaction that makes the change it
 * records, so a change and its record commit (or roll back) together.
 */
export function createAuditService(db: Db, now: () => Date) {
  const sqlite = db.$client
  const last = sqlite.prepare<[], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  )
  const insert = sqlite.prepare('INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')

  function append(input: AuditInput): { seq: number; hash: string } {
    const at = now().toISOString()
    const { who, role, outcome, entity, ...entry } = input
    const record: AuditRecord = {
      resourceType: 'AuditEvent',
      recorded: at,
      outcome: outcome ?? 'success',
      agent: { who, role },
      entity: entity ?? {},
      ...entry,
    }
    const previous = last.get()
    const seq = (previous?.seq ?? 0) + 1
    const prevHash = previous?.hash ?? GENESIS_HASH
    const json = recordJson(record)
    const hash = chainHash(prevHash, json)
    insert.run(seq, at, json, prevHash, hash)
    return { seq, hash }
  }

  /** Append in a transaction of its own (for events that change nothing else, like a failed log-in). */
  const appendAlone = (input: AuditInput) => sqlite.transaction(() => append(input))()

  function list(options: { limit: number; cursor?: number | undefined }) {
    const rows = db
      .select()
      .from(auditLog)
      .where(options.cursor ? gt(auditLog.seq, options.cursor) : undefined)
      .orderBy(asc(auditLog.seq))
      .limit(options.limit)
      .all()
    return {
      items: rows.map((row) => ({ seq: row.seq, hash: row.hash, record: parseRecord(row.record) })),
      nextCursor: rows.length === options.limit ? rows[rows.length - 1]?.seq : undefined,
    }
  }

  return { append, appendAlone, list, verify: () => verifyChain(db) }
}
export type AuditService = ReturnType<typeof createAuditService>

/** A stored record, read by its schema (the trail is append-only: every record was written by `append`). */
function parseRecord(json: string): AuditRecord {
  return auditRecordSchema.parse(JSON.parse(json))
}

/** Recompute the whole chain and name the first record that does not match. */
export function verifyChain(db: Db): VerifyResult {
  const rows = db.$client
    .prepare<[], { seq: number; record: string; prev_hash: string; hash: string }>(
      'SELECT seq, record, prev_hash, hash FROM audit_log ORDER BY seq ASC',
    )
    .iterate()
  let prev = GENESIS_HASH
  let expectedSeq = 1
  let checked = 0
  for (const row of rows) {
    let reason: string | undefined
    if (row.seq !== expectedSeq) reason = `record ${expectedSeq} is missing`
    else if (row.prev_hash !== prev) reason = 'its link to the previous record does not match'
    else if (chainHash(prev, row.record) !== row.hash) reason = 'its content does not match its hash'
    if (reason)
      return { ok: false, checked, firstBroken: { seq: row.seq === expectedSeq ? row.seq : expectedSeq, reason } }
    prev = row.hash
    expectedSeq++
    checked++
  }
  return { ok: true, checked }
}
