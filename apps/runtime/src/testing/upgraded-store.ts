// A store opened by this release over a database an earlier release left: the committed
// migrations up to journal entry `lastIdx` applied, the earlier release's rows written by
// `writeOld`, then the store opened as the runtime opens it (running the later migrations).
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3'
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres'
import { migrate as pgMigrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { connectionConfig } from '../db/open-pg.ts'
import { openPgStore, openSqliteStore, sqliteStore } from '../store/open-store.ts'
import type { Store } from '../store/store.ts'
import { migrationsUpTo } from './migrations-up-to.ts'

export type WriteOld = (store: Store) => Promise<void>

/** A SQLite file under `dir` as the release of migration `lastIdx` left it, opened by this one. */
export async function upgradedSqliteStore(dir: string, lastIdx: number, writeOld: WriteOld): Promise<Store> {
  const file = join(dir, 'carepath.db')
  const old = new Database(file)
  sqliteMigrate(sqliteDrizzle(old), { migrationsFolder: migrationsUpTo(dir, lastIdx) })
  await writeOld(sqliteStore(old))
  old.close()
  return openSqliteStore(file)
}

/** The PostgreSQL database at `url` as the release of migration `lastIdx` left it, opened by this one. */
export async function upgradedPgStore(url: string, dir: string, lastIdx: number, writeOld: WriteOld): Promise<Store> {
  const pool = new pg.Pool(connectionConfig(url))
  await pgMigrate(pgDrizzle(pool), { migrationsFolder: migrationsUpTo(dir, lastIdx, 'postgres') })
  await pool.end()
  const old = await openPgStore(url, { migrate: false })
  await writeOld(old)
  await old.close()
  return openPgStore(url)
}
