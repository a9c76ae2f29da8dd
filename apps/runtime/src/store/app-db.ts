// drizzle's SQLite query builder over either executor. The services build their queries once,
// with the tables of db/schema.ts, and await them; the SQL drizzle writes for SQLite (quoted
// names, `?` parameters, ON CONFLICT, RETURNING) is also PostgreSQL's, and the executor runs it
// on whichever database the installation uses. db/schema.pg.ts declares the same tables for
// PostgreSQL's migrations, and the parity test keeps the two in step.
import { drizzle, type SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy'
import * as schema from '../db/schema.ts'
import type { SqlExecutor, SqlParam } from './sql-executor.ts'

export type AppDb = SqliteRemoteDatabase<typeof schema>

/** drizzle hands over its parameters untyped; they are what its column encoders produced. */
function sqlParams(params: unknown[]): SqlParam[] {
  return params.map((p) => {
    if (p === null || p === undefined) return null
    if (typeof p === 'string' || typeof p === 'number' || typeof p === 'bigint' || typeof p === 'boolean') return p
    throw new TypeError(`A query parameter of type ${typeof p} cannot be sent to the database.`)
  })
}

export function createAppDb(executor: SqlExecutor): AppDb {
  return drizzle(
    async (sql, params, method) => {
      const bound = sqlParams(params)
      switch (method) {
        case 'run':
          await executor.run(sql, bound)
          return { rows: [] }
        case 'get': {
          // drizzle maps one row given as its array of values, and reads no row as a missing
          // `rows` (its callback type does not say so, hence the one cast here).
          const [row] = await executor.values(sql, bound)
          return { rows: row ?? (undefined as unknown as unknown[]) }
        }
        case 'all':
        case 'values':
          return { rows: await executor.values(sql, bound) }
      }
    },
    { schema },
  )
}
