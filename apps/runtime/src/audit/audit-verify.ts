// Verifying the audit trail: the keyed hash chain record by record (content, link, sequence and
// `at` column), then the trail against every checkpoint signed by the installation, from the
// anchor outside the database and the copy inside it. A tail cut (by one record or ten), an
// emptied table, a chain rebuilt from the all-zero start, a deletion or swap with the chain
// rebuilt, an edited `at`, and a forged or foreign checkpoint are each reported in a sentence.
import { availableParallelism } from 'node:os'
import { editedExplanations } from './audit-explanations.ts'
import type { Db } from '../db/open-db.ts'
import type { KeyStore } from '../keys/key-store.ts'
import { checkpointSchema, checkpointSigned, type AnchorSink, type Checkpoint } from './audit-checkpoints.ts'
import type { AuditPageReader, AuditRow } from './audit-chain.ts'
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

/** The latest checkpoint as the database holds it (a copy: the anchor outside it is the witness). */
export function readDbCheckpoint(db: Db): Checkpoint | undefined {
  const row = db.$client
    .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    .get(DB_CHECKPOINT)
  if (!row) return undefined
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(row.value))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

export function writeDbCheckpoint(db: Db, checkpoint: Checkpoint): void {
  db.$client
    .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(DB_CHECKPOINT, JSON.stringify(checkpoint))
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** Recompute the whole chain and hold it against the signed checkpoints, in this thread. */
export function verifyTrail(db: Db, keys: KeyStore, anchor: AnchorSink): VerifyResult {
  const found = signedCheckpoints(db, keys, anchor)
  const ends = trailEnds(db.$client)
  const walk = ends
    ? withFileMapped(db.$client, () =>
        walkStretch(db.$client, keys, { after: undefined, from: ends.first, through: ends.last }),
      )
    : { checked: 0 }
  return verdictOf(db, keys, found, ends?.last ?? 0, walk)
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
}

/**
 * `verifyTrail` with the walk spread over worker threads, each reading the database file on its
 * own read-only connection: the same result, whatever the number of threads (the verdicts of the
 * stretches are joined in trail order). An in-memory database, one thread or a small trail is
 * walked in this thread.
 */
export async function verifyTrailOnThreads(
  db: Db,
  keys: KeyStore,
  anchor: AnchorSink,
  options: VerifyThreadOptions = {},
): Promise<VerifyResult> {
  const threads = options.threads ?? availableParallelism()
  const sqlite = db.$client
  const found = signedCheckpoints(db, keys, anchor)
  const ends = trailEnds(sqlite)
  if (!ends) return verdictOf(db, keys, found, 0, { checked: 0 })
  const walk =
    sqlite.memory ||
    threads < (options.thisThread === false ? 1 : 2) ||
    ends.last - ends.first + 1 < (options.minRecords ?? 50_000)
      ? withFileMapped(sqlite, () =>
          walkStretch(sqlite, keys, { after: undefined, from: ends.first, through: ends.last }),
        )
      : await walkOnThreads(
          sqlite,
          keys,
          stretchesOf(sqlite, ends, options.stretchRecords ?? 20_000),
          threads,
          options.thisThread ?? true,
        )
  return verdictOf(db, keys, found, ends.last, walk)
}

/** The checkpoints signed by this installation, and a sentence for each anchor or checkpoint problem. */
function signedCheckpoints(db: Db, keys: KeyStore, anchor: AnchorSink): { problems: string[]; signed: Checkpoint[] } {
  const problems: string[] = []
  const anchored = anchor.read()
  if (!anchored) problems.push(`The anchor file ${anchor.where} is missing: the trail cannot be checked for a cut end.`)
  else {
    if (anchored.checkpoints.length === 0)
      problems.push(`The anchor file ${anchor.where} holds no checkpoint: it was emptied or replaced.`)
    for (const line of anchored.damaged)
      problems.push(`Line ${line} of the anchor file ${anchor.where} is not a checkpoint: it was edited.`)
  }
  const inDb = readDbCheckpoint(db)
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
function hashesAt(db: Db, seqs: Iterable<number>): Map<number, string> {
  const read = db.$client.prepare<[number], { hash: string }>('SELECT hash FROM audit_log WHERE seq = ?')
  const hashes = new Map<number, string>()
  for (const seq of new Set(seqs)) {
    const row = read.get(seq)
    if (row) hashes.set(seq, row.hash)
  }
  return hashes
}

/** The walk's verdict held against the signed checkpoints: the trail must reach each with the hash it had then. */
function verdictOf(
  db: Db,
  keys: KeyStore,
  found: { problems: string[]; signed: Checkpoint[] },
  last: number,
  walk: StretchVerdict,
): VerifyResult {
  const { signed } = found
  const problems = [...found.problems]
  const { checked, firstBroken } = walk
  if (firstBroken) problems.unshift(`Record ${firstBroken.seq}: ${firstBroken.reason}.`)
  const legacy = keys.legacyAuditThrough
  const hashes = hashesAt(
    db,
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
  problems.push(...editedExplanations(db))
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

/** Pages of the SQLite trail by sequence number (for `verifyChainRows`, as on PostgreSQL). */
export function sqliteAuditPages(db: Db): AuditPageReader {
  const page = db.$client.prepare<[number, number], AuditRow>(
    'SELECT seq, at, record, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq ASC LIMIT ?',
  )
  return (afterSeq, limit) => Promise.resolve(page.all(afterSeq, limit))
}
