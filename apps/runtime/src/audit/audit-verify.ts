// Verifying the audit trail: the keyed hash chain record by record (content, link, sequence and
// `at` column), then the trail against every checkpoint signed by the installation, from the
// anchor outside the database and the copy inside it. A tail cut (by one record or ten), an
// emptied table, a chain rebuilt from the all-zero start, a deletion or swap with the chain
// rebuilt, an edited `at`, and a forged or foreign checkpoint are each reported in a sentence.
import { editedExplanations } from './audit-explanations.ts'
import type { Db } from '../db/open-db.ts'
import type { KeyStore } from '../keys/key-store.ts'
import { checkpointSchema, checkpointSigned, type AnchorSink, type Checkpoint } from './audit-checkpoints.ts'
import { chainWalker, type AuditPageReader, type AuditRow } from './audit-chain.ts'

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
/** How much of the database file the verifying walk maps into memory (address space, not RAM). */
const WALK_MMAP_BYTES = 1 << 30

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

/** Recompute the whole chain and hold it against the signed checkpoints. */
export function verifyTrail(db: Db, keys: KeyStore, anchor: AnchorSink): VerifyResult {
  const problems: string[] = []
  // Checkpoints first, so the walk can keep the hashes at their sequence numbers.
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
  const wanted = new Set(signed.map((c) => c.seq))
  const hashes = new Map<number, string>()

  const legacy = keys.legacyAuditThrough
  const walker = chainWalker(keys)
  // The walk is one sequential scan of the table: rows come as arrays (raw mode: no object per
  // row) through a memory map of the file (no read call per page), and nothing is parsed; the
  // record's canonical JSON is hashed as it is stored. The map is this connection's until the walk ends.
  const sqlite = db.$client
  const mapped = sqlite.pragma('mmap_size', { simple: true })
  sqlite.pragma(`mmap_size = ${WALK_MMAP_BYTES}`)
  const rows = sqlite
    .prepare<[], [number, string, string, string, string]>(
      'SELECT seq, at, record, prev_hash, hash FROM audit_log ORDER BY seq ASC',
    )
    .raw(true)
    .iterate()
  let checked = 0
  let last = 0
  let firstBroken: VerifyResult['firstBroken']
  try {
    for (const [seq, at, record, prevHash, hash] of rows) {
      last = seq
      if (wanted.has(seq)) hashes.set(seq, hash)
      if (firstBroken) continue
      const expectedSeq = walker.expectedSeq
      const reason = walker.checkFields(seq, at, record, prevHash, hash)
      if (reason) firstBroken = { seq: expectedSeq, reason }
      else checked++
    }
  } finally {
    sqlite.pragma(`mmap_size = ${typeof mapped === 'number' ? mapped : 0}`)
  }
  if (firstBroken) problems.unshift(`Record ${firstBroken.seq}: ${firstBroken.reason}.`)

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
