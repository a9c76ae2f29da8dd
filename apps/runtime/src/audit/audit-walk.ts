// One stretch of the trail checked record by record, on either database: the rows from `from`
// through `through`, read a page at a time through the store and walked from the stored row
// before them. A whole trail is one stretch; `audit verify` on a large SQLite trail hands
// stretches to worker threads (audit-verify-threads.ts), each with its own read-only connection,
// and takes the first broken record of the first stretch that has one.
import type { SqlStore } from '../store/store.ts'
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

const PAGE_SQL =
  'SELECT seq, at, record, prev_hash, hash FROM audit_log WHERE seq >= ? AND seq <= ? ORDER BY seq ASC LIMIT ?'

/** A stored row as a page holds it: its columns in order, no object per row. */
export type PageRow = [seq: number, at: string, record: string, prevHash: string, hash: string]

/**
 * The one paged reader of the trail, on either database: at most `limit` rows `from` ≤ seq ≤
 * `through`, in sequence order (the walk here, and `storeAuditPages` for `verifyChainRows`).
 */
export async function auditPage(store: SqlStore, from: number, through: number, limit: number): Promise<PageRow[]> {
  return (await store.sql.values(PAGE_SQL, [from, through, limit])) as PageRow[]
}

/**
 * Walk one stretch; stops at its first broken record. The rows come a page at a time as arrays
 * (no object per row), and nothing is parsed: each record's canonical JSON is hashed as it is
 * stored. On SQLite, run it with the file mapped (`mapFile`).
 */
export async function walkStretch(store: SqlStore, keys: ChainKeys, stretch: Stretch): Promise<StretchVerdict> {
  const walker = chainWalker(keys, stretch.after)
  let checked = 0
  for (let from = stretch.from; from <= stretch.through;) {
    const rows = await auditPage(store, from, stretch.through, PAGE_ROWS)
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
 * On SQLite, map the database file into memory on this connection (no read call per database
 * page) for a walk; call what it returns to put the connection back as it was. One map for the
 * whole walk: mapping again per stretch would fault every page in again. Nothing on PostgreSQL.
 */
export async function mapFile(store: SqlStore): Promise<() => Promise<void>> {
  if (store.dialect !== 'sqlite') return async () => undefined
  const mapped = (await store.sql.values('PRAGMA mmap_size'))[0]?.[0]
  await store.sql.values(`PRAGMA mmap_size = ${WALK_MMAP_BYTES}`)
  return async () => {
    await store.sql.values(`PRAGMA mmap_size = ${typeof mapped === 'number' ? mapped : 0}`)
  }
}

/** `walk` with the file mapped (see mapFile). */
export async function withFileMapped<T>(store: SqlStore, walk: () => Promise<T>): Promise<T> {
  const unmap = await mapFile(store)
  try {
    return await walk()
  } finally {
    await unmap()
  }
}

/** The first and last sequence numbers of the trail (both read from the key's ends), or undefined when it is empty. */
export async function trailEnds(store: SqlStore): Promise<{ first: number; last: number } | undefined> {
  const row = await store.sql.get<{ first: number | null; last: number | null }>(
    'SELECT (SELECT min(seq) FROM audit_log) AS first, (SELECT max(seq) FROM audit_log) AS last',
  )
  return row && row.first !== null && row.last !== null
    ? { first: Number(row.first), last: Number(row.last) }
    : undefined
}

/**
 * The trail from `first` through `last` cut into stretches of about `rows` sequence numbers, each
 * walked on from the stored row before it (read here, so a stretch needs nothing from another).
 */
export async function stretchesOf(
  store: SqlStore,
  ends: { first: number; last: number },
  rows: number,
): Promise<Stretch[]> {
  const size = Math.max(1, Math.floor(rows))
  const stretches: Stretch[] = []
  for (let from = ends.first; from <= ends.last; from += size) {
    const after =
      from === ends.first
        ? undefined
        : await store.sql.get<{ seq: number; hash: string }>(
            'SELECT seq, hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1',
            [from],
          )
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
