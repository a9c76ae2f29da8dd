// Holding the SQLite and PostgreSQL schemas in step: each table of either is reduced to a
// dialect-free shape (columns with a kind, nullability, default; primary key; unique constraints;
// indexes; foreign keys) and the two are compared, each difference named in a sentence.
import { is, SQL } from 'drizzle-orm'
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'

/** A column's kind as both dialects understand it (integer covers PostgreSQL's integer and bigint). */
export type ColumnKind = 'text' | 'json' | 'integer' | 'boolean' | 'bytes' | `unknown ${string}`

const KINDS: Record<string, ColumnKind> = {
  SQLiteText: 'text',
  SQLiteTextJson: 'json',
  SQLiteInteger: 'integer',
  SQLiteBoolean: 'boolean',
  SQLiteBlobBuffer: 'bytes',
  PgText: 'text',
  PgJson: 'json',
  PgJsonb: 'json',
  PgInteger: 'integer',
  PgBigInt53: 'integer',
  PgSerial: 'integer',
  PgBoolean: 'boolean',
}

export interface ColumnShape {
  kind: ColumnKind
  notNull: boolean
  hasDefault: boolean
}

export interface TableShape {
  columns: Map<string, ColumnShape>
  /** Column names of the primary key, in order ([] for none). */
  primaryKey: string[]
  /** Unique constraints, each as its column list: `(a, b)`. */
  uniques: string[]
  /** Indexes by name: `unique (a, b)` or `(a, b)`. */
  indexes: Map<string, string>
  /** Foreign keys: `(a) → other(b)`. */
  foreignKeys: string[]
}

/** One dialect's schema: table name → shape. */
export type SchemaShape = Map<string, TableShape>

const list = (names: string[]) => `(${names.join(', ')})`
const nameOf = (column: unknown): string =>
  is(column, SQL)
    ? 'an expression'
    : typeof column === 'object' && column && 'name' in column
      ? String(column.name)
      : '?'

interface CommonConfig {
  name: string
  columns: {
    name: string
    columnType: string
    getSQLType(): string
    notNull: boolean
    primary: boolean
    isUnique: boolean
    hasDefault: boolean
  }[]
  primaryKeys: { columns: { name: string }[] }[]
  uniqueConstraints: { columns: { name: string }[] }[]
  indexes: { config: { name?: string | undefined; unique: boolean; columns: unknown[] } }[]
  foreignKeys: { reference(): { columns: { name: string }[]; foreignColumns: { name: string; table: unknown }[] } }[]
}

type Column = CommonConfig['columns'][number]

/** A custom PostgreSQL column is known by its SQL type (bytea is one: pg-core has none of its own). */
const kindOf = (c: Column): ColumnKind =>
  c.columnType === 'PgCustomColumn' && c.getSQLType() === 'bytea'
    ? 'bytes'
    : (KINDS[c.columnType] ?? `unknown ${c.columnType}`)

function shapeOf(
  config: CommonConfig,
  tableName: (table: unknown) => string,
  hasDefault: (column: Column) => boolean = (c) => c.hasDefault,
): TableShape {
  const columns = new Map<string, ColumnShape>()
  for (const c of config.columns)
    columns.set(c.name, {
      kind: kindOf(c),
      notNull: c.notNull,
      hasDefault: hasDefault(c),
    })
  const primaryKey = [
    ...config.columns.filter((c) => c.primary).map((c) => c.name),
    ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
  ]
  const uniques = [
    ...config.columns.filter((c) => c.isUnique).map((c) => list([c.name])),
    ...config.uniqueConstraints.map((u) => list(u.columns.map((c) => c.name))),
  ].sort()
  const indexes = new Map(
    config.indexes.map((i) => [
      i.config.name ?? '(unnamed)',
      `${i.config.unique ? 'unique ' : ''}${list(i.config.columns.map(nameOf))}`,
    ]),
  )
  const foreignKeys = config.foreignKeys
    .map((fk) => fk.reference())
    .map(
      (r) =>
        `${list(r.columns.map((c) => c.name))} → ${tableName(r.foreignColumns[0]?.table)}${list(r.foreignColumns.map((c) => c.name))}`,
    )
    .sort()
  return { columns, primaryKey, uniques, indexes, foreignKeys }
}

