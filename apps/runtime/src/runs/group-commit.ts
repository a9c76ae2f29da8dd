// Group commit: writes queued while the previous commit was going (or in the same turn of the
// event loop) commit together in one transaction, each (but the first) in its own savepoint so
// one failing write never undoes another (see `commitQueued`, and `SqlExecutor.transaction` for
// when PostgreSQL takes a savepoint). One commit at a time per process: the batch grows with the load,
// and the rows every run touches (metric rollups, the audit chain's head) are contended by one
// transaction per process, not by one per request. A caller's promise settles only after the
// commit, so nothing is acknowledged before it is on disk.
import { DuplicateKeyError, insertRowsReturning } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import { newRunValues, RUN_COLUMNS, type NewRun } from './run-row.ts'

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown }
interface QueuedWrite {
  work: () => Promise<unknown>
  newRun?: NewRun
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** `work` in the next group commit; `newRun`, the row of the run it starts, goes in ahead of it. */
export type GroupCommit = <T>(work: () => Promise<T>, newRun?: NewRun) => Promise<T>

/** The group commit of one run store: one queue, and one commit at a time, per store. */
export function createGroupCommit(store: Pick<Store, 'sql' | 'transaction'>): GroupCommit {
  const sql = store.sql
  let queue: QueuedWrite[] = []
  let draining = false
  /**
   * The group's new runs' rows, in one statement ahead of every write's work. A row whose id or
   * idempotency key is taken already (another process started a run with the key at the same
   * moment, or an earlier write of this group did) is left out without failing the statement;
   * the writes whose rows were left out are returned.
   */
  async function insertNewRuns(jobs: readonly QueuedWrite[]): Promise<Set<QueuedWrite>> {
    const starting = jobs.flatMap((job) => (job.newRun ? [{ job, newRun: job.newRun }] : []))
    if (starting.length === 0) return new Set()
    const inserted = await insertRowsReturning<{ id: string }>(
      sql,
      `runs (${RUN_COLUMNS}, lease_owner, lease_until)`,
      starting.map(({ newRun }) => newRunValues(newRun)),
      { then: 'ON CONFLICT DO NOTHING RETURNING id' },
    )
    const ids = new Set(inserted.map(({ id }) => id))
    return new Set(starting.filter(({ newRun }) => !ids.has(newRun.row.id)).map(({ job }) => job))
  }

  async function commitQueued(jobs: QueuedWrite[]) {
    // The first write of a batch runs bare, without a savepoint of its own (on PostgreSQL one is a
    // round trip): if it fails, the transaction holds nothing but the group's new rows and its
    // writes, so it rolls back whole and the writes after it commit in a transaction of their
    // own. Each later write has its savepoint, so one failing write never undoes another; its new
    // run's row, written ahead of the savepoint, is deleted after it.
    const results = new Map<QueuedWrite, Settled>()
    let first: QueuedWrite | undefined
    let firstFailed = false
    try {
      await store.transaction(async () => {
        for (const job of await insertNewRuns(jobs))
          results.set(job, {
            ok: false,
            error: new DuplicateKeyError(`A run with the id or idempotency key of run ${job.newRun?.row.id} exists.`),
          })
        for (const job of jobs) {
          if (results.has(job)) continue
          if (!first) {
            first = job
            try {
              results.set(job, { ok: true, value: await job.work() })
            } catch (error) {
              firstFailed = true
              throw error
            }
            continue
          }
          const settled = await store.transaction(job.work).then(
            (value): Settled => ({ ok: true, value }),
            (error: unknown): Settled => ({ ok: false, error }),
          )
          if (!settled.ok && job.newRun) await sql.run('DELETE FROM runs WHERE id = ?', [job.newRun.row.id])
          results.set(job, settled)
        }
      })
    } catch (error) {
      if (first && firstFailed) {
        first.reject(error)
        await commitQueued(jobs.filter((job) => job !== first))
      } else for (const job of jobs) job.reject(error)
      return
    }
    for (const job of jobs) {
      const r = results.get(job) as Settled
      if (r.ok) job.resolve(r.value)
      else job.reject(r.error)
    }
  }
  async function drain() {
    while (queue.length > 0) {
      const jobs = queue
      queue = []
      await commitQueued(jobs)
    }
    draining = false
  }
  function commit<T>(work: () => Promise<T>, newRun?: NewRun): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, ...(newRun ? { newRun } : {}), resolve: resolve as (value: unknown) => void, reject })
      if (!draining) {
        draining = true
        // After this turn: the writes queued in it join the first batch.
        setImmediate(() => void drain())
      }
    })
  }
  return commit
}
