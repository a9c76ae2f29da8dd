// Persistence of runs on the hot path, through the store (store/README.md). Hand-written
// statements (drizzle's query builder costs more per call than the whole insert), prepared once
// per text by either executor; the tables themselves are declared in db/schema.ts like every other.
import { parseRunEvents, RUN_EVENT_VERSION, type RunEvent, type RunState, type RunStatus } from '@carepath/engine'
import { AppError } from '../errors.ts'
import { PLAINTEXT, SealedDataError, sealedKeyId, type DataCipher } from '../keys/data-cipher.ts'
import { coalescedReads, padded } from '../store/coalesced-reads.ts'
import { DuplicateKeyError, insertRows, insertRowsReturning, type BatchWriter } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import { needsRunDictionary, packBatch, runDictionary, unpackBatch } from './event-batch-codec.ts'
import { createVersionDictionaries } from './version-dictionaries.ts'

export interface RunRow {
  id: string
  flow_id: string
  hash: string
  status: RunStatus
  outcome: string | null
  idempotency_key: string
  started_by: string
  created_at: string
  updated_at: string
  event_count: number
  wait_until: string | null
}

export interface TaskRow {
  id: string
  run_id: string
  flow_id: string
  node_id: string
  role: string
  status: 'open' | 'claimed' | 'answered' | 'cancelled' | 'expired'
  request: string
  claimed_by: string | null
  answered_by: string | null
  created_at: string
  answered_at: string | null
  due_at: string | null
}

/**
 * The data key of a run's PHI: one per flow and UTC day the run started, so every event batch and
 * task of a run is sealed under one key, and retention shreds a flow's day of runs at once.
 */
export const runKeyId = (flowId: string, startedAt: string) => `run:${flowId}:${startedAt.slice(0, 10)}`

/** A run whose data key retention shredded is told plainly; any other failure to open stays an internal error. */
async function openOrExplain<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open()
  } catch (error) {
    if (error instanceof SealedDataError && error.reason === 'shredded')
      throw new AppError(
        'not-found',
        "This run's patient data was deleted at the end of its flow's retention period; its status, outcome and times remain.",
      )
    throw error
  }
}

const RUN_COLUMNS =
  'id, flow_id, hash, status, outcome, idempotency_key, started_by, created_at, updated_at, event_count, wait_until'
/** What a run start needs of its flow: whether it may start runs, and of which version. */
export interface FlowForRun {
  id: string
  status: string
  published_hash: string | null
}

/** What a run start reads before it starts a run (`startLookup`). */
export interface StartLookup {
  existing?: RunRow
  flow?: FlowForRun
}
/** One asked (flow, key) pair's row: the id of the run its key started, its flow's columns. */
interface StartLookupRow {
  l_key: string
  l_flow: string
  r_id: string | null
  f_id: string | null
  f_status: string | null
  f_published_hash: string | null
}

// Due tasks first (soonest due first), then the rest oldest first.
const OPEN_TASK_ORDER = 'ORDER BY due_at IS NULL, due_at, created_at, id'

const newRunValues = ({ row, lease }: NewRun) => [
  row.id,
  row.flow_id,
  row.hash,
  row.status,
  row.outcome,
  row.idempotency_key,
  row.started_by,
  row.created_at,
  row.updated_at,
  row.event_count,
  row.wait_until,
  lease?.owner ?? null,
  lease?.until ?? null,
]

/** Who is stepping a run, and until when (ISO-8601) others must leave it alone. */
export interface Lease {
  owner: string
  until: string
}

