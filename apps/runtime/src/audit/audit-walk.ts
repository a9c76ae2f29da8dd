// One stretch of the SQLite trail checked record by record: the rows from `from` through
// `through`, walked from the stored row before them. A whole trail is one stretch; `audit verify`
// on a large trail hands stretches to worker threads (audit-verify-threads.ts), each with its own
// read-only connection, and takes the first broken record of the first stretch that has one.
import type Database from 'better-sqlite3'
import { chainWalker, type ChainKeys, type WalkStart } from './audit-chain.ts'

/** Rows `from` ≤ seq ≤ `through`, walked on from `after` (the stored row before `from`, if any). */
export interface Stretch {
  after?: WalkStart
  from: number
  through: number
}

export interface StretchVerdict {
  /** Records verified before the first broken one (all of the stretch's when none is). */
  checked: number
  firstBroken?: { seq: number; reason: string } | undefined
}

/** How much of the database file a walk maps into memory (address space, not RAM). */
const WALK_MMAP_BYTES = 1 << 30

/** Rows read per statement call: whole pages of arrays cost less per row than stepping an iterator. */
const PAGE_ROWS = 1000

/**
 * Walk one stretch; stops at its first broken record. The rows come a page at a time as arrays
 * (raw mode: no object per row), and nothing is parsed: each record's canonical JSON is hashed
 * as it is stored. Run it with the file mapped (`mapFile`).
 */
export function walkStretch(sqlite: Database.Database, keys: ChainKeys, stretch: Stretch): StretchVerdict {
  const walker = chainWalker(keys, stretch.after)
  const page = sqlite
    .prepare<[number, number, number], [number, string, string, string, string]>(
      'SELECT seq, at, record, prev_hash, hash FROM audit_log WHERE seq >= ? AND seq <= ? ORDER BY seq ASC LIMIT ?',
    )
    .raw(true)
  let checked = 0
  for (let from = stretch.from; from <= stretch.through;) {
    const rows = page.all(from, stretch.through, PAGE_ROWS)
    for (const [seq, at, record, prevHash, hash] of rows) {
      const expectedSeq = walker.expectedSeq
      const reason = walker.checkFields(seq, at, record, prevHash, hash)
      if (reason) return { checked, firstBroken: { seq: expectedSeq, reason } }
      checked++
    }
    const last = rows[rows.length - 1]
    if (rows.length < PAGE_ROWS || !last) break
    from = last[0] + 1
  }
  return { checked }
}

/**
 * Map the database file into memory on this connection (no read call per database page) for a
 * walk; call what it returns to put the connection back as it was. One map for the whole walk:
 * mapping again per stretch would fault every page in again.
 */
export function mapFile(sqlite: Database.Database): () => void {
  const mapped = sqlite.pragma('mmap_size', { simple: true })
  sqlite.pragma(`mmap_size = ${WALK_MMAP_BYTES}`)
  return () => sqlite.pragma(`mmap_size = ${typeof mapped === 'number' ? mapped : 0}`)
}

/** `walk` with the file mapped (see mapFile). */
export function withFileMapped<T>(sqlite: Database.Database, walk: () => T): T {
  const unmap = mapFile(sqlite)
  try {
    return walk()
  } finally {
    unmap()
  }
}

/** The first and last sequence numbers of the trail (both read from the key's ends), or undefined when it is empty. */
export function trailEnds(sqlite: Database.Database): { first: number; last: number } | undefined {
  const row = sqlite
    .prepare<[], { first: number | null; last: number | null }>(
      'SELECT (SELECT min(seq) FROM audit_log) AS first, (SELECT max(seq) FROM audit_log) AS last',
    )
    .get()
  return row && row.first !== null && row.last !== null ? { first: row.first, last: row.last } : undefined
}

/**
 * The trail from `first` through `last` cut into stretches of about `rows` sequence numbers, each
 * walked on from the stored row before it (read here, so a stretch needs nothing from another).
 */
export function stretchesOf(sqlite: Database.Database, ends: { first: number; last: number }, rows: number): Stretch[] {
  const before = sqlite.prepare<[number], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1',
  )
  const size = Math.max(1, Math.floor(rows))
  const stretches: Stretch[] = []
  for (let from = ends.first; from <= ends.last; from += size) {
    const after = from === ends.first ? undefined : before.get(from)
    stretches.push({ after, from, through: Math.min(ends.last, from + size - 1) })
  }
  return stretches
}

/** The stretches' verdicts, in trail order, as one walk from the start gives them. */
export function joinVerdicts(verdicts: readonly StretchVerdict[]): StretchVerdict {
  let checked = 0
  for (const verdict of verdicts) {
    checked += verdict.checked
    if (verdict.firstBroken) return { checked, firstBroken: verdict.firstBroken }
  }
  return { checked }
}
