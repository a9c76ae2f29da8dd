// Opening the installation's database as a Store: SQLite under a data directory (the default),
// or PostgreSQL when a URL is given. Services are handed the Store and never ask which it is.
import type Database from 'better-sqlite3'
import { openDb } from '../db/open-db.ts'
import { openPg, type OpenPgOptions } from '../db/open-pg.ts'
import { createAppDb } from './app-db.ts'
import { carepathTypes, createPgExecutor } from './pg-executor.ts'
import { createSqliteExecutor } from './sqlite-executor.ts'
import type { SqlExecutor } from './sql-executor.ts'
import type { Store } from './store.ts'

function storeOver(sql: SqlExecutor): Store {
  return {
    dialect: sql.dialect,
    db: createAppDb(sql),
    sql,
    transaction: (work) => sql.transaction(work),
    close: () => sql.close(),
  }
}

/** A Store on an open better-sqlite3 connection (the one the runtime's other code shares). */
export function sqliteStore(sqlite: Database.Database): Store {
  return storeOver(createSqliteExecutor(sqlite))
}

/** Open (creating and migrating) the SQLite file as a Store. */
export function openSqliteStore(file: string): Store {
  return sqliteStore(openDb(file).$client)
}

/** Open a PostgreSQL database as a Store: pool, migrations under their lock, read types as SQLite's. */
export async function openPgStore(url: string, options: OpenPgOptions = {}): Promise<Store> {
  const db = await openPg(url, { ...options, types: carepathTypes })
  return storeOver(createPgExecutor(db.$client))
}