/** One stored batch of a run's events (a run_events row). */
type EventBatchRow = [runId: string, firstSeq: number, lastSeq: number, version: number, events: Buffer]

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown }
/** A new run's row, and its lease while its first step is still going (see `claimRun`). */
export interface NewRun {
  row: RunRow
  lease: Lease | null
}
interface QueuedWrite {
  work: () => Promise<unknown>
  newRun?: NewRun
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * `cipher` seals the PHI-bearing columns (event batches, task requests) at rest, each bound to
 * its row; without one they are stored as plain JSON (the store's own tests).
 */
export function createRunStore(store: Store, cipher: DataCipher = PLAINTEXT) {
  const sql = store.sql
  // One process serves a SQLite file: a lease found there was left by an earlier life of this
  // process (killed mid-step) and binds nobody. On PostgreSQL it is another live process's,
  // until it runs out.
  const leaseLive = store.dialect === 'sqlite' ? '0 = 1' : '(lease_until IS NOT NULL AND lease_until >= ?)'
  const leaseParams = (now: string) => (store.dialect === 'sqlite' ? [] : [now])
  const openTask = async (row: TaskRow): Promise<TaskRow> => ({
    ...row,
    request: await openOrExplain(() => cipher.open(row.request, `tasks|${row.id}`)),
  })
  const openTasks = (rows: TaskRow[]) => Promise.all(rows.map(openTask))
  // A run's data key id and the version hash its batches are packed against: the key named by
  // its first stored batch (every later write of the run uses the same key) and the hash its row
  // keeps for the log, or for a run's first batch the key taken from its run.started event and
  // the hash its row is written with; remembered per run.
  const ofRun = new Map<string, { keyId: string; hash: string | undefined }>()
  const LOG_HASH = 'SELECT COALESCE(log_hash, hash) AS hash FROM runs WHERE id = ?'
  async function runOf(
    runId: string,
    batch: readonly RunEvent[] = [],
    rowHash?: string,
  ): Promise<{ keyId: string; hash?: string }> {
    const known = ofRun.get(runId)
    if (known) return known
    let keyId: string | undefined
    let hash: string | undefined
    // A batch that starts the run names its key itself: a new run has no stored batch to look up.
    const started = batch.find((e) => e.type === 'run.started')
    if (started?.type === 'run.started') {
      keyId = runKeyId(started.data.flowId, started.at)
      hash = rowHash ?? started.data.flowHash
    } else {
      const stored = await sql.get<{ events: string | Buffer }>(
        'SELECT events FROM run_events WHERE run_id = ? ORDER BY first_seq LIMIT 1',
        [runId],
      )
      keyId = stored ? sealedKeyId(stored.events) : undefined
      hash = (await sql.get<{ hash: string }>(LOG_HASH, [runId]))?.hash
    }
    if (!keyId) throw new Error(`run ${runId} has no stored events to name its data key`)
    if (ofRun.size >= 10_000) ofRun.delete(ofRun.keys().next().value as string)
    ofRun.set(runId, { keyId, hash })
    return { keyId, hash }
  }
  const dictionaries = createVersionDictionaries(sql)
  /** The dictionary of a run whose batches are packed against version `hash`, when that version is stored. */
  async function dictionaryOf(runId: string, hash: string | undefined): Promise<Buffer | undefined> {
    const version = hash === undefined ? undefined : await dictionaries.of(hash)
    return version && hash !== undefined ? runDictionary(version, { id: runId, hash }) : undefined
  }
  /** A batch packed against its run's dictionary (or the vocabulary's), sealed under its run's key. */
  async function sealBatch(runId: string, events: readonly RunEvent[], json: string, first: number, rowHash?: string) {
    const { keyId, hash } = await runOf(runId, events, rowHash)
    return cipher.sealBytes(keyId, packBatch(json, await dictionaryOf(runId, hash)), `run_events|${runId}|${first}`)
  }
  /** The dictionary a run's batches packed against it are unpacked with (event-batch-codec.ts). */
  async function dictionaryToRead(runId: string): Promise<Buffer> {
    const dictionary = await dictionaryOf(runId, (await sql.get<{ hash: string }>(LOG_HASH, [runId]))?.hash)
    if (!dictionary) throw new Error(`run ${runId}'s event log was packed against a flow version that is not stored`)
    return dictionary
  }
  // A transaction's event batches go in as it commits, in one statement for every run of a group
  // commit: on PostgreSQL a statement is a round trip, and a group of runs made one per run. Nothing
  // reads a run's log inside the transaction that appends to it (a run's steps are serialised and
  // each commits before the next reads), and a batch whose run's savepoint rolls back is dropped.
  // Two processes writing the same run's next seq still collide on the key, at the commit.
  const eventBatches: BatchWriter<EventBatchRow> = {
    flush: (rows) => insertRows(sql, 'run_events (run_id, first_seq, last_seq, version, events)', rows),
  }
  const startLookups = coalescedReads(
    // JSON, not a separator: an id or key may hold any character.
    ({ key, flowId }: { key: string; flowId: string }) => JSON.stringify([flowId, key]),
    async (asked): Promise<Map<string, StartLookup>> => {
      // The run is found by a subquery rather than a join. PostgreSQL plans a prepared statement
      // once per connection and keeps the plan until the table's statistics change, which
      // autovacuum does only a minute or more after a new database's first runs: a join planned
      // while the runs table was small hashed all of it on every later call (0.5 ms each, growing
      // with the table), where a subquery on the unique key is an index probe per pair whatever
      // the table's size. No run has the empty key and no flow the empty id: the filler's row is
      // left out.
      const pairs = padded(asked, { key: '', flowId: '' })
      const rows = await sql.all<StartLookupRow>(
        `SELECT l.column1 AS l_key, l.column2 AS l_flow,
           (SELECT r.id FROM runs r WHERE r.idempotency_key = l.column1) AS r_id,
           f.id AS f_id, f.status AS f_status, f.published_hash AS f_published_hash
         FROM (VALUES ${pairs.map(() => '(?, ?)').join(', ')}) AS l
         LEFT JOIN flows f ON f.id = l.column2`,
        pairs.flatMap(({ key, flowId }) => [key, flowId]),
      )
      const existing = await runsWithIds(rows.flatMap(({ r_id }) => (r_id === null ? [] : [r_id])))
      const found = new Map<string, StartLookup>()
      for (const { l_key, l_flow, r_id, f_id, f_status, f_published_hash } of rows) {
        const run = r_id === null ? undefined : existing.get(r_id)
        const lookup: StartLookup = {
          ...(run ? { existing: run } : {}),
          ...(f_id !== null && f_status !== null
            ? { flow: { id: f_id, status: f_status, published_hash: f_published_hash } }
            : {}),
        }
        if (lookup.existing || lookup.flow) found.set(JSON.stringify([l_flow, l_key]), lookup)
      }
      return found
    },
    () => sql.inTransaction(),
  )
  const runs = (where: string, params: (string | number)[]) =>
    sql.all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ${where}`, params)
  /** The rows of the runs with these ids (a start lookup's replayed keys: none on most calls). */
  async function runsWithIds(ids: string[]): Promise<Map<string, RunRow>> {
    if (ids.length === 0) return new Map()
    const asked = padded(ids, '')
    const rows = await runs(`WHERE id IN (${asked.map(() => '?').join(', ')})`, asked)
    return new Map(rows.map((row) => [row.id, row]))
  }

  // Group commit: writes queued while the previous commit was going (or in the same turn of the
  // event loop) commit together in one transaction, each (but the first) in its own savepoint so
  // one failing write never undoes another (see `commitQueued`, and `SqlExecutor.transaction` for
  // when PostgreSQL takes a savepoint). One commit at a time per process: the batch grows with the load,
  // and the rows every run touches (metric rollups, the audit chain's head) are contended by one
  // transaction per process, not by one per request. A caller's promise settles only after the
  // commit, so nothing is acknowledged before it is on disk.
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
  /** `work` in the next group commit; `newRun`, the row of the run it starts, goes in ahead of it. */
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

  return {
    commit,
    runById: async (id: string) => (await runs('WHERE id = ?', [id]))[0],
    runByKey: async (key: string) => (await runs('WHERE idempotency_key = ?', [key]))[0],
    /** The ids of up to `count` stored runs picked at random. */
    sampleRunIds: async (count: number) =>
      (await sql.all<{ id: string }>('SELECT id FROM runs ORDER BY random() LIMIT ?', [count])).map((row) => row.id),
    /**
     * A new run's row, alone in a group commit. Its id or idempotency key taken already is refused
     * as a unique violation (`DuplicateKeyError`).
     */
    insertRun: (row: RunRow, lease: Lease | null = null): Promise<void> =>
      commit(async () => undefined, { row, lease }),
    /**
     * Take the run for one step: only when no other process holds it, or its lease ran out (that
     * process died or hung). Two processes asking at once: one gets it.
     */
    async claimRun(runId: string, lease: Lease, now: string): Promise<boolean> {
      const { changes } = await sql.run(
        `UPDATE runs SET lease_owner = ?, lease_until = ? WHERE id = ? AND (lease_owner IS NULL OR lease_owner = ? OR NOT ${leaseLive})`,
        [lease.owner, lease.until, runId, lease.owner, ...leaseParams(now)],
      )
      return changes === 1
    },
    /** Give the run back after a step that wrote nothing (refused, or failed before its first write). */
    releaseRun: (runId: string, owner: string) =>
      sql.run('UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?', [
        runId,
        owner,
      ]),
    /**
     * A run's whole log, parsed by the engine's event schema here, once per read (upgraded first
     * when a batch was written in an older format version): everything downstream trusts it.
     */
    async events(runId: string): Promise<RunEvent[]> {
      const out: RunEvent[] = []
      // Bytes, or text in rows written before batches were stored as bytes (SQLite keeps both).
      const batches = await sql.all<{ first_seq: number; version: number; events: string | Buffer }>(
        'SELECT first_seq, version, events FROM run_events WHERE run_id = ? ORDER BY first_seq',
        [runId],
      )
      let dictionary: Buffer | undefined
      for (const row of batches) {
        const bytes = await openOrExplain(() => cipher.openBytes(row.events, `run_events|${runId}|${row.first_seq}`))
        if (needsRunDictionary(bytes)) dictionary ??= await dictionaryToRead(runId)
        for (const event of parseRunEvents(JSON.parse(unpackBatch(bytes, dictionary)), row.version)) out.push(event)
      }
      return out
    },
    // Every row is a batch: the seqs of its first and last events, the event format version and the
    // events as a JSON array (a lone event is a batch of one). A run's step is a dozen events, and
    // one row costs the database one table and one primary-key entry instead of a dozen of each.
    // Two processes writing the same run's next seq collide on that key: one of them is refused.
    /** `hash`: the version hash the run's row is written with (a first batch is packed against it). */
    async appendEvents(runId: string, events: readonly RunEvent[], hash?: string) {
      if (events.length === 0) return
      const first = (events[0] as RunEvent).seq
      const last = (events[events.length - 1] as RunEvent).seq
      const json = JSON.stringify(events)
      // Packed before sealing (ciphertext does not compress); a store without a cipher keeps plain JSON.
      const sealed =
        cipher === PLAINTEXT ? Buffer.from(json, 'utf8') : await sealBatch(runId, events, json, first, hash)
      await sql.beforeCommit(eventBatches, [runId, first, last, RUN_EVENT_VERSION, sealed])
    },
    /**
     * What a run start reads: the run this idempotency key already started, if any, and the flow
     * asked for, if it exists. One statement for both, and for every run start asking meanwhile
     * (`coalescedReads`).
     */
    startLookup: (flowId: string, key: string): Promise<StartLookup> =>
      startLookups({ key, flowId }).then((found) => found ?? {}),
    flowForRun: (flowId: string) =>
      sql.get<FlowForRun>('SELECT id, status, published_hash FROM flows WHERE id = ?', [flowId]),
    /**
     * The run's row after a step. `expectedCount` is the event count this step started from: a
     * row that moved on meanwhile (another process stepped the run) is not overwritten; the
     * step is refused (and its transaction rolled back by the caller).
     */
    async updateRun(
      runId: string,
      state: Pick<RunState, 'status' | 'outcome' | 'waitUntil'>,
      eventCount: number,
      at: string,
      expectedCount: number,
      /** Renewed while the step goes on; null once it is over. */
      lease: Lease | null,
    ) {
      const { changes } = await sql.run(
        'UPDATE runs SET status = ?, outcome = ?, event_count = ?, wait_until = ?, updated_at = ?, lease_owner = ?, lease_until = ? WHERE id = ? AND event_count = ?',
        [
          state.status,
          state.outcome ?? null,
          eventCount,
          state.status === 'waiting' ? (state.waitUntil ?? null) : null,
          at,
          lease?.owner ?? null,
          lease?.until ?? null,
          runId,
          expectedCount,
        ],
      )
      if (changes !== 1) throw new AppError('conflict', 'This run was moved on by someone else meanwhile; try again.')
    },
    async insertTask(t: {
      id: string
      runId: string
      flowId: string
      nodeId: string
      role: string
      request: unknown
      at: string
      dueAt?: string | undefined
    }) {
      const request =
        cipher === PLAINTEXT
          ? JSON.stringify(t.request)
          : await cipher.seal((await runOf(t.runId)).keyId, JSON.stringify(t.request), `tasks|${t.id}`)
      await sql.run(
        "INSERT INTO tasks (id, run_id, flow_id, node_id, role, status, request, created_at, due_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)",
        [t.id, t.runId, t.flowId, t.nodeId, t.role, request, t.at, t.dueAt ?? null],
      )
    },
    answerTask: (id: string, by: string, at: string) =>
      sql.run("UPDATE tasks SET status = 'answered', answered_by = ?, answered_at = ? WHERE id = ?", [by, at, id]),
    expireTask: (id: string, at: string) =>
      sql.run("UPDATE tasks SET status = 'expired', answered_at = ? WHERE id = ?", [at, id]),
    // Release, reassign, escalate and claim: each only from the state it expects, so two people
    // acting at once (in one process or two) cannot both win.
    releaseTask: async (id: string, by: string) =>
      (
        await sql.run(
          "UPDATE tasks SET status = 'open', claimed_by = NULL WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
          [id, by],
        )
      ).changes === 1,
    assignTask: async (id: string, to: string) =>
      (
        await sql.run(
          "UPDATE tasks SET status = 'claimed', claimed_by = ? WHERE id = ? AND status IN ('open', 'claimed')",
          [to, id],
        )
      ).changes === 1,
    moveTask: async (id: string, role: string) =>
      (
        await sql.run(
          "UPDATE tasks SET role = ?, status = 'open', claimed_by = NULL WHERE id = ? AND status IN ('open', 'claimed')",
          [role, id],
        )
      ).changes === 1,
    claimTask: async (id: string, by: string) =>
      (await sql.run("UPDATE tasks SET status = 'claimed', claimed_by = ? WHERE id = ? AND status = 'open'", [by, id]))
        .changes === 1,
    /** Open or claimed tasks whose due time is at or before `now`, soonest due first. */
    overdueTasks: async (now: string) =>
      openTasks(
        await sql.all<TaskRow>(
          "SELECT * FROM tasks WHERE status IN ('open', 'claimed') AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id",
          [now],
        ),
      ),
    taskById: async (id: string) => {
      const row = await sql.get<TaskRow>('SELECT * FROM tasks WHERE id = ?', [id])
      return row ? openTask(row) : undefined
    },
    openTasks: async () =>
      openTasks(await sql.all<TaskRow>(`SELECT * FROM tasks WHERE status IN ('open', 'claimed') ${OPEN_TASK_ORDER}`)),
    tasksOfRun: async (runId: string) =>
      openTasks(await sql.all<TaskRow>('SELECT * FROM tasks WHERE run_id = ? ORDER BY created_at, id', [runId])),
    /** A run now waits at a wait.event step for (name, key). */
    awaitEvent: (runId: string, wait: { name: string; key: string; nodeId: string }, at: string) =>
      sql.run(
        'INSERT INTO event_waits (run_id, name, key, node_id, since) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET name = excluded.name, key = excluded.key, node_id = excluded.node_id, since = excluded.since',
        [runId, wait.name, wait.key, wait.nodeId, at],
      ),
    /** The run no longer waits for a message (it got one, timed out or ended). */
    stopAwaiting: (runId: string) => sql.run('DELETE FROM event_waits WHERE run_id = ?', [runId]),
    /**
     * A migrated run goes on in another version: its row names that version from now on, and its
     * log stays packed against the version it was on (`log_hash`).
     */
    rehashRun: (runId: string, hash: string) =>
      sql.run('UPDATE runs SET log_hash = COALESCE(log_hash, hash), hash = ? WHERE id = ?', [hash, runId]),
    /** The tasks a migrated run left open in the old version (the new version opens its own). */
    cancelOpenTasks: (runId: string, at: string) =>
      sql.run(
        "UPDATE tasks SET status = 'cancelled', answered_at = ? WHERE run_id = ? AND status IN ('open', 'claimed')",
        [at, runId],
      ),
    /** Runs of one version of a flow that wait (on a task, a timer or a message). */
    waitingRuns: (flowId: string, hash: string) =>
      runs("WHERE flow_id = ? AND hash = ? AND status = 'waiting' ORDER BY created_at, id", [flowId, hash]),
    runsByStatus: (status: RunRow['status']) => runs('WHERE status = ? ORDER BY created_at, id', [status]),
    /** Runs left mid-step by a process that stopped: running, and nobody's lease is live. */
    abandonedRuns: (now: string) =>
      runs(`WHERE status = 'running' AND NOT ${leaseLive} ORDER BY created_at, id`, leaseParams(now)),
    /** Waiting runs whose timer is due and that no process is stepping. */
    dueRuns: (now: string) =>
      runs(
        `WHERE status = 'waiting' AND wait_until IS NOT NULL AND wait_until <= ? AND NOT ${leaseLive} ORDER BY wait_until, id`,
        [now, ...leaseParams(now)],
      ),
    listRuns: (flowId: string | undefined, limit: number): Promise<RunRow[]> =>
      flowId
        ? runs('WHERE flow_id = ? ORDER BY created_at DESC, id DESC LIMIT ?', [flowId, limit])
        : runs('ORDER BY created_at DESC, id DESC LIMIT ?', [limit]),
  }
}
export type RunStore = ReturnType<typeof createRunStore>
