// Copying a SQLite installation into an empty PostgreSQL database. Every table of the PostgreSQL
// schema is filled from its SQLite twin, parents before children (foreign keys), in one
// transaction: a copy stopped half-way (an error, a kill -9) leaves the target as empty as it was.
// Values are copied as stored: JSON text (sealed ciphertext included) goes in byte for byte, as
// PostgreSQL's json type keeps text as given; only SQLite's 0/1 flags become booleans (and old
// text in a bytes column its bytes). The SQLite
// side is read inside one read transaction, so a runtime still writing to it cannot tear the copy.
import { is } from 'drizzle-orm'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import type pg from 'pg'
import type { Db } from './open-db.ts'
import * as pgSchema from './schema.pg.ts'

/** The copy cannot start; nothing was written. */
export class DbCopyError extends Error {
  override readonly name = 'DbCopyError'
}

interface TableToCopy {
  name: string
  columns: { name: string; boolean: boolean; bytes: boolean }[]
  primaryKey: string[]
  parents: string[]
}

function tablesOf(schema: Record<string, unknown>): TableToCopy[] {
  const tables: TableToCopy[] = []
  for (const value of Object.values(schema))
    if (is(value, PgTable)) {
      const config = getTableConfig(value)
      tables.push({
        name: config.name,
        columns: config.columns.map((c) => ({
          name: c.name,
          boolean: c.columnType === 'PgBoolean',
          bytes: c.getSQLType() === 'bytea',
        })),
        primaryKey: [
          ...config.columns.filter((c) => c.primary).map((c) => c.name),
          ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
        ],
        parents: config.foreignKeys.map((fk) => getTableConfig(fk.reference().foreignTable).name),
      })
    }
  return tables
}

/** Tables so that each comes after every table its foreign keys point at (ties by name, so the order is stable). */
export function copyOrder(schema: Record<string, unknown> = pgSchema): TableToCopy[] {
  const pending = new Map(tablesOf(schema).map((t) => [t.name, t]))
  const ordered: TableToCopy[] = []
  while (pending.size > 0) {
    const ready = [...pending.values()]
      .filter((t) => t.parents.every((p) => p === t.name || !pending.has(p)))
      .sort((a, b) => a.name.localeCompare(b.name))
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${[...pending.keys()].join(', ')}`)
    for (const t of ready) {
      ordered.push(t)
      pending.delete(t.name)
    }
  }
  return ordered
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`

/** The tables of the target that already hold rows ([] for an empty database). */
export async function nonEmptyTables(client: pg.ClientBase): Promise<string[]> {
  const found: string[] = []
  for (const table of copyOrder()) {
    const result = await client.query(`SELECT 1 FROM ${quote(table.name)} LIMIT 1`)
    if (result.rowCount) found.push(table.name)
  }
  return found
}

export interface TableCount {
  table: string
  sqlite: number
  postgres: number
}

/**
 * One value as PostgreSQL takes it: flags become booleans, text in a bytes column (a run batch
 * stored before batches were bytes) its UTF-8 bytes, everything else goes in as stored.
 */
function toPg(value: unknown, column: TableToCopy['columns'][number]): unknown {
  if (column.boolean && typeof value === 'number') return value !== 0
  if (column.bytes && typeof value === 'string') return Buffer.from(value, 'utf8')
  return value
}

/** Most bind parameters one statement may carry (PostgreSQL's limit is 65,535). */
const MAX_PARAMETERS = 60_000

/**
 * Copy every table from `source` into the (empty, migrated) database behind `client`, in one
 * transaction; then count rows on both sides. Refuses a target that already holds rows.
 */
export async function copySqliteToPg(source: Db, client: pg.ClientBase): Promise<TableCount[]> {
  const filled = await nonEmptyTables(client)
  if (filled.length > 0)
    throw new DbCopyError(
      `The target database is not empty (${filled.join(', ')} already hold rows); db copy only fills an empty database, so nothing was copied.`,
    )
  const sqlite = source.$client
  const tables = copyOrder()
  sqlite.exec('BEGIN')
  try {
    await client.query('BEGIN')
    try {
      for (const table of tables) await copyTable(sqlite, client, table)
      await advanceIdentities(client)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK')
      throw error
    }
    const counts: TableCount[] = []
    for (const table of tables) {
      const lite = sqlite.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${quote(table.name)}`).get()?.n ?? 0
      const pgCount = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table.name)}`)
      counts.push({ table: table.name, sqlite: lite, postgres: Number(pgCount.rows[0]?.n ?? 0) })
    }
    return counts
  } finally {
    sqlite.exec('COMMIT')
  }
}

async function copyTable(sqlite: Db['$client'], client: pg.ClientBase, table: TableToCopy): Promise<void> {
  const names = table.columns.map((c) => quote(c.name)).join(', ')
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / table.columns.length))
  // Rows in the order they went in; a table without a rowid (its key is the row) in its key's order.
  const withoutRowid = sqlite
    .prepare<[string], { wr: number }>('SELECT wr FROM pragma_table_list WHERE name = ?')
    .get(table.name)?.wr
  const order = withoutRowid ? table.primaryKey.map(quote).join(', ') : 'rowid'
  const rows = sqlite
    .prepare<[], Record<string, unknown>>(`SELECT ${names} FROM ${quote(table.name)} ORDER BY ${order}`)
    .iterate()
  let batch: unknown[][] = []
  const flush = async () => {
    if (batch.length === 0) return
    const width = table.columns.length
    const tuples = batch.map((_, r) => `(${table.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`)
    await client.query(`INSERT INTO ${quote(table.name)} (${names}) VALUES ${tuples.join(', ')}`, batch.flat())
    batch = []
  }
  for (const row of rows) {
    batch.push(table.columns.map((c) => toPg(row[c.name], c)))
    if (batch.length >= perStatement) await flush()
  }
  await flush()
}

/** Identity columns (hl7_outbound.seq) go on from the highest copied value, not from 1. */
async function advanceIdentities(client: pg.ClientBase): Promise<void> {
  const identities = await client.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'",
  )
  for (const { table_name: table, column_name: column } of identities.rows)
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), max_value, true) FROM (SELECT max(${quote(column)}) AS max_value FROM ${quote(table)}) m WHERE max_value IS NOT NULL`,
      [quote(table), column],
    )
}