/** The tables exported by a SQLite schema module. */
export function sqliteShape(schema: Record<string, unknown>): SchemaShape {
  const tableName = (t: unknown) => (is(t, SQLiteTable) ? sqliteTableConfig(t).name : '?')
  const shape: SchemaShape = new Map()
  for (const value of Object.values(schema))
    if (is(value, SQLiteTable)) {
      const config = sqliteTableConfig(value)
      shape.set(config.name, shapeOf(config, tableName, sqliteDefault))
    }
  return shape
}

/**
 * drizzle marks SQLite's INTEGER PRIMARY KEY as defaulted (it aliases the rowid), but the runtime
 * always writes those keys itself (the audit sequence), so only AUTOINCREMENT counts as a default.
 */
function sqliteDefault(column: Column): boolean {
  if (column.primary && column.columnType === 'SQLiteInteger')
    return 'autoIncrement' in column && column.autoIncrement === true
  return column.hasDefault
}

/** The tables exported by a PostgreSQL schema module. */
export function pgShape(schema: Record<string, unknown>): SchemaShape {
  const tableName = (t: unknown) => (is(t, PgTable) ? pgTableConfig(t).name : '?')
  const shape: SchemaShape = new Map()
  for (const value of Object.values(schema))
    if (is(value, PgTable)) {
      const config = pgTableConfig(value)
      shape.set(config.name, shapeOf(config, tableName))
    }
  return shape
}

const nullability = (c: ColumnShape) => (c.notNull ? 'NOT NULL' : 'nullable')

/** Every difference between the two schemas, one sentence each ([] when they match). */
export function schemaDifferences(sqlite: SchemaShape, pg: SchemaShape): string[] {
  const out: string[] = []
  for (const name of sqlite.keys()) if (!pg.has(name)) out.push(`Table ${name} is on SQLite only.`)
  for (const name of pg.keys()) if (!sqlite.has(name)) out.push(`Table ${name} is on PostgreSQL only.`)
  for (const [name, s] of sqlite) {
    const p = pg.get(name)
    if (p) out.push(...tableDifferences(name, s, p))
  }
  return out
}

function tableDifferences(table: string, s: TableShape, p: TableShape): string[] {
  const out: string[] = []
  for (const [column, sc] of s.columns) {
    const pc = p.columns.get(column)
    if (!pc) {
      out.push(`Column ${table}.${column} is on SQLite only.`)
      continue
    }
    if (sc.kind !== pc.kind) out.push(`Column ${table}.${column} is ${sc.kind} on SQLite but ${pc.kind} on PostgreSQL.`)
    if (sc.notNull !== pc.notNull)
      out.push(`Column ${table}.${column} is ${nullability(sc)} on SQLite but ${nullability(pc)} on PostgreSQL.`)
    if (sc.hasDefault !== pc.hasDefault)
      out.push(`Column ${table}.${column} has a default on ${sc.hasDefault ? 'SQLite' : 'PostgreSQL'} only.`)
  }
  for (const column of p.columns.keys())
    if (!s.columns.has(column)) out.push(`Column ${table}.${column} is on PostgreSQL only.`)
  const same = (a: string[], b: string[]) => a.join('|') === b.join('|')
  if (!same(s.primaryKey, p.primaryKey))
    out.push(`Table ${table}'s primary key is ${list(s.primaryKey)} on SQLite but ${list(p.primaryKey)} on PostgreSQL.`)
  if (!same(s.uniques, p.uniques))
    out.push(
      `Table ${table}'s unique constraints are ${s.uniques.join(' ') || 'none'} on SQLite but ${p.uniques.join(' ') || 'none'} on PostgreSQL.`,
    )
  for (const [index, columns] of s.indexes) {
    const other = p.indexes.get(index)
    if (other === undefined) out.push(`Index ${index} on ${table} is on SQLite only.`)
    else if (other !== columns)
      out.push(`Index ${index} on ${table} is ${columns} on SQLite but ${other} on PostgreSQL.`)
  }
  for (const index of p.indexes.keys())
    if (!s.indexes.has(index)) out.push(`Index ${index} on ${table} is on PostgreSQL only.`)
  if (!same(s.foreignKeys, p.foreignKeys))
    out.push(
      `Table ${table}'s foreign keys are ${s.foreignKeys.join('; ') || 'none'} on SQLite but ${p.foreignKeys.join('; ') || 'none'} on PostgreSQL.`,
    )
  return out
}
