// The shapes of audited explanations, stored once (see decision-why.ts): a step's decisions
// together (a path), or in records written before paths, one decision's. Written inside the
// transaction of the record that first names one, read back when a record is read. Rows are
// append-only (triggers) and named by their content's sha256, so `audit verify` can tell an
// edited shape from a true one without the chain.
import { z } from 'zod'
import type { SqlStore } from '../store/store.ts'
import { runSql, type Steps } from './audit-steps.ts'
import {
  decisionFromStored,
  decisionsFromStoredPath,
  explanationShapeSchema,
  pathShapeSchema,
  shapeHash,
  storedDecisionSchema,
  storedPath,
  storedPathSchema,
  type AuditedDecision,
  type StoredPath,
} from './decision-why.ts'

/** Shapes parsed and kept in memory for reads (a flow's decisions have a handful each). */
const CACHE = 1_000

// A stored run.start / run.step record, as far as its decisions go (the rest is read by the record's schema).
const storedRunRecordSchema = z
  .object({
    action: z.enum(['run.start', 'run.step']),
    why: z.object({ decisions: z.union([storedPathSchema, z.array(z.unknown())]) }).passthrough(),
  })
  .passthrough()

/** One per process and database (audit.service's): its caches speak for every shape this process writes. */
export function createExplanationStore(store: SqlStore) {
  // Shapes known to be committed: skipped on write. A shape written inside a transaction is
  // known committed only once that transaction is (see `committed`), so a rolled-back shape is
  // written again by the next record that names it. One this process has not written and finds
  // there already was committed by another transaction (PostgreSQL's ON CONFLICT waits for a
  // writer still open), so it is known from then on.
  const known = new Set<string>()
  const writtenHere = new Set<string>()
  const remember = (hash: string) => {
    if (known.size < 100_000) known.add(hash)
    writtenHere.delete(hash)
  }
  const parsed = new Map<string, unknown>()

  const byHash = (hash: string) =>
    store.sql.get<{ explanation: string }>('SELECT explanation FROM audit_explanations WHERE hash = ?', [hash])

  /** A stored shape, read through `schema` (a path's, or one decision's). */
  async function shapeOf<T>(hash: string, schema: z.ZodType<T>): Promise<T> {
    let json = parsed.get(hash)
    if (json === undefined) {
      const row = await byHash(hash)
      if (!row) throw new Error(`The audit trail names an explanation (${hash.slice(0, 12)}…) that is not stored.`)
      json = JSON.parse(row.explanation)
      if (parsed.size >= CACHE) parsed.delete(parsed.keys().next().value as string)
      parsed.set(hash, json)
    }
    return schema.parse(json)
  }

  return {
    /**
     * A step's decisions as its record stores them, as steps (audit-steps.ts) of the record's
     * append: their path is written (once) in its transaction. The hashes it writes are added to
     * `written` (shared by the records of one append, so a path goes in once).
     */
    *store(decisions: readonly AuditedDecision[], written: string[] = []): Steps<{ stored: StoredPath }> {
      const { stored, shape } = storedPath(decisions)
      if (!known.has(shape.hash) && !written.includes(shape.hash)) {
        const { changes } = yield* runSql(INSERT_SHAPE, [shape.hash, shape.json])
        if (changes > 0) {
          written.push(shape.hash)
          if (writtenHere.size < 100_000) writtenHere.add(shape.hash)
        } else if (!writtenHere.has(shape.hash)) remember(shape.hash)
      }
      return { stored }
    },
    /** Shapes written by a transaction that has committed: no need to write them again. */
    committed(hashes: readonly string[]): void {
      for (const hash of hashes) remember(hash)
    },
    /**
     * A stored record's JSON with its decisions whole again (records written before shapes were
     * stored once hold them whole already and are returned as they are).
     */
    async expand(record: unknown): Promise<unknown> {
      const run = storedRunRecordSchema.safeParse(record)
      if (!run.success) return record
      const stored = run.data.why.decisions
      if (!Array.isArray(stored)) {
        const decisions = decisionsFromStoredPath(stored, await shapeOf(stored.shape, pathShapeSchema))
        return { ...run.data, why: { ...run.data.why, decisions } }
      }
      const decisions: unknown[] = []
      for (const d of stored) {
        const one = storedDecisionSchema.safeParse(d)
        decisions.push(
          one.success ? decisionFromStored(one.data, await shapeOf(one.data.shape, explanationShapeSchema)) : d,
        )
      }
      return { ...run.data, why: { ...run.data.why, decisions } }
    },
    /** The shapes `hashes` name, for an archive that must stand without the database. */
    async rows(hashes: Iterable<string>): Promise<{ hash: string; explanation: string }[]> {
      const out: { hash: string; explanation: string }[] = []
      for (const hash of new Set(hashes)) {
        const row = await byHash(hash)
        if (row) out.push({ hash, explanation: row.explanation })
      }
      return out.sort((a, b) => a.hash.localeCompare(b.hash))
    },
  }
}
export type ExplanationStore = ReturnType<typeof createExplanationStore>

const INSERT_SHAPE = 'INSERT INTO audit_explanations (hash, explanation) VALUES (?, ?) ON CONFLICT DO NOTHING'

/** Stored explanations whose content no longer matches the hash they are named by (an edit), in plain sentences. */
export async function editedExplanations(store: SqlStore): Promise<string[]> {
  const out: string[] = []
  const rows = await store.sql.values('SELECT hash, explanation FROM audit_explanations ORDER BY hash')
  for (const [hash, explanation] of rows as [string, string][])
    if (shapeHash(explanation) !== hash)
      out.push(`The stored decision explanation ${hash.slice(0, 12)}… does not match its hash: it was edited.`)
  return out
}
