// The SQL executor on a node-postgres pool. A transaction checks one connection out of the pool
// and keeps it in the async context, so every statement its work makes (at any depth of awaits)
// runs on that connection and nothing else does; statements outside a transaction take any free
// connection. Statements are named by their text, so each connection prepares one only once.
import { AsyncLocalStorage } from 'node:async_hooks'
import { createHash } from 'node:crypto'
import pg from 'pg'
import { numberedPlaceholders, PendingBatches, type SqlExecutor, type SqlParam } from './sql-executor.ts'

/** A savepoint opened by a nested `transaction`, taken on the connection only when first needed. */
interface OpenSavepoint {
  name: string
  /** Set once SAVEPOINT has been sent (the promise of its round trip). */
  taken?: Promise<unknown>
}

interface OpenTransaction {
  client: pg.PoolClient
  savepoints: number
  /** The savepoints open now, outermost first. */
  open: OpenSavepoint[]
  /** Set at commit or rollback: a promise left running from inside it must not reuse the connection. */
  ended: boolean
  committed: (() => void)[]
  batches: PendingBatches
}

/**
 * Values read back as the SQLite side reads them: json as its exact text (the services parse
 * it, and sealed ciphertext must stay byte for byte what was written), bigint as a number (the
 * schema's bigint columns are epoch milliseconds and counters, far inside 2^53).
 */
const TEXT_AS_IS = new Set<number>([pg.types.builtins.JSON, pg.types.builtins.JSONB])
export const carepathTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (TEXT_AS_IS.has(oid)) return (value: string) => value
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format)
  }) as pg.CustomTypesConfig['getTypeParser'],
}

interface Translated {
  text: string
  name: string
}

export function createPgExecutor(pool: pg.Pool): SqlExecutor {
  const context = new AsyncLocalStorage<OpenTransaction>()
  const translated = new Map<string, Translated>()

  function current(): OpenTransaction | undefined {
    const tx = context.getStore()
    return tx && !tx.ended ? tx : undefined
  }

  function translate(sql: string): Translated {
    let t = translated.get(sql)
    if (!t) {
      const text = numberedPlaceholders(sql)
      t = { text, name: `cp_${createHash('sha1').update(text).digest('hex').slice(0, 24)}` }
      translated.set(sql, t)
    }
    return t
  }

  async function query<R extends pg.QueryResultRow>(
    sql: string,
    params: readonly SqlParam[],
    rowMode?: 'array',
  ): Promise<pg.QueryResult<R>> {
    const { text, name } = translate(sql)
    const tx = current()
    const values = params.map((p) => (typeof p === 'bigint' ? p.toString() : p))
    if (!tx) return pool.query<R>({ name, text, values, ...(rowMode ? { rowMode } : {}) })
    await takeSavepoints(tx)
    return tx.client.query<R>({ name, text, values, ...(rowMode ? { rowMode } : {}) })
  }

  /** Send SAVEPOINT for every open savepoint not taken yet, outermost first. */
  async function takeSavepoints(tx: OpenTransaction): Promise<void> {
    for (const open of tx.open) {
      open.taken ??= tx.client.query(`SAVEPOINT ${open.name}`)
      await open.taken
    }
  }

  // A savepoint is taken only before the first statement of its part, so a part whose writes are
  // all batched (a new run's first write, in a group commit) costs no round trip for it. One that succeeds is left standing rather than released: COMMIT (or ROLLBACK)
  // ends them all, a later savepoint nests inside it, and rolling back to that later one undoes
  // only what came after it. RELEASE would cost a round trip per savepoint and frees nothing that
  // matters: a subtransaction that wrote keeps its id either way.
  async function savepoint<T>(tx: OpenTransaction, work: () => Promise<T>): Promise<T> {
    const open: OpenSavepoint = { name: `sp${++tx.savepoints}` }
    const mark = tx.committed.length
    const batchMark = tx.batches.mark()
    tx.open.push(open)
    try {
      return await work()
    } catch (error) {
      tx.committed.length = mark
      tx.batches.rollBackTo(batchMark)
      if (open.taken) await tx.client.query(`ROLLBACK TO SAVEPOINT ${open.name}`)
      throw error
    } finally {
      tx.open.splice(tx.open.indexOf(open), 1)
    }
  }

  async function whole<T>(work: () => Promise<T>): Promise<T> {
    const client = await pool.connect()
    let broken: unknown
    try {
      // Not waited for: a connection runs its statements in the order made, so the transaction's
      // first statement runs after BEGIN, and on a pool that pipelines (open-pg.ts) it goes out in
      // the same round trip. BEGIN fails on an idle connection of the pool only when the
      // connection is lost, and every statement behind it with it; it is waited for before the
      // commit all the same.
      const begun = client.query('BEGIN')
      begun.catch(() => undefined)
      const tx: OpenTransaction = {
        client,
        savepoints: 0,
        open: [],
        ended: false,
        committed: [],
        batches: new PendingBatches(),
      }
      try {
        // Awaited inside the context: a drizzle query is a thenable that runs when awaited.
        const result = await context.run(tx, async () => {
          const value = await work()
          await tx.batches.flush()
          return value
        })
        tx.ended = true
        await begun
        await client.query('COMMIT')
        for (const callback of tx.committed) callback()
        return result
      } catch (error) {
        tx.ended = true
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // The connection is in no state to go back to the pool.
          broken = rollbackError
        })
        throw error
      }
    } finally {
      client.release(broken instanceof Error ? broken : undefined)
    }
  }

  async function all<Row extends object>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    return (await query<Row & pg.QueryResultRow>(sql, params)).rows
  }

  return {
    dialect: 'postgres',
    all,
    get: async <Row extends object>(sql: string, params: readonly SqlParam[] = []): Promise<Row | undefined> => {
      const [row] = await all<Row>(sql, params)
      return row
    },
    values: async (sql, params = []) => (await query<unknown[]>(sql, params, 'array')).rows,
    run: async (sql, params = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    transaction<T>(work: () => Promise<T>): Promise<T> {
      const tx = current()
      return tx ? savepoint(tx, work) : whole(work)
    },
    async serialize(key) {
      const tx = current()
      if (!tx) throw new Error('serialize() is for work inside a transaction.')
      await tx.client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key])
    },
    inTransaction: () => current() !== undefined,
    afterCommit(callback) {
      const tx = current()
      if (tx) tx.committed.push(callback)
      else callback()
    },
    async beforeCommit(writer, item) {
      const tx = current()
      if (tx) tx.batches.add(writer, item)
      else await whole(async () => current()?.batches.add(writer, item))
    },
    close: () => pool.end(),
  }
}
