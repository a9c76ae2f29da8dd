// A SqlStore over an executor alone: for commands and worker threads that read and write through
// hand-written SQL and should not load drizzle (see `SqlStore`).
import Database from 'better-sqlite3'
import type { SqlExecutor } from './sql-executor.ts'
import { createSqliteExecutor } from './sqlite-executor.ts'
import type { SqlStore } from './store.ts'

export function sqlStoreOver(sql: SqlExecutor): SqlStore {
  return { dialect: sql.dialect, sql, transaction: (work) => sql.transaction(work) }
}

/** A SQLite file that must exist, read-only (`store.sql.close()` closes it). Throws when it cannot be opened. */
export function openReadOnlySqliteStore(file: string): SqlStore {
  return sqlStoreOver(createSqliteExecutor(new Database(file, { readonly: true, fileMustExist: true })))
}
