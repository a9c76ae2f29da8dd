// The shapes of audited explanations, stored once (see decision-why.ts): written inside the
// transaction of the record that first names one, read back when a record is read. Rows are
// append-only (triggers) and named by their content's sha256, so `audit verify` can tell an
// edited shape from a true one without the chain.
import { z } from 'zod'
import type { Db } from '../db/open-db.ts'
import {
  decisionFromStored,
  explanationShapeSchema,
  shapeHash,
  storedDecision,
  storedDecisionSchema,
  type AuditedDecision,
  type ExplanationShape,
  type StoredDecision,
} from './decision-why.ts'

/** Shapes parsed and kept in memory for reads (a flow's decisions have a handful each). */
const CACHE = 1_000

// A stored run.start / run.step record, as far as its decisions go (the rest is read by the record's schema).
const storedRunRecordSchema = z
  .object({
    action: z.enum(['run.start', 'run.step']),
    why: z.object({ decisions: z.array(z.unknown()) }).passthrough(),
  })
  .passthrough()

export function createExplanationStore(db: Db) {
  const sql = db.$client
  const insert = sql.prepare('INSERT OR IGNORE INTO audit_explanations (hash, explanation) VALUES (?, ?)')
  const byHash = sql.prepare<[string], { explanation: string }>(
    'SELECT explanation FROM audit_explanations WHERE hash = ?',
  )
  // Shapes known to be committed: skipped on write. One written by a transaction is added after
  // it ends (a microtask) and only if its row is there, so a rolled-back shape is written again.
  const committed = new Set<string>()
  const parsed = new Map<string, ExplanationShape>()

  function save(shape: { hash: string; json: string }): void {
    if (committed.has(shape.hash)) return
    insert.run(shape.hash, shape.json)
    queueMicrotask(() => {
      if (committed.size < 100_000 && byHash.get(shape.hash)) committed.add(shape.hash)
    })
  }

  function shapeOf(hash: string): ExplanationShape {
    let shape = parsed.get(hash)
    if (shape) return shape
    const row = byHash.get(hash)
    if (!row) throw new Error(`The audit trail names an explanation (${hash.slice(0, 12)}…) that is not stored.`)
    shape = explanationShapeSchema.parse(JSON.parse(row.explanation))
    if (parsed.size >= CACHE) parsed.delete(parsed.keys().next().value as string)
    parsed.set(hash, shape)
    return shape
  }

  return {
    /** The decisions as a record stores them; their shapes are written (once) in the caller's transaction. */
    store(decisions: readonly AuditedDecision[]): StoredDecision[] {
      return decisions.map((decision) => {
        const { stored, shape } = storedDecision(decision)
        save(shape)
        return stored
      })
    },
    /**
     * A stored record's JSON with its decisions whole again (records written before shapes were
     * stored once hold them whole already and are returned as they are).
     */
    expand(record: unknown): unknown {
      const run = storedRunRecordSchema.safeParse(record)
      if (!run.success) return record
      const decisions = run.data.why.decisions.map((d) => {
        const stored = storedDecisionSchema.safeParse(d)
        return stored.success ? decisionFromStored(stored.data, shapeOf(stored.data.shape)) : d
      })
      return { ...run.data, why: { ...run.data.why, decisions } }
    },
    /** The shapes `hashes` name, for an archive that must stand without the database. */
    rows(hashes: Iterable<string>): { hash: string; explanation: string }[] {
      const out: { hash: string; explanation: string }[] = []
      for (const hash of new Set(hashes)) {
        const row = byHash.get(hash)
        if (row) out.push({ hash, explanation: row.explanation })
      }
      return out.sort((a, b) => a.hash.localeCompare(b.hash))
    },
  }
}
export type ExplanationStore = ReturnType<typeof createExplanationStore>

/** Stored explanations whose content no longer matches the hash they are named by (an edit), in plain sentences. */
export function editedExplanations(db: Db): string[] {
  const out: string[] = []
  const rows = db.$client
    .prepare<[], { hash: string; explanation: string }>('SELECT hash, explanation FROM audit_explanations')
    .iterate()
  for (const row of rows)
    if (shapeHash(row.explanation) !== row.hash)
      out.push(`The stored decision explanation ${row.hash.slice(0, 12)}… does not match its hash: it was edited.`)
  return out
}
