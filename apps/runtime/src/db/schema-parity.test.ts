import { sql } from 'drizzle-orm'
import { integer as pgInteger, pgTable, text as pgText } from 'drizzle-orm/pg-core'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { describe, expect, it } from 'vitest'
import * as pgSchema from './schema.pg.ts'
import { pgShape, schemaDifferences, sqliteShape } from './schema-parity.ts'
import * as sqliteSchema from './schema.ts'

describe('the SQLite and PostgreSQL schemas', () => {
  it('have the same tables, columns, keys, uniques, indexes and foreign keys', () => {
    const sqlite = sqliteShape(sqliteSchema)
    const pg = pgShape(pgSchema)
    expect(schemaDifferences(sqlite, pg)).toEqual([])
    // The comparison saw the whole schema, not an empty one.
    expect([...sqlite.keys()].sort()).toEqual([...pg.keys()].sort())
    expect(sqlite.size).toBeGreaterThanOrEqual(32)
    expect(sqlite.get('audit_log')?.columns.get('record')?.kind).toBe('text')
  })

  it('names a table added on one side only, and every kind of column difference', () => {
    const lite = {
      ...sqliteSchema,
      probes: sqliteTable(
        'probes',
        { id: text('id').primaryKey(), n: integer('n').notNull(), note: text('note') },
        (t) => [index('probes_n').on(t.n)],
      ),
    }
    const extraOnPg = { ...pgSchema, spare: pgTable('spare', { id: pgText('id').primaryKey() }) }
    expect(schemaDifferences(sqliteShape(lite), pgShape(extraOnPg))).toEqual([
      'Table probes is on SQLite only.',
      'Table spare is on PostgreSQL only.',
    ])
    const drifted = {
      ...pgSchema,
      probes: pgTable('probes', {
        id: pgText('id'),
        n: pgText('n').default(sql`'0'`),
        extra: pgInteger('extra'),
      }),
    }
    expect(schemaDifferences(sqliteShape(lite), pgShape(drifted))).toEqual([
      'Column probes.id is NOT NULL on SQLite but nullable on PostgreSQL.',
      'Column probes.n is integer on SQLite but text on PostgreSQL.',
      'Column probes.n is NOT NULL on SQLite but nullable on PostgreSQL.',
      'Column probes.n has a default on PostgreSQL only.',
      'Column probes.note is on SQLite only.',
      'Column probes.extra is on PostgreSQL only.',
      "Table probes's primary key is (id) on SQLite but () on PostgreSQL.",
      'Index probes_n on probes is on SQLite only.',
    ])
  })
})
