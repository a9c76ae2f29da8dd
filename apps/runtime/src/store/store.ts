// What a service is given to reach the database: drizzle's query builder for most work, the
// executor for hand-written statements on hot paths, and the one way to make a transaction.
import type { AppDb } from './app-db.ts'
import type { ChangeFeed } from './change-feed.ts'
import type { SqlDialect, SqlExecutor } from './sql-executor.ts'

export interface Store {
  readonly dialect: SqlDialect
  readonly db: AppDb
  readonly sql: SqlExecutor
  /** See `SqlExecutor.transaction`: drizzle queries made inside `work` join it too. */
  transaction<T>(work: () => Promise<T>): Promise<T>
  /** What the processes on this database keep in memory and must read again when it changes (change-feed.ts). */
  readonly changes: ChangeFeed
  close(): Promise<void>
}

/**
 * The part of a Store that hand-written SQL needs: what `audit verify`, the key file's marker and
 * the settings read and write through. A command that needs nothing else opens only this
 * (sql-store.ts), without drizzle or the PostgreSQL driver, which take longer to load than a
 * short command takes to run.
 */
export type SqlStore = Pick<Store, 'dialect' | 'sql' | 'transaction'>
