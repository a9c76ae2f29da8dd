// The audit chain, with no database in it: how the next record is linked, and a walk that checks
// stored rows one by one. The SQLite service, the PostgreSQL appender and both verifiers use this
// one code, so a record written on either backend verifies on the other (`db copy`).
import type { KeyStore } from '../keys/key-store.ts'
import type { AuditInput } from './audit-entries.ts'
import type { AuditRecord } from './audit-record.ts'
import { chainHash, GENESIS_HASH, keyedChainHash, keyedGenesis } from './chain-hash.ts'

/** A stored audit row, as both backends hold it. */
export interface AuditRow {
  seq: number
  at: string
  record: string
  prev_hash: string
  hash: string
}

/** The keys the chain needs (a subset of KeyStore). */
export type ChainKeys = Pick<KeyStore, 'auditChainKey' | 'installation' | 'legacyAuditThrough'>

/** The AuditEvent-shaped record for `input`, recorded at `at`. */
export function auditRecordOf(input: AuditInput, at: string): AuditRecord {
  const { who, role, outcome, entity, ...entry } = input
  return {
    resourceType: 'AuditEvent',
    recorded: at,
    outcome: outcome ?? 'success',
    agent: { who, role },
    entity: entity ?? {},
    ...entry,
  }
}

/** The chain's start: the keyed genesis, or the all-zero start of a legacy chain. */
export function chainStart(keys: ChainKeys): string {
  return keys.legacyAuditThrough > 0 ? GENESIS_HASH : keyedGenesis(keys.auditChainKey, keys.installation)
}

/** The row that follows `previous` (undefined: the trail is empty) for a record's canonical JSON, recorded at `at`. */
export function nextRow(
  keys: ChainKeys,
  previous: { seq: number; hash: string } | undefined,
  at: string,
  json: string,
): AuditRow {
  const seq = (previous?.seq ?? 0) + 1
  // New records are always keyed; only a legacy chain's existing records start from all zeros.
  const prevHash = previous?.hash ?? keyedGenesis(keys.auditChainKey, keys.installation)
  return {
    seq,
    at,
    record: json,
    prev_hash: prevHash,
    hash: keyedChainHash(keys.auditChainKey, prevHash, seq, at, json),
  }
}

/** Where a walk picks up: after the stored row `seq` whose hash is `hash` (undefined: from the start). */
export type WalkStart = { seq: number; hash: string } | undefined

/**
 * A walk along stored rows in sequence order: `check` says why a row breaks the chain (a gap, an
 * `at` that disagrees with its record, a wrong link or hash), or undefined when it continues it.
 * Started `after` a stored row, it checks what follows exactly as a walk from the start that
 * reached that row unbroken would, so a trail can be checked in pieces side by side.
 */
export function chainWalker(keys: ChainKeys, after?: WalkStart) {
  const legacy = keys.legacyAuditThrough
  let prev = after ? after.hash : chainStart(keys)
  let expectedSeq = after ? after.seq + 1 : 1
  return {
    /** The sequence number the next row must have. */
    get expectedSeq() {
      return expectedSeq
    },
    check(row: AuditRow): string | undefined {
      return this.checkFields(row.seq, row.at, row.record, row.prev_hash, row.hash)
    },
    /** `check` on a row's columns as they come (a raw SQLite walk makes no object per row). */
    checkFields(seq: number, at: string, record: string, prevHash: string, hash: string): string | undefined {
      if (seq !== expectedSeq) return `record ${expectedSeq} is missing`
      if (!record.includes(`"recorded":${JSON.stringify(at)}`))
        return `its at column (${at}) disagrees with the time in its record`
      if (prevHash !== prev) {
        if (seq === legacy + 1 && prevHash === GENESIS_HASH)
          return "the chain was rebuilt from the all-zero start: it does not begin at this installation's keyed genesis"
        return 'its link to the previous record does not match'
      }
      const expected =
        seq <= legacy ? chainHash(prev, record) : keyedChainHash(keys.auditChainKey, prev, seq, at, record)
      if (expected !== hash) return 'its content does not match its hash'
      prev = hash
      expectedSeq++
      return undefined
    },
  }
}

/** Reads rows after `afterSeq`, at most `limit`, in sequence order. */
export type AuditPageReader = (afterSeq: number, limit: number) => Promise<AuditRow[]>

/** Every row, page by page by sequence number (memory stays one page, whatever the trail's length). */
export async function* auditRows(readPage: AuditPageReader, pageSize = 1000): AsyncGenerator<AuditRow> {
  let after = 0
  for (;;) {
    const page = await readPage(after, pageSize)
    yield* page
    const last = page[page.length - 1]
    if (page.length < pageSize || !last) return
    after = last.seq
  }
}

export interface ChainVerdict {
  ok: boolean
  /** Records verified before the first broken one (all of them when ok). */
  checked: number
  /** The last record's sequence number and hash (0 and the chain's start for an empty trail). */
  head: { seq: number; hash: string }
  firstBroken?: { seq: number; reason: string } | undefined
}

/** Walk a trail from any backend; stops at the first broken record. */
export async function verifyChainRows(rows: AsyncIterable<AuditRow>, keys: ChainKeys): Promise<ChainVerdict> {
  const walker = chainWalker(keys)
  let head = { seq: 0, hash: chainStart(keys) }
  let checked = 0
  for await (const row of rows) {
    const expected = walker.expectedSeq
    const reason = walker.check(row)
    if (reason) return { ok: false, checked, head, firstBroken: { seq: expected, reason } }
    head = { seq: row.seq, hash: row.hash }
    checked++
  }
  return { ok: true, checked, head }
}
