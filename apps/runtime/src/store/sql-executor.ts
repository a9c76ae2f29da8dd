// The one seam between the runtime's services and a database. Services speak SQL in the subset
// SQLite and PostgreSQL share (drizzle's SQLite query builder writes it for them; the few places
// where the two differ ask `dialect`), always through these asynchronous calls, and never learn
// which database answers. Two implementations: better-sqlite3 on one file (the zero-setup
// default) and node-postgres on a pool (several processes sharing one database).

/** A value bound to a `?` placeholder (a Buffer is a BLOB on SQLite, bytea on PostgreSQL). */
export type SqlParam = string | number | bigint | boolean | Buffer | null

export type SqlDialect = 'sqlite' | 'postgres'

export interface SqlExecutor {
  readonly dialect: SqlDialect
  /** Every row, as objects keyed by column name. */
  all<Row extends object>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>
  /** The first row, or undefined. */
  get<Row extends object>(sql: string, params?: readonly SqlParam[]): Promise<Row | undefined>
  /** Every row as an array of values, in the order the statement names its columns. */
  values(sql: string, params?: readonly SqlParam[]): Promise<unknown[][]>
  /** A statement run for its effect: how many rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>
  /**
   * `work` in one transaction: committed when it resolves, rolled back when it throws. Every
   * statement `work` makes (through this executor, at any depth of awaits) joins it; statements
   * from elsewhere wait for it or go to another connection, never into it. Called inside a
   * transaction it is a savepoint: a nested failure undoes only its own part. On PostgreSQL the
   * savepoint is taken just before its first statement (a round trip saved for a part whose writes
   * are all batched: see `beforeCommit`).
   */
  transaction<T>(work: () => Promise<T>): Promise<T>
  /**
   * Inside a transaction: wait until no other transaction that asked for the same `key` is open,
   * and hold it until this one ends. For read-then-write work (a chain's head, a counter) that
   * must see the last committed value. SQLite already runs one transaction at a time; on
   * PostgreSQL it is a transaction-scoped advisory lock.
   */
  serialize(key: string): Promise<void>
  /** Whether the caller is inside a transaction of this executor. */
  inTransaction(): boolean
  /**
   * Run `callback` once the caller's transaction has committed (at once outside one); never when
   * it, or the savepoint `callback` was registered in, rolls back. For memory that may only hold
   * what is on disk: a cache, a notice to listeners.
   */
  afterCommit(callback: () => void): void
  /**
   * Add `item` to the caller's transaction's batch for `writer` (outside a transaction, to one of
   * its own, settled once that commits). Just before the transaction commits, `writer.flush` gets
   * every item of its batch still standing (one added in a savepoint that rolled back is dropped),
   * in order, inside the transaction. For writes that many parts of one transaction add to and
   * that cost less as one statement (metric increments), or that must hold a lock only for the
   * transaction's last moment (the audit chain's head). See `BatchWriter.order` for the order
   * writers flush in.
   */
  beforeCommit<T>(writer: BatchWriter<T>, item: T): Promise<void>
  close(): Promise<void>
}

/** Writes gathered over a transaction and made at its end (`SqlExecutor.beforeCommit`). */
export interface BatchWriter<T> {
  flush(items: T[]): Promise<void>
  /**
   * Writers flush in ascending `order` (default 0); writers of one order flush together, their
   * statements made in the order their first items came. A writer that takes a lock every
   * transaction needs (the audit chain's) goes last, alone, so it is never held while waiting for
   * row locks another transaction holds while it waits for it.
   */
  readonly order?: number
}

/**
 * A transaction's gathered batches: marked when a savepoint opens and cut back to the mark when
 * it rolls back, flushed before the commit (both executors keep one per transaction).
 */
export class PendingBatches {
  private entries: { writer: BatchWriter<unknown>; item: unknown }[] = []

  add<T>(writer: BatchWriter<T>, item: T): void {
    // Widened to keep writers of different items in one list: a writer is only ever given back
    // the items it was added with (they are grouped by writer before `flush`).
    this.entries.push({ writer: writer as BatchWriter<unknown>, item })
  }

  mark(): number {
    return this.entries.length
  }

  rollBackTo(mark: number): void {
    this.entries.length = mark
  }

