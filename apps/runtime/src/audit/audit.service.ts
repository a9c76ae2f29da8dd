import { AsyncResource } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import type { KeyStore } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { signCheckpoint, type AnchorSink, type Checkpoint } from './audit-checkpoints.ts'
import type { AuditInput } from './audit-entries.ts'
import { chainStart } from './audit-chain.ts'
import { createExplanationStore } from './audit-explanations.ts'
import { auditRecordSchema, type AuditRecord } from './audit-record.ts'
import { createStoreAuditRecorder, HEAD_SQL } from './audit-recorder.ts'
import { getRow, runOnSqlite, runOnStore, type Steps } from './audit-steps.ts'
import {
  readDbCheckpoint,
  readDbCheckpointSteps,
  verifyTrail,
  verifyTrailOnThreads,
  writeDbCheckpointSteps,
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
  /**
   * On SQLite: the better-sqlite3 connection the store is over: its last checkpoint is written
   * synchronously on close, and `audit verify`'s worker threads get the file to open.
   */
  sqlite?: Database.Database
}

/**
 * The audit trail, on the store (either database). `record` must be called inside the store
 * transaction that makes the change it records, so a change and its record commit (or roll back)
 * together. Records are chained by an HMAC keyed outside the database; checkpoints (seq + head
 * hash, signed) go to the database and to the anchor after every `checkpointEvery` records,
 * within `checkpointDelayMs` of any record, at start and on close, so a trail cut short is told
 * from one that ended there.
 */
export function createAuditService(store: Store, now: () => Date, trail: AuditTrailOptions) {
  const { keys, anchor, sqlite } = trail
  const every = trail.checkpointEvery ?? 1000
  const delayMs = trail.checkpointDelayMs ?? 1000
  const onError =
    trail.onCheckpointError ?? ((error: unknown) => console.error('carepath: audit checkpoint not written:', error))

  const explanations = createExplanationStore(store)
  const recorder = createStoreAuditRecorder(store, keys, now, {
    explanations,
    onRecorded: ({ count }) => scheduleCheckpoint(count),
  })

  /**
   * `AuditRecorder.record`: with the caller's store transaction (appended as it commits), or in
   * one of its own queued behind any that is open.
   */
  const record = (input: AuditInput): Promise<void> => recorder.record(input)

  // Checkpoints are signed after the commit, of the committed head: the timers run outside any
  // transaction (bound to this context, not the recording one's), so one never names a head that
  // was rolled back, and on PostgreSQL reads what other processes committed too.
  let pending = 0
  let timer: NodeJS.Timeout | undefined
  let immediate: NodeJS.Immediate | undefined
  let closed = false
  let lastCheckpointSeq: number | undefined
  const detached = AsyncResource.bind(() => void safeCheckpoint())
  function scheduleCheckpoint(records: number) {
    pending += records
    if (pending >= every) immediate ??= setImmediate(detached)
    else if (!timer) timer = setTimeout(detached, delayMs).unref()
  }
  async function safeCheckpoint(): Promise<void> {
    try {
      await checkpoint()
    } catch (error) {
      onError(error)
    }
  }

  /**
   * Sign a checkpoint of `head` (the committed head), unless the latest one already names it, as
   * steps to run in a transaction. The database's copy never goes back to an earlier one
   * (several processes may write checkpoints: writeDbCheckpointSteps).
   */
  function* checkpointSteps(head: { seq: number; hash: string } | undefined): Steps<Checkpoint | undefined> {
    const seq = head ? Number(head.seq) : 0
    if (seq === lastCheckpointSeq) return undefined
    const signed = signCheckpoint(keys, { seq, head: head?.hash ?? chainStart(keys), at: now().toISOString() })
    anchor.append(signed)
    yield* writeDbCheckpointSteps(keys, signed)
    lastCheckpointSeq = seq
    return signed
  }

  function clearSchedule() {
    if (timer) clearTimeout(timer)
    if (immediate) clearImmediate(immediate)
    timer = immediate = undefined
    pending = 0
  }

  /** Sign and write a checkpoint of the committed head, unless the latest one already names it. */
  async function checkpoint(): Promise<Checkpoint | undefined> {
    clearSchedule()
    // Inside a transaction the head read could be one not yet committed.
    if (closed || store.sql.inTransaction()) return undefined
    lastCheckpointSeq ??= (await readDbCheckpoint(store))?.seq ?? -1
    const head = await runOnStore(store, getRow<{ seq: number; hash: string }>(HEAD_SQL))
    return store.transaction(() => runOnStore(store, checkpointSteps(head)))
  }

  /** On SQLite, the checkpoint on close is written at once: the connection closes right after. */
  function checkpointNow(connection: Database.Database): void {
    clearSchedule()
    if (connection.inTransaction || !connection.open) return
    lastCheckpointSeq ??= runOnSqlite(connection, readDbCheckpointSteps())?.seq ?? -1
    const head = runOnSqlite(connection, getRow<{ seq: number; hash: string }>(HEAD_SQL))
    connection.transaction(() => runOnSqlite(connection, checkpointSteps(head)))()
  }

  async function list(options: { limit: number; cursor?: number | undefined }) {
    const rows = (await store.sql.values('SELECT seq, hash, record FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [
      options.cursor ?? 0,
      options.limit,
    ])) as [number, string, string][]
    const items: { seq: number; hash: string; record: AuditRecord }[] = []
    for (const [seq, hash, json] of rows) items.push({ seq: Number(seq), hash, record: await readRecord(json) })
    return { items, nextCursor: rows.length === options.limit ? items[items.length - 1]?.seq : undefined }
  }

  /** A stored record, read by its schema (the trail is append-only: every record was written by `record`). */
  async function readRecord(json: string): Promise<AuditRecord> {
    return auditRecordSchema.parse(await explanations.expand(JSON.parse(json)))
  }

  // The trail as it stands at start is anchored at once (a new installation anchors its empty trail).
  const started = safeCheckpoint()
  const file = sqlite && !sqlite.memory ? sqlite.name : undefined

  return {
    record,
    list,
    checkpoint,
    verify: () => verifyTrail(store, keys, anchor),
    /** `verify` with the walk on worker threads (a large SQLite trail; the event loop stays free meanwhile). */
    verifyOnThreads: (options?: VerifyThreadOptions) =>
      verifyTrailOnThreads(store, keys, anchor, { ...(file ? { file } : {}), ...options }),
    /** A stored record's JSON, read whole (decisions with their explanations) and checked by its schema. */
    readRecord,
    explanations,
    /** Settles once the checkpoint at start is written. */
    started,
    /**
     * A last checkpoint, then no more (called before the database closes). On SQLite it is
     * written before this returns, so the connection can be closed right after.
     */
    async close(): Promise<void> {
      if (closed) return
      if (sqlite) {
        try {
          checkpointNow(sqlite)
        } catch (error) {
          onError(error)
        }
      } else await safeCheckpoint()
      closed = true
    },
  }
}
export type AuditService = ReturnType<typeof createAuditService>
