import { asc, gt } from 'drizzle-orm'
import { canonicalJson } from '@carepath/dsl'
import type { Db } from '../db/open-db.ts'
import { auditLog } from '../db/schema.ts'
import type { KeyStore } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { signCheckpoint, type AnchorSink, type Checkpoint } from './audit-checkpoints.ts'
import type { AuditInput } from './audit-entries.ts'
import { auditRecordOf, chainStart, nextRow } from './audit-chain.ts'
import { createExplanationStore } from './audit-explanations.ts'
import { auditRecordSchema, recordJson, type AuditRecord } from './audit-record.ts'
import {
  readDbCheckpoint,
  verifyTrail,
  verifyTrailOnThreads,
  writeDbCheckpoint,
  type VerifyResult,
  type VerifyThreadOptions,
} from './audit-verify.ts'

export type { AuditInput, VerifyResult }

export interface AuditTrailOptions {
  /** The installation's keys (chain HMAC key, checkpoint signing key), kept outside the database. */
  keys: KeyStore
  /** Where checkpoints go outside the database. */
  anchor: AnchorSink
  /** Sign a checkpoint after this many new records (default 1000) … */
  checkpointEvery?: number
  /** … or this long after the first record since the last one (ms, default 1000), and on close. */
  checkpointDelayMs?: number
  /** A checkpoint that could not be written (the anchor's disk full, say) is reported here. */
  onCheckpointError?: (error: unknown) => void
}

/**
 * The audit trail. `append` must be called inside the transaction that makes the change it
 * records, so a change and its record commit (or roll back) together. Records are chained by an
 * HMAC keyed outside the database; checkpoints (seq + head hash, signed) go to the database and
 * to the anchor after every `checkpointEvery` records, within `checkpointDelayMs` of any record,
 * at start and on close, so a trail cut short is told from one that ended there.
 */
export function createAuditService(db: Db, now: () => Date, trail: AuditTrailOptions, store?: Store) {
  const { keys, anchor } = trail
  const sqlite = db.$client
  const every = trail.checkpointEvery ?? 1000
  const delayMs = trail.checkpointDelayMs ?? 1000
  const onError =
    trail.onCheckpointError ?? ((error: unknown) => console.error('carepath: audit checkpoint not written:', error))
  const last = sqlite.prepare<[], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  )
  const insert = sqlite.prepare('INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')

  const explanations = createExplanationStore(db)

  /**
   * The JSON a record is stored (and chained) as: a run step's decisions name their explanation's
   * shape, stored once, and keep only their own references (decision-why.ts).
   */
  function storedJson(record: AuditRecord): string {
    if ((record.action !== 'run.start' && record.action !== 'run.step') || record.why.decisions.length === 0)
      return recordJson(record)
    // Hashed as stored: the same canonical JSON as recordJson, with the stored form of the decisions.
    return canonicalJson({ ...record, why: { ...record.why, decisions: explanations.store(record.why.decisions) } })
  }

  function append(input: AuditInput): { seq: number; hash: string } {
    const at = now().toISOString()
    const row = nextRow(keys, last.get(), at, storedJson(auditRecordOf(input, at)))
    insert.run(row.seq, row.at, row.record, row.prev_hash, row.hash)
    scheduleCheckpoint()
    return { seq: row.seq, hash: row.hash }
  }

  // Checkpoints are signed after the commit (a timer or setImmediate cannot run inside a
  // synchronous better-sqlite3 transaction), so one never names a head that was rolled back.
  let pending = 0
  let timer: NodeJS.Timeout | undefined
  let immediate: NodeJS.Immediate | undefined
  let closed = false
  let lastCheckpointSeq = readDbCheckpoint(db)?.seq ?? -1
  function scheduleCheckpoint() {
    pending++
    if (pending >= every) immediate ??= setImmediate(safeCheckpoint)
    else if (!timer) timer = setTimeout(safeCheckpoint, delayMs).unref()
  }
  function safeCheckpoint() {
    try {
      checkpoint()
    } catch (error) {
      onError(error)
    }
  }

  /** Sign and write a checkpoint of the committed head, unless the latest one already names it. */
  function checkpoint(): Checkpoint | undefined {
    if (timer) clearTimeout(timer)
    if (immediate) clearImmediate(immediate)
    timer = immediate = undefined
    pending = 0
    if (closed || sqlite.inTransaction) return undefined
    const head = last.get()
    const seq = head?.seq ?? 0
    if (seq === lastCheckpointSeq) return undefined
    const signed = signCheckpoint(keys, {
      seq,
      head: head?.hash ?? chainStart(keys),
      at: now().toISOString(),
    })
    anchor.append(signed)
    writeDbCheckpoint(db, signed)
    lastCheckpointSeq = seq
    return signed
  }

  /** Append in a transaction of its own (for events that change nothing else, like a failed log-in). */
  const appendAlone = (input: AuditInput) => sqlite.transaction(() => append(input))()

  /**
   * `AuditRecorder.record` for the services on the store (store/README.md): inside the caller's
   * store transaction, or in one of its own queued behind any that is open. `append` is
   * synchronous on the shared connection, so it joins the transaction that is open on it.
   */
  const record = (input: AuditInput): Promise<{ seq: number; hash: string }> => {
    if (!store) return Promise.resolve(appendAlone(input))
    if (store.sql.inTransaction()) return Promise.resolve(append(input))
    return store.transaction(async () => append(input))
  }

  function list(options: { limit: number; cursor?: number | undefined }) {
    const rows = db
      .select()
      .from(auditLog)
      .where(options.cursor ? gt(auditLog.seq, options.cursor) : undefined)
      .orderBy(asc(auditLog.seq))
      .limit(options.limit)
      .all()
    return {
      items: rows.map((row) => ({ seq: row.seq, hash: row.hash, record: readRecord(row.record) })),
      nextCursor: rows.length === options.limit ? rows[rows.length - 1]?.seq : undefined,
    }
  }

  /** A stored record, read by its schema (the trail is append-only: every record was written by `append`). */
  function readRecord(json: string): AuditRecord {
    return auditRecordSchema.parse(explanations.expand(JSON.parse(json)))
  }

  // The trail as it stands at start is anchored at once (a new installation anchors its empty trail).
  safeCheckpoint()

  return {
    append,
    appendAlone,
    record,
    list,
    checkpoint,
    verify: () => verifyTrail(db, keys, anchor),
    /** `verify` with the walk on worker threads (a large trail; the event loop stays free meanwhile). */
    verifyOnThreads: (options?: VerifyThreadOptions) => verifyTrailOnThreads(db, keys, anchor, options),
    /** A stored record's JSON, read whole (decisions with their explanations) and checked by its schema. */
    readRecord,
    explanations,
    /** A last checkpoint, then no more (called before the database closes). */
    close() {
      safeCheckpoint()
      closed = true
    },
  }
}
export type AuditService = ReturnType<typeof createAuditService>
