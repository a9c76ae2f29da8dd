// Appending to the audit trail through the store, on either database: the record joins the
// caller's store transaction (so a change and its record commit or roll back together) or makes
// one of its own. Appends are serialised on the chain's key, so each links to the committed head:
// one chain, no gaps, no forks, with several processes appending at once on PostgreSQL.
import { canonicalJson } from '@carepath/dsl'
import type { BatchWriter } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import type { AuditInput } from './audit-entries.ts'
import { auditRecordOf, nextRow, type AuditPageReader, type AuditRow, type ChainKeys } from './audit-chain.ts'
import { createExplanationStore, type ExplanationStore } from './audit-explanations.ts'
import { recordJson, type AuditRecord } from './audit-record.ts'
import { getRow, runOnStore, runSql, serialize, type Steps } from './audit-steps.ts'
import { auditPage } from './audit-walk.ts'

/** What a service needs of the audit trail: to record what it did, in its transaction. */
export interface AuditRecorder {
  /** Record `input` with the caller's store transaction (or one of its own): it is in the trail once that commits. */
  record(input: AuditInput): Promise<void>
}

/** The key appends are serialised on (`Store.sql.serialize`). */
export const AUDIT_CHAIN_KEY = 'carepath:audit-chain'

/** The committed head of the trail (undefined: it is empty). */
export const HEAD_SQL = 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'
const insertSql = (rows: number) =>
  `INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')}`
/** Rows per insert: far below either database's limit on bound values. */
const ROWS_PER_INSERT = 200

/** A record waiting for its transaction's commit, with the time it was made. */
export interface PendingRecord {
  at: string
  input: AuditInput
}

/** What one append wrote: how many records, and the explanation shapes stored. */
export interface Appended {
  count: number
  /** Explanation shapes written by this append: committed with its transaction. */
  shapes: string[]
}

/**
 * The append of a transaction's records, as statements (audit-steps.ts): the head read under the
 * chain's key, each run step's explanation shapes stored once, the records linked one to the next
 * from the head and inserted together. A run step's decisions name their explanation's shape and
 * keep only their own references (decision-why.ts). Made just before the commit, so the chain's
 * key is held for the last statements of the transaction only.
 */
export function* appendSteps(
  keys: ChainKeys,
  explanations: ExplanationStore,
  pending: PendingRecord[],
): Steps<Appended> {
  yield* serialize(AUDIT_CHAIN_KEY)
  const stored = yield* getRow<{ seq: number; hash: string }>(HEAD_SQL)
  let previous = stored === undefined ? undefined : { seq: Number(stored.seq), hash: stored.hash }
  const shapes: string[] = []
  const rows: AuditRow[] = []
  for (const { at, input } of pending) {
    const record: AuditRecord = auditRecordOf(input, at)
    let json: string
    if ((record.action !== 'run.start' && record.action !== 'run.step') || record.why.decisions.length === 0)
      json = recordJson(record)
    else {
      const { stored: decisions } = yield* explanations.store(record.why.decisions, shapes)
      // Hashed as stored: the same canonical JSON as recordJson, with the stored form of the decisions.
      json = canonicalJson({ ...record, why: { ...record.why, decisions } })
    }
    const row = nextRow(keys, previous, at, json)
    rows.push(row)
    previous = { seq: row.seq, hash: row.hash }
  }
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT)
    yield* runSql(
      insertSql(chunk.length),
      chunk.flatMap((row) => [row.seq, row.at, row.record, row.prev_hash, row.hash]),
    )
  }
  return { count: rows.length, shapes }
}

export interface StoreAuditRecorderOptions {
  /** The explanation store to share (audit.service's), or one of the recorder's own. */
  explanations?: ExplanationStore
  /** Called after each append with what it wrote (audit.service schedules its checkpoint). */
  onRecorded?: (appended: Appended) => void
}

export function createStoreAuditRecorder(
  store: Store,
  keys: ChainKeys,
  now: () => Date,
  options: StoreAuditRecorderOptions = {},
): AuditRecorder {
  const explanations = options.explanations ?? createExplanationStore(store)
  // A transaction's records are appended together as it commits (Store.sql.beforeCommit).
  const writer: BatchWriter<PendingRecord> = {
    // Last of a transaction's writes: the chain's key is held from here to the commit.
    order: 1,
    async flush(pending) {
      const appended = await runOnStore(store, appendSteps(keys, explanations, pending))
      // Stored shapes are skipped from then on, once their transaction has committed.
      store.sql.afterCommit(() => {
        explanations.committed(appended.shapes)
        options.onRecorded?.(appended)
      })
    },
  }
  return { record: (input) => store.sql.beforeCommit(writer, { at: now().toISOString(), input }) }
}

/** The largest sequence number the column holds (a 32-bit integer on PostgreSQL). */
const LAST_SEQ = 2_147_483_647

/** Pages of the trail by sequence number, from either database (for `verifyChainRows`): audit-walk.ts's reader. */
export function storeAuditPages(store: Store): AuditPageReader {
  return async (afterSeq, limit) =>
    (await auditPage(store, afterSeq + 1, LAST_SEQ, limit)).map(([seq, at, record, prev_hash, hash]): AuditRow => ({
      seq,
      at,
      record,
      prev_hash,
      hash,
    }))
}
