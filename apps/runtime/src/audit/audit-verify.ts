// Verifying the audit trail: the keyed hash chain record by record (content, link, sequence and
// `at` column), then the trail against every checkpoint signed by the installation, from the
// anchor outside the database and the copy inside it. A tail cut (by one record or ten), an
// emptied table, a chain rebuilt from the all-zero start, a deletion or swap with the chain
// rebuilt, an edited `at`, and a forged or foreign checkpoint are each reported in a sentence.
import { availableParallelism } from 'node:os'
import { editedExplanations } from './audit-explanations.ts'
import type { KeyStore } from '../keys/key-store.ts'
import type { SqlStore } from '../store/store.ts'
import { checkpointSchema, checkpointSigned, type AnchorSink, type Checkpoint } from './audit-checkpoints.ts'
import { getRow, runOnStore, runSql, serialize, type Steps } from './audit-steps.ts'
import { walkOnThreads } from './audit-verify-threads.ts'
import { stretchesOf, trailEnds, walkStretch, withFileMapped, type StretchVerdict } from './audit-walk.ts'

export interface VerifyResult {
  ok: boolean
  /** Records verified before the first broken one (all of them when ok). */
  checked: number
  /** The first record whose hash, link, sequence or time does not match, by sequence number. */
  firstBroken?: { seq: number; reason: string } | undefined
  /** The latest checkpoint signed by this installation the trail was held against. */
  checkpoint?: { seq: number; at: string } | undefined
  /** Every problem found, in plain sentences, the first broken record's first. */
  problems: string[]
}

const DB_CHECKPOINT = 'audit.checkpoint'
/** The key checkpoint writes are serialised on: a newer one is never replaced by an older one. */
const CHECKPOINT_KEY = 'carepath:audit-checkpoint'

/** The latest checkpoint as the database holds it (a copy: the anchor outside it is the witness). */
export async function readDbCheckpoint(store: SqlStore): Promise<Checkpoint | undefined> {
  return runOnStore(store, readDbCheckpointSteps())
}

/** `readDbCheckpoint` as steps (audit-steps.ts). */
export function* readDbCheckpointSteps(): Steps<Checkpoint | undefined> {
  const row = yield* getRow<{ value: string }>('SELECT value FROM settings WHERE key = ?', [DB_CHECKPOINT])
  if (!row) return undefined
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(row.value))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/**
 * Keep `checkpoint` as the database's copy, unless the copy there is a later one signed by this
 * installation: several processes sign checkpoints of the one trail, each of the committed head
 * it read, and may write them out of order. Any checkpoint of a committed head stays true, so
 * verification holds whichever is kept; keeping the latest makes the copy the strongest witness.
 * As steps (audit-steps.ts), to run inside a transaction.
 */
export function* writeDbCheckpointSteps(keys: KeyStore, checkpoint: Checkpoint): Steps<void> {
  yield* serialize(CHECKPOINT_KEY)
  const current = yield* readDbCheckpointSteps()
  if (current && current.seq > checkpoint.seq && checkpointSigned(keys, current)) return
  yield* runSql(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [DB_CHECKPOINT, JSON.stringify(checkpoint)],
  )
}

