import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.ts'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle')

/**
 * Open (creating if needed) the database file, switch to WAL and apply the committed migrations.
 * synchronous=NORMAL in WAL survives a process crash without losing a committed transaction (a
 * commit is in the WAL file, in the OS's hands, before the caller hears of it; runs are answered
 * only after their commit). What it gives up is the fsync per commit: after a power cut or an OS
 * crash the last transactions before the next WAL sync may be missing, and the database is still
 * consistent. synchronous=FULL would close that window at the cost of an fsync per group commit.
 */
export function openDb(file: string, options: { migrate?: boolean; readonly?: boolean } = {}): Db {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true })
  const sqlite = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false })
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
  }
  const db = drizzle(sqlite, { schema }) as Db
  if (options.migrate !== false && !options.readonly) migrate(db, { migrationsFolder })
  return db
}
