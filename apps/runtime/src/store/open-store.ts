// Opening the installation's database as a Store: SQLite under a data directory (the default),
// or PostgreSQL when a URL is given. Services are handed the Store and never ask which it is.
import type Database from 'better-sqlite3'
import pg from 'pg'
import { openDb } from '../db/open-db.ts'
import { connectionConfig, openPg, type OpenPgOptions } from '../db/open-pg.ts'
import { createAppDb } from './app-db.ts'
import { localChangeFeed, pgChangeFeed, type ChangeFeed } from './change-feed.ts'
import { carepathTypes, createPgExecutor } from './pg-executor.ts'
import { createSqliteExecutor } from './sqlite-executor.ts'
import { sqlStoreOver } from './sql-store.ts'
import type { SqlExecutor } from './sql-executor.ts'
import type { Store } from './store.ts'

function storeOver(sql: SqlExecutor, changes: ChangeFeed): Store {
  return {
    ...sqlStoreOver(sql),
    db: createAppDb(sql),
    changes,
    async close() {
      await changes.close()
      await sql.close()
    },
  }
}

/** A Store on an open better-sqlite3 connection (the one the runtime's other code shares). */
export function sqliteStore(sqlite: Database.Database): Store {
  const sql = createSqliteExecutor(sqlite)
  return storeOver(sql, localChangeFeed(sql))
}

/** Open (creating and migrating) the SQLite file as a Store. */
export function openSqliteStore(file: string): Store {
  return sqliteStore(openDb(file).$client)
}

/** Open a PostgreSQL database as a Store: pool, migrations under their lock, read types as SQLite's. */
export async function openPgStore(url: string, options: OpenPgOptions = {}): Promise<Store> {
  const db = await openPg(url, { ...options, types: carepathTypes })
  const sql = createPgExecutor(db.$client)
  const changes = pgChangeFeed(
    sql,
    () => new pg.Client({ ...connectionConfig(url), connectionTimeoutMillis: 10_000 }),
    (error) => console.error(`carepath: change notices from other processes interrupted: ${String(error)}`),
  )
  return storeOver(sql, changes)
}
