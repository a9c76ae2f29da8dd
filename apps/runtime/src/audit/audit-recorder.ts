// Appending to the audit trail through the store, on either database: the record joins the
// caller's store transaction (so a change and its record commit or roll back together) or makes
// one of its own. Appends are serialised on the chain's key, so each links to the committed head:
// one chain, no gaps, no forks, with several processes appending at once on PostgreSQL.
import { canonicalJson } from '@carepath/dsl'
import type { Store } from '../store/store.ts'
import type { AuditInput } from './audit-entries.ts'
import { auditRecordOf, nextRow, type AuditPageReader, type AuditRow, type ChainKeys } from './audit-chain.ts'
import { createExplanationStore, type ExplanationStore } from './audit-explanations.ts'
import { recordJson, type AuditRecord } from './audit-record.ts'
import { getRow, runOnStore, runSql, serialize, type Steps } from './audit-steps.ts'
import { auditPage } from './audit-walk.ts'

/** What a service needs of the audit trail: to record what it did, in its transaction. */
export interface AuditRecorder {
  record(input: AuditInput): Promise<{ seq: number; hash: string }>
}

/** The key appends are serialised on (`Store.sql.serialize`). */
export const AUDIT_CHAIN_KEY = 'carepath:audit-chain'

/** The committed head of the trail (undefined: it is empty). */
export const HEAD_SQL = 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'
const INSERT_SQL = 'INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)'

/** An appended record, and the explanation shapes its append wrote. */
export interface Appended {
  seq: number
  hash: string
  /** Explanation shapes written by this append: committed with its transaction. */
  shapes: string[]
}

/**
 * The one append, as statements (audit-steps.ts): the head read under the chain's key, the run
 * step's explanation shapes stored once, the record linked to the head. A run step's decisions
 * name their explanation's shape and keep only their own references (decision-why.ts).
 */
export function* appendSteps(
  keys: ChainKeys,
  explanations: ExplanationStore,
  at: string,
  input: AuditInput,
): Steps<Appended> {
  yield* serialize(AUDIT_CHAIN_KEY)
  const previous = yield* getRow<{ seq: number; hash: string }>(HEAD_SQL)
  const record: AuditRecord = auditRecordOf(input, at)
  let json: string
  let shapes: string[] = []
  if ((record.action !== 'run.start' && record.action !== 'run.step') || record.why.decisions.length === 0)
    json = recordJson(record)
  else {
    const { stored, written } = yield* explanations.store(record.why.decisions)
    shapes = written
    // Hashed as stored: the same canonical JSON as recordJson, with the stored form of the decisions.
    json = canonicalJson({ ...record, why: { ...record.why, decisions: stored } })
  }
  const row = nextRow(
    keys,
    previous === undefined ? undefined : { seq: Number(previous.seq), hash: previous.hash },
    at,
    json,
  )
  yield* runSql(INSERT_SQL, [row.seq, row.at, row.record, row.prev_hash, row.hash])
  return { seq: row.seq, hash: row.hash, shapes }
}

export interface StoreAuditRecorderOptions {
  /** The explanation store to share (audit.service's), or one of the recorder's own. */
  explanations?: ExplanationStore
  /** Called after each record with its append (audit.service schedules its checkpoint). */
  onRecorded?: (appended: Appended) => void
}

export function createStoreAuditRecorder(
  store: Store,
  keys: ChainKeys,
  now: () => Date,
  options: StoreAuditRecorderOptions = {},
): AuditRecorder {
  const explanations = options.explanations ?? createExplanationStore(store)
  const append = (input: AuditInput) => runOnStore(store, appendSteps(keys, explanations, now().toISOString(), input))
  async function record(input: AuditInput): Promise<{ seq: number; hash: string }> {
    let appended: Appended
    if (store.sql.inTransaction()) appended = await append(input)
    else {
      appended = await store.transaction(() => append(input))
      // Its own transaction has committed: its shapes are stored.
      explanations.committed(appended.shapes)
    }
    options.onRecorded?.(appended)
    return { seq: appended.seq, hash: appended.hash }
  }
  return { record }
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
