// Appending to the audit trail through the store, on either database: the record joins the
// caller's store transaction (so a change and its record commit or roll back together) or makes
// one of its own. Appends are serialised on the chain's key, so each links to the committed head:
// one chain, no gaps, no forks, with several processes appending at once on PostgreSQL.
import { canonicalJson } from '@carepath/dsl'
import type { Store } from '../store/store.ts'
import type { AuditInput } from './audit-entries.ts'
import { auditRecordOf, nextRow, type AuditPageReader, type AuditRow, type ChainKeys } from './audit-chain.ts'
import { storedDecision, type AuditedDecision, type StoredDecision } from './decision-why.ts'
import { recordJson, type AuditRecord } from './audit-record.ts'

/** What a service needs of the audit trail: to record what it did, in its transaction. */
export interface AuditRecorder {
  record(input: AuditInput): Promise<{ seq: number; hash: string }>
}

/** The key appends are serialised on (`Store.sql.serialize`). */
export const AUDIT_CHAIN_KEY = 'carepath:audit-chain'

export function createStoreAuditRecorder(store: Store, keys: ChainKeys, now: () => Date): AuditRecorder {
  async function storeShapes(decisions: readonly AuditedDecision[]): Promise<StoredDecision[]> {
    const out: StoredDecision[] = []
    for (const decision of decisions) {
      const { stored, shape } = storedDecision(decision)
      await store.sql.run('INSERT INTO audit_explanations (hash, explanation) VALUES (?, ?) ON CONFLICT DO NOTHING', [
        shape.hash,
        shape.json,
      ])
      out.push(stored)
    }
    return out
  }

  /** As audit.service stores it: a run step's decisions name their explanation's shape, stored once. */
  async function storedJson(record: AuditRecord): Promise<string> {
    if ((record.action !== 'run.start' && record.action !== 'run.step') || record.why.decisions.length === 0)
      return recordJson(record)
    return canonicalJson({ ...record, why: { ...record.why, decisions: await storeShapes(record.why.decisions) } })
  }

  async function append(input: AuditInput) {
    await store.sql.serialize(AUDIT_CHAIN_KEY)
    const previous = await store.sql.get<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    )
    const at = now().toISOString()
    const row = nextRow(keys, previous, at, await storedJson(auditRecordOf(input, at)))
    await store.sql.run('INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)', [
      row.seq,
      row.at,
      row.record,
      row.prev_hash,
      row.hash,
    ])
    return { seq: row.seq, hash: row.hash }
  }

  return {
    record: (input) => (store.sql.inTransaction() ? append(input) : store.transaction(() => append(input))),
  }
}

/** Pages of the trail by sequence number, from either database (for `verifyChainRows`). */
export function storeAuditPages(store: Store): AuditPageReader {
  return (afterSeq, limit) =>
    store.sql.all<AuditRow>(
      'SELECT seq, at, record, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?',
      [afterSeq, limit],
    )
}
