// The audit trail's writes written once, as a sequence of statements, and run two ways: awaited
// on the store (either database: the real path), or synchronously on the better-sqlite3
// connection for the last checkpoint SQLite writes as it closes (audit.service, when nothing may
// be left awaiting). Both runs make the same statements, so a row written either way is the same.
import type Database from 'better-sqlite3'
import type { SqlParam } from '../store/sql-executor.ts'
import type { SqlStore } from '../store/store.ts'

/** One statement of a write: a row read, a statement run, or the chain's key serialised. */
export type Step =
  | { op: 'get'; sql: string; params: readonly SqlParam[] }
  | { op: 'run'; sql: string; params: readonly SqlParam[] }
  | { op: 'serialize'; key: string }

/** A write as its statements: each `yield` gives a step and receives its answer (a row or undefined). */
export type Steps<T> = Generator<Step, T, unknown>

/** Read one row (yield* it: `const row = yield* getRow<R>(sql, params)`). */
export function* getRow<Row>(sql: string, params: readonly SqlParam[] = []): Steps<Row | undefined> {
  return (yield { op: 'get', sql, params }) as Row | undefined
}

/** Run a statement for its effect: how many rows it changed. */
export function* runSql(sql: string, params: readonly SqlParam[] = []): Steps<{ changes: number }> {
  return (yield { op: 'run', sql, params }) as { changes: number }
}

/** Hold `key` until the transaction ends (Store.sql.serialize). */
export function* serialize(key: string): Steps<void> {
  yield { op: 'serialize', key }
}

/** The steps awaited on the store (inside the caller's transaction when one is open). */
export async function runOnStore<T>(store: SqlStore, steps: Steps<T>): Promise<T> {
  // A key being taken is waited for with the statement after it: on PostgreSQL both go out in
  // one round trip on the transaction's connection, and the statement runs once the key is held.
  let taking: Promise<void> | undefined
  let next = steps.next()
  while (!next.done) {
    const step = next.value
    let answer: unknown
    if (step.op === 'serialize') {
      await taking
      taking = store.sql.serialize(step.key)
      // Handled here too: the steps may end in an error before the next statement waits for it.
      taking.catch(() => undefined)
    } else {
      const statement = step.op === 'get' ? store.sql.get(step.sql, step.params) : store.sql.run(step.sql, step.params)
      ;[, answer] = await Promise.all([taking, statement])
      taking = undefined
    }
    next = steps.next(answer)
  }
  await taking
  return next.value
}

const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>()

/**
 * The steps run synchronously on a better-sqlite3 connection (SQLite only; the transaction, if
 * any, is the caller's). Serialising needs nothing: SQLite runs one write transaction at a time.
 */
export function runOnSqlite<T>(sqlite: Database.Database, steps: Steps<T>): T {
  let statements = prepared.get(sqlite)
  if (!statements) prepared.set(sqlite, (statements = new Map()))
  const statement = (sql: string) => {
    let s = statements.get(sql)
    if (!s) statements.set(sql, (s = sqlite.prepare(sql)))
    return s
  }
  const bind = (params: readonly SqlParam[]) => params.map((p) => (p === true ? 1 : p === false ? 0 : p))
  let next = steps.next()
  while (!next.done) {
    const step = next.value
    let answer: unknown
    if (step.op === 'get') answer = statement(step.sql).get(...bind(step.params))
    else if (step.op === 'run') answer = { changes: statement(step.sql).run(...bind(step.params)).changes }
    next = steps.next(answer)
  }
  return next.value
}