/** `writeDbCheckpointSteps` in a transaction of its own. */
export async function writeDbCheckpoint(store: SqlStore, keys: KeyStore, checkpoint: Checkpoint): Promise<void> {
  await store.transaction(() => runOnStore(store, writeDbCheckpointSteps(keys, checkpoint)))
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** Recompute the whole chain and hold it against the signed checkpoints, in this thread. */
export async function verifyTrail(store: SqlStore, keys: KeyStore, anchor: AnchorSink): Promise<VerifyResult> {
  const found = await signedCheckpoints(store, keys, anchor)
  const ends = await trailEnds(store)
  const walk = ends
    ? await withFileMapped(store, () =>
        walkStretch(store, keys, { after: undefined, from: ends.first, through: ends.last }),
      )
    : { checked: 0 }
  return verdictOf(store, keys, found, ends?.last ?? 0, walk)
}

export interface VerifyThreadOptions {
  /** Worker threads to walk the trail on (the machine's cores by default). */
  threads?: number
  /** Below this many records (by sequence number) the trail is walked in this thread: starting threads would cost more. */
  minRecords?: number
  /** Records per stretch handed to a thread. */
  stretchRecords?: number
  /**
   * Whether this thread walks stretches beside the workers (the default). False leaves them all
   * to `threads` workers, which makes sure a small trail is walked by workers at all.
   */
  thisThread?: boolean
  /**
   * The SQLite database's file, for the workers to open read-only. Without it (PostgreSQL, or an
   * in-memory database) the trail is walked in this thread, a page at a time.
   */
  file?: string | undefined
}

/**
 * `verifyTrail` with the walk spread over worker threads, each reading the database file on its
 * own read-only connection: the same result, whatever the number of threads (the verdicts of the
 * stretches are joined in trail order). Without a file (PostgreSQL, an in-memory database), with
 * one thread or a small trail, it is walked in this thread.
 */
export async function verifyTrailOnThreads(
  store: SqlStore,
  keys: KeyStore,
  anchor: AnchorSink,
  options: VerifyThreadOptions = {},
): Promise<VerifyResult> {
  const threads = options.threads ?? availableParallelism()
  const found = await signedCheckpoints(store, keys, anchor)
  const ends = await trailEnds(store)
  if (!ends) return verdictOf(store, keys, found, 0, { checked: 0 })
  const file = store.dialect === 'sqlite' ? options.file : undefined
  const walk =
    file === undefined ||
    threads < (options.thisThread === false ? 1 : 2) ||
    ends.last - ends.first + 1 < (options.minRecords ?? 50_000)
      ? await withFileMapped(store, () =>
          walkStretch(store, keys, { after: undefined, from: ends.first, through: ends.last }),
        )
      : await walkOnThreads(
          store,
          file,
          keys,
          await stretchesOf(store, ends, options.stretchRecords ?? 20_000),
          threads,
          options.thisThread ?? true,
        )
  return verdictOf(store, keys, found, ends.last, walk)
}

/** The checkpoints signed by this installation, and a sentence for each anchor or checkpoint problem. */
async function signedCheckpoints(
  store: SqlStore,
  keys: KeyStore,
  anchor: AnchorSink,
): Promise<{ problems: string[]; signed: Checkpoint[] }> {
  const problems: string[] = []
  const anchored = anchor.read()
  if (!anchored) problems.push(`The anchor file ${anchor.where} is missing: the trail cannot be checked for a cut end.`)
  else {
    if (anchored.checkpoints.length === 0)
      problems.push(`The anchor file ${anchor.where} holds no checkpoint: it was emptied or replaced.`)
    for (const line of anchored.damaged)
      problems.push(`Line ${line} of the anchor file ${anchor.where} is not a checkpoint: it was edited.`)
  }
  const inDb = await readDbCheckpoint(store)
  const candidates = [...(anchored?.checkpoints ?? []), ...(inDb ? [inDb] : [])]
  const signed: Checkpoint[] = []
  for (const c of candidates) {
    if (checkpointSigned(keys, c)) signed.push(c)
    else
      problems.push(
        c.installation === keys.installation
          ? `A checkpoint for record ${c.seq} is not signed by this installation's key: it was forged or signed with another key.`
          : `A checkpoint for record ${c.seq} belongs to another installation (${c.installation}).`,
      )
  }
  return { problems, signed }
}

/** The stored hashes of the records at `seqs` (those that exist). */
async function hashesAt(store: SqlStore, seqs: Iterable<number>): Promise<Map<number, string>> {
  const hashes = new Map<number, string>()
  for (const seq of new Set(seqs)) {
    const row = await store.sql.get<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = ?', [seq])
    if (row) hashes.set(seq, row.hash)
  }
  return hashes
}

/** The walk's verdict held against the signed checkpoints: the trail must reach each with the hash it had then. */
async function verdictOf(
  store: SqlStore,
  keys: KeyStore,
  found: { problems: string[]; signed: Checkpoint[] },
  last: number,
  walk: StretchVerdict,
): Promise<VerifyResult> {
  const { signed } = found
  const problems = [...found.problems]
  const { checked, firstBroken } = walk
  if (firstBroken) problems.unshift(`Record ${firstBroken.seq}: ${firstBroken.reason}.`)
  const legacy = keys.legacyAuditThrough
  const hashes = await hashesAt(
    store,
    signed.map((c) => c.seq),
  )

  // The trail must reach every signed checkpoint, with the hash it had then.
  const latest = signed.reduce<Checkpoint | undefined>((a, c) => (!a || c.seq > a.seq ? c : a), undefined)
  let cut: { seq: number; reason: string } | undefined
  if (latest && latest.seq > last) {
    const missing = latest.seq - last
    cut = {
      seq: last + 1,
      reason:
        last === 0
          ? `the trail is empty, but a checkpoint signed at ${latest.at} covers ${plural(latest.seq, 'record')}: the table was emptied`
          : `the trail ends at record ${last}, but a checkpoint signed at ${latest.at} covers ${plural(latest.seq, 'record')}: ${plural(missing, 'record')} ${missing === 1 ? 'was' : 'were'} cut from its end`,
    }
  } else if (last < legacy) {
    cut = {
      seq: last + 1,
      reason: `the trail ends at record ${last}, but it held ${plural(legacy, 'record')} when the installation's keys were made: ${plural(legacy - last, 'record')} ${legacy - last === 1 ? 'was' : 'were'} cut from its end`,
    }
  }
  if (cut) problems.push(`Record ${cut.seq}: ${cut.reason}.`)
  const rewritten = signed
    .filter((c) => c.seq > 0 && hashes.has(c.seq) && hashes.get(c.seq) !== c.head)
    .sort((a, b) => a.seq - b.seq)[0]
  if (rewritten)
    problems.push(
      `Record ${rewritten.seq} does not have the hash the checkpoint signed at ${rewritten.at} names: the chain was rewritten.`,
    )
  // Explanations are stored once and named by their sha256 in records: an edited one no longer matches its name.
  problems.push(...(await editedExplanations(store)))
  const broken =
    firstBroken ??
    (rewritten
      ? { seq: rewritten.seq, reason: 'the chain was rewritten: its hash differs from the signed checkpoint' }
      : cut)
  return {
    ok: problems.length === 0,
    checked,
    ...(broken ? { firstBroken: broken } : {}),
    ...(latest ? { checkpoint: { seq: latest.seq, at: latest.at } } : {}),
    problems,
  }
}
