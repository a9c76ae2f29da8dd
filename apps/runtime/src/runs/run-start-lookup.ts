// What a run start reads before it writes anything: the run its idempotency key already started,
// and the flow it asks for. Every run start makes this read, so it is one statement for both, and
// one for every run start asking meanwhile (`coalescedReads`).
import { coalescedReads, padded } from '../store/coalesced-reads.ts'
import type { SqlExecutor } from '../store/sql-executor.ts'
import type { RunRow } from './run-row.ts'

/** What a run start needs of its flow: whether it may start runs, and of which version. */
export interface FlowForRun {
  id: string
  status: string
  published_hash: string | null
}

/** What a run start reads before it starts a run (`startLookup`). */
export interface StartLookup {
  existing?: RunRow
  flow?: FlowForRun
}
/** One asked (flow, key) pair's row: the id of the run its key started, its flow's columns. */
interface StartLookupRow {
  l_key: string
  l_flow: string
  r_id: string | null
  f_id: string | null
  f_status: string | null
  f_published_hash: string | null
}

/**
 * The run store's start lookups, on `sql`; `runs` reads the rows of runs by a WHERE clause (the
 * store's own reader, so every run read names the same columns).
 */
export function createStartLookups(
  sql: SqlExecutor,
  runs: (where: string, params: (string | number)[]) => Promise<RunRow[]>,
) {
  const startLookups = coalescedReads(
    // JSON, not a separator: an id or key may hold any character.
    ({ key, flowId }: { key: string; flowId: string }) => JSON.stringify([flowId, key]),
    async (asked): Promise<Map<string, StartLookup>> => {
      // The run is found by a subquery rather than a join. PostgreSQL plans a prepared statement
      // once per connection and keeps the plan until the table's statistics change, which
      // autovacuum does only a minute or more after a new database's first runs: a join planned
      // while the runs table was small hashed all of it on every later call (0.5 ms each, growing
      // with the table), where a subquery on the unique key is an index probe per pair whatever
      // the table's size. No run has the empty key and no flow the empty id: the filler's row is
      // left out.
      const pairs = padded(asked, { key: '', flowId: '' })
      const rows = await sql.all<StartLookupRow>(
        `SELECT l.column1 AS l_key, l.column2 AS l_flow,
           (SELECT r.id FROM runs r WHERE r.idempotency_key = l.column1) AS r_id,
           f.id AS f_id, f.status AS f_status, f.published_hash AS f_published_hash
         FROM (VALUES ${pairs.map(() => '(?, ?)').join(', ')}) AS l
         LEFT JOIN flows f ON f.id = l.column2`,
        pairs.flatMap(({ key, flowId }) => [key, flowId]),
      )
      const existing = await runsWithIds(rows.flatMap(({ r_id }) => (r_id === null ? [] : [r_id])))
      const found = new Map<string, StartLookup>()
      for (const { l_key, l_flow, r_id, f_id, f_status, f_published_hash } of rows) {
        const run = r_id === null ? undefined : existing.get(r_id)
        const lookup: StartLookup = {
          ...(run ? { existing: run } : {}),
          ...(f_id !== null && f_status !== null
            ? { flow: { id: f_id, status: f_status, published_hash: f_published_hash } }
            : {}),
        }
        if (lookup.existing || lookup.flow) found.set(JSON.stringify([l_flow, l_key]), lookup)
      }
      return found
    },
    () => sql.inTransaction(),
  )
  /** The rows of the runs with these ids (a start lookup's replayed keys: none on most calls). */
  async function runsWithIds(ids: string[]): Promise<Map<string, RunRow>> {
    if (ids.length === 0) return new Map()
    const asked = padded(ids, '')
    const rows = await runs(`WHERE id IN (${asked.map(() => '?').join(', ')})`, asked)
    return new Map(rows.map((row) => [row.id, row]))
  }

  return {
    /**
     * What a run start reads: the run this idempotency key already started, if any, and the flow
     * asked for, if it exists. One statement for both, and for every run start asking meanwhile
     * (`coalescedReads`).
     */
    startLookup: (flowId: string, key: string): Promise<StartLookup> =>
      startLookups({ key, flowId }).then((found) => found ?? {}),
    /** The flow a run would start in, alone (the columns `StartLookup.flow` holds). */
    flowForRun: (flowId: string) =>
      sql.get<FlowForRun>('SELECT id, status, published_hash FROM flows WHERE id = ?', [flowId]),
  }
}
