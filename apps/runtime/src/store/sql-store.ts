// A SqlStore over an executor alone: for commands and worker threads that read and write through
// hand-written SQL and should not load drizzle (see `SqlStore`).
import type { SqlExecutor } from './sql-executor.ts'
import type { SqlStore } from './store.ts'

export function sqlStoreOver(sql: SqlExecutor): SqlStore {
  return { dialect: sql.dialect, sql, transaction: (work) => sql.transaction(work) }
}