  /** Every writer's items, writer by writer; items a flush adds are flushed after it. */
  async flush(): Promise<void> {
    while (this.entries.length > 0) {
      const entries = this.entries
      this.entries = []
      const byWriter = new Map<BatchWriter<unknown>, unknown[]>()
      for (const { writer, item } of entries) {
        const items = byWriter.get(writer)
        if (items) items.push(item)
        else byWriter.set(writer, [item])
      }
      // Writers of one order flush together: on PostgreSQL their statements go out back to back
      // on the transaction's connection (one round trip for all) and run in the order made. A
      // later order starts once the earlier one has finished.
      const orders = [...new Set([...byWriter.keys()].map((w) => w.order ?? 0))].sort((a, b) => a - b)
      for (const order of orders)
        await Promise.all(
          [...byWriter]
            .filter(([writer]) => (writer.order ?? 0) === order)
            .map(([writer, items]) => writer.flush(items)),
        )
    }
  }
}

/**
 * `?` placeholders as PostgreSQL's `$1, $2, …`, leaving quoted text, quoted names and comments
 * alone (a `?` inside `'…'` is data, not a parameter).
 */
export function numberedPlaceholders(sql: string): string {
  let out = ''
  let n = 0
  let i = 0
  while (i < sql.length) {
    const c = sql[i] as string
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c)
      out += sql.slice(i, end)
      i = end
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      const stop = end === -1 ? sql.length : end
      out += sql.slice(i, stop)
      i = stop
    } else if (c === '?') {
      out += `$${++n}`
      i++
    } else {
      out += c
      i++
    }
  }
  return out
}

/** The index just past the quote that closes the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2
      else return i + 1
    } else i++
  }
  return sql.length
}

/**
 * `rows` (each one row's values, in the order `into` names the columns) inserted in as few
 * statements as `perStatement` rows apiece allows, far inside either database's limit on bound
 * values: `into` is the table and its columns, `then` what follows the values (an ON CONFLICT
 * clause). One statement is one round trip on PostgreSQL.
 */
export async function insertRows(
  sql: SqlExecutor,
  into: string,
  rows: readonly (readonly SqlParam[])[],
  options: { then?: string; perStatement?: number } = {},
): Promise<void> {
  for (const { text, params } of insertStatements(into, rows, options)) await sql.run(text, params)
}

/**
 * `insertRows` whose `then` ends in a RETURNING clause: every row the statements returned, in
 * statement order.
 */
export async function insertRowsReturning<Row extends object>(
  sql: SqlExecutor,
  into: string,
  rows: readonly (readonly SqlParam[])[],
  options: { then: string; perStatement?: number },
): Promise<Row[]> {
  const returned: Row[] = []
  for (const { text, params } of insertStatements(into, rows, options))
    returned.push(...(await sql.all<Row>(text, params)))
  return returned
}

function* insertStatements(
  into: string,
  rows: readonly (readonly SqlParam[])[],
  options: { then?: string; perStatement?: number },
): Generator<{ text: string; params: SqlParam[] }> {
  const perStatement = options.perStatement ?? 200
  for (let at = 0; at < rows.length; at += perStatement) {
    const chunk = rows.slice(at, at + perStatement)
    const tuple = `(${(chunk[0] ?? []).map(() => '?').join(', ')})`
    const values = chunk.map(() => tuple).join(', ')
    yield {
      text: `INSERT INTO ${into} VALUES ${values}${options.then ? ` ${options.then}` : ''}`,
      params: chunk.flat(),
    }
  }
}

const UNIQUE_VIOLATION = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505', 'duplicate-key'])

/** A write that `ON CONFLICT DO NOTHING` left undone, raised by its caller as a unique violation would be. */
export class DuplicateKeyError extends Error {
  readonly code = 'duplicate-key'
}

/**
 * A unique or primary-key constraint refused the write (SQLite's and PostgreSQL's codes alike),
 * whether thrown by the driver or wrapped by drizzle (as the error's cause).
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 3; depth++) {
    if ('code' in e && typeof e.code === 'string' && UNIQUE_VIOLATION.has(e.code)) return true
    e = 'cause' in e ? e.cause : undefined
  }
  return false
}
