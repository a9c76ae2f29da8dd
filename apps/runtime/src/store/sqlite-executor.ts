// The SQL executor on one better-sqlite3 connection. SQLite answers synchronously, so each call
// is a promise already settled; what needs care is the one connection: while a transaction is
// open on it, a statement from elsewhere (another request's await chain) would silently join it,
// and be undone by its rollback. So the open transaction is remembered with its async context,
// and any statement or transaction not made from inside it waits until it ends.
import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import { PendingBatches, type SqlExecutor, type SqlParam } from './sql-executor.ts'

interface OpenTransaction {
  savepoints: number
  committed: (() => void)[]
  batches: PendingBatches
}

type Bindable = string | number | bigint | Buffer | null

/** SQLite has no boolean: true and false are stored as 1 and 0, as drizzle's boolean mode does. */
const bindable = (params: readonly SqlParam[]): Bindable[] => params.map((p) => (p === true ? 1 : p === false ? 0 : p))

export function createSqliteExecutor(sqlite: Database.Database): SqlExecutor {
  // Statements prepared once per text: the services' SQL is a fixed set of strings. A statement
  // returns rows as objects or as arrays by its `raw` switch, set before each use.
  const statements = new Map<string, Database.Statement>()
  const context = new AsyncLocalStorage<OpenTransaction>()
  let open: OpenTransaction | undefined
  // Transactions, and statements that arrive during one, queue here in arrival order.
  let queue: Promise<unknown> = Promise.resolve()

  function prepared(sql: string): Database.Statement {
    let statement = statements.get(sql)
    if (!statement) {
      statement = sqlite.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }

  function afterQueue<T>(work: () => T | Promise<T>): Promise<T> {
    const result = queue.then(work)
    queue = result.catch(() => undefined)
    return result
  }

  /** Run now when the connection is free or the caller is inside the open transaction; else after it. */
  function statement<T>(sql: string, exec: (s: Database.Statement) => T): Promise<T> {
    if (open === undefined || context.getStore() === open) {
      try {
        return Promise.resolve(exec(prepared(sql)))
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return afterQueue(() => exec(prepared(sql)))
  }

  async function savepoint<T>(tx: OpenTransaction, work: () => Promise<T>): Promise<T> {
    const name = `sp${++tx.savepoints}`
    const mark = tx.committed.length
    const batchMark = tx.batches.mark()
    sqlite.exec(`SAVEPOINT ${name}`)
    try {
      const result = await work()
      sqlite.exec(`RELEASE ${name}`)
      return result
    } catch (error) {
      tx.committed.length = mark
      tx.batches.rollBackTo(batchMark)
      sqlite.exec(`ROLLBACK TO ${name}`)
      sqlite.exec(`RELEASE ${name}`)
      throw error
    }
  }

  async function whole<T>(work: () => Promise<T>): Promise<T> {
    const tx: OpenTransaction = { savepoints: 0, committed: [], batches: new PendingBatches() }
    // IMMEDIATE takes the write lock up front: another process on the file (the CLI) waits at
    // BEGIN under busy_timeout instead of failing at the first write.
    sqlite.exec('BEGIN IMMEDIATE')
    open = tx
    try {
      // Awaited inside the context: a drizzle query is a thenable that runs when awaited.
      const result = await context.run(tx, async () => {
        const value = await work()
        await tx.batches.flush()
        return value
      })
      sqlite.exec('COMMIT')
      open = undefined
      for (const callback of tx.committed) callback()
      return result
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
      throw error
    } finally {
      open = undefined
    }
  }

  return {
    dialect: 'sqlite',
    all: <Row extends object>(sql: string, params: readonly SqlParam[] = []) =>
      statement(sql, (s) => s.raw(false).all(...bindable(params)) as Row[]),
    get: <Row extends object>(sql: string, params: readonly SqlParam[] = []) =>
      statement(sql, (s) => s.raw(false).get(...bindable(params)) as Row | undefined),
    values: (sql, params = []) => statement(sql, (s) => s.raw(true).all(...bindable(params)) as unknown[][]),
    run: (sql, params = []) => statement(sql, (s) => ({ changes: s.run(...bindable(params)).changes })),
    transaction<T>(work: () => Promise<T>): Promise<T> {
      const tx = context.getStore()
      if (tx !== undefined && tx === open) return savepoint(tx, work)
      // Always through the queue, even when the connection looks free: a transaction queued
      // earlier may be about to begin.
      return afterQueue(() => whole(work))
    },
    async serialize() {
      if (open === undefined || context.getStore() !== open)
        throw new Error('serialize() is for work inside a transaction.')
    },
    inTransaction: () => open !== undefined && context.getStore() === open,
    afterCommit(callback) {
      const tx = context.getStore()
      if (tx !== undefined && tx === open) tx.committed.push(callback)
      else callback()
    },
    async beforeCommit(writer, item) {
      const tx = context.getStore()
      if (tx !== undefined && tx === open) tx.batches.add(writer, item)
      else await afterQueue(() => whole(async () => open?.batches.add(writer, item)))
    },
    async close() {
      await queue
      sqlite.close()
    },
  }
}
