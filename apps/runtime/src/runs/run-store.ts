// Persistence of runs on the hot path. These statements are prepared once on the raw
// better-sqlite3 handle (drizzle's query builder costs more per call than the whole insert);
// the tables themselves are declared in db/schema.ts like every other.
import { parseRunEvents, RUN_EVENT_VERSION, type RunEvent, type RunState, type RunStatus } from '@carepath/engine'
import type { Db } from '../db/open-db.ts'
import { AppError } from '../errors.ts'
import { packBatch, unpackBatch } from './event-batch-codec.ts'
import { PLAINTEXT, SealedDataError, sealedKeyId, type DataCipher } from '../keys/data-cipher.ts'

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
function openOrExplain<T>(open: () => T): T {
  try {
    return open()
  } catch (error) {
    if (error instanceof SealedDataError && error.reason === 'shredded')
      throw new AppError(
        'not-found',
        "This run's patient data was deleted at the end of its flow's retention period; its status, outcome and times remain.",
      )
    throw error
  }
}

/**
 * `cipher` seals the PHI-bearing columns (event batches, task requests) at rest, each bound to
 * its row; without one they are stored as plain JSON (the store's own tests).
 */
export function createRunStore(db: Db, cipher: DataCipher = PLAINTEXT) {
  const sql = db.$client
  const openTask = (row: TaskRow): TaskRow => ({
    ...row,
    request: openOrExplain(() => cipher.open(row.request, `tasks|${row.id}`)),
  })
  // A run's key id: named by its first stored batch (every later write of the run uses the same
  // key), or for a run's first batch taken from its run.started event; remembered per run.
  const keyOfRun = new Map<string, string>()
  const firstBatch = sql.prepare<[string], { events: string }>(
    'SELECT events FROM run_events WHERE run_id = ? ORDER BY first_seq LIMIT 1',
  )
  function keyIdOf(runId: string, batch: readonly RunEvent[] = []): string {
    let id = keyOfRun.get(runId)
    if (id) return id
    // A batch that starts the run names the key itself: a new run has no stored batch to look up.
    const started = batch.find((e) => e.type === 'run.started')
    if (started?.type === 'run.started') id = runKeyId(started.data.flowId, started.at)
    else {
      const stored = firstBatch.get(runId)
      id = stored ? sealedKeyId(stored.events) : undefined
    }
    if (!id) throw new Error(`run ${runId} has no stored events to name its data key`)
    if (keyOfRun.size >= 10_000) keyOfRun.delete(keyOfRun.keys().next().value as string)
    keyOfRun.set(runId, id)
    return id
  }

  const byId = sql.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?')
  const byKey = sql.prepare<[string], RunRow>('SELECT * FROM runs WHERE idempotency_key = ?')
  const insertRun = sql.prepare(
    'INSERT INTO runs (id, flow_id, hash, status, outcome, idempotency_key, started_by, created_at, updated_at, event_count, wait_until) VALUES (@id, @flow_id, @hash, @status, @outcome, @idempotency_key, @started_by, @created_at, @updated_at, @event_count, @wait_until)',
  )
  const updateRun = sql.prepare(
    'UPDATE runs SET status = ?, outcome = ?, event_count = ?, wait_until = ?, updated_at = ? WHERE id = ?',
  )
  // Every row is a batch: the seqs of its first and last events, the event format version and the
  // events as a JSON array (a lone event is a batch of one). A run's step is a dozen events, and
  // one row costs SQLite one table and one primary-key entry instead of a dozen of each.
  const insertBatch = sql.prepare(
    'INSERT INTO run_events (run_id, first_seq, last_seq, version, events) VALUES (?, ?, ?, ?, ?)',
  )
  // A sample for replay checks after an upgrade: any stored run may be picked, ended or waiting.
  const sampleRuns = sql.prepare<[number], { id: string }>('SELECT id FROM runs ORDER BY random() LIMIT ?')
  const flowForRun = sql.prepare<[string], { id: string; status: string; published_hash: string | null }>(
    'SELECT id, status, published_hash FROM flows WHERE id = ?',
  )
  const batchesOf = sql.prepare<[string], { first_seq: number; version: number; events: string }>(
    'SELECT first_seq, version, events FROM run_events WHERE run_id = ? ORDER BY first_seq',
  )
  const insertTask = sql.prepare(
    "INSERT INTO tasks (id, run_id, flow_id, node_id, role, status, request, created_at, due_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)",
  )
  const expireTask = sql.prepare("UPDATE tasks SET status = 'expired', answered_at = ? WHERE id = ?")
  // Release, reassign and escalate: each only from the state it expects, so two people acting at once cannot both win.
  const releaseTask = sql.prepare(
    "UPDATE tasks SET status = 'open', claimed_by = NULL WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
  )
  const assignTask = sql.prepare(
    "UPDATE tasks SET status = 'claimed', claimed_by = ? WHERE id = ? AND status IN ('open', 'claimed')",
  )
  const moveTask = sql.prepare(
    "UPDATE tasks SET role = ?, status = 'open', claimed_by = NULL WHERE id = ? AND status IN ('open', 'claimed')",
  )
  const answerTask = sql.prepare("UPDATE tasks SET status = 'answered', answered_by = ?, answered_at = ? WHERE id = ?")
  const claimTask = sql.prepare("UPDATE tasks SET status = 'claimed', claimed_by = ? WHERE id = ? AND status = 'open'")
  const taskById = sql.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?')
  const tasksOfRun = sql.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE run_id = ? ORDER BY created_at, id')
  // Due tasks first (soonest due first), then the rest oldest first.
  const openTasks = sql.prepare<[], TaskRow>(
    "SELECT * FROM tasks WHERE status IN ('open', 'claimed') ORDER BY due_at IS NULL, due_at, created_at, id",
  )
  const overdueTasks = sql.prepare<[string], TaskRow>(
    "SELECT * FROM tasks WHERE status IN ('open', 'claimed') AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id",
  )
  const runsByStatus = sql.prepare<[string], RunRow>('SELECT * FROM runs WHERE status = ? ORDER BY created_at')
  const awaitRun = sql.prepare(
    'INSERT INTO event_waits (run_id, name, key, node_id, since) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET name = excluded.name, key = excluded.key, node_id = excluded.node_id, since = excluded.since',
  )
  const stopAwaiting = sql.prepare('DELETE FROM event_waits WHERE run_id = ?')
  const rehash = sql.prepare('UPDATE runs SET hash = ? WHERE id = ?')
  const cancelOpenTasks = sql.prepare(
    "UPDATE tasks SET status = 'cancelled', answered_at = ? WHERE run_id = ? AND status IN ('open', 'claimed')",
  )
  const waitingOn = sql.prepare<[string, string], RunRow>(
    "SELECT * FROM runs WHERE flow_id = ? AND hash = ? AND status = 'waiting' ORDER BY created_at, id",
  )
  const dueRuns = sql.prepare<[string], RunRow>(
    "SELECT * FROM runs WHERE status = 'waiting' AND wait_until IS NOT NULL AND wait_until <= ?",
  )

  // Group commit: writes queued in the same turn of the event loop commit in one transaction
  // (each in its own savepoint, so one failing write never undoes another). A caller's promise
  // settles only after the commit, so nothing is acknowledged before it is on disk.
  let queue: { work: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = []
  // Transaction functions built once (better-sqlite3 builds four wrappers per transaction() call).
  // Called inside `inAll`, `inOwn` runs in a savepoint of its own.
  const inOwn = sql.transaction((work: () => unknown) => work())
  const inAll = sql.transaction(
    (jobs: typeof queue, results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[]) => {
      for (const job of jobs) {
        try {
          results.push({ ok: true, value: inOwn(job.work) })
        } catch (error) {
          results.push({ ok: false, error })
        }
      }
    },
  )
  const commitQueued = () => {
    const jobs = queue
    queue = []
    if (jobs.length === 1) {
      // Alone in its turn: no savepoint needed.
      const job = jobs[0] as (typeof jobs)[number]
      try {
        job.resolve(inOwn(job.work))
      } catch (error) {
        job.reject(error)
      }
      return
    }
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    try {
      inAll(jobs, results)
    } catch (error) {
      for (const job of jobs) job.reject(error)
      return
    }
    jobs.forEach((job, i) => {
      const r = results[i] as (typeof results)[number]
      if (r.ok) job.resolve(r.value)
      else job.reject(r.error)
    })
  }
  function commit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (queue.length === 0) setImmediate(commitQueued)
      queue.push({ work, resolve: resolve as (v: unknown) => void, reject })
    })
  }

  return {
    commit,
    runById: (id: string) => byId.get(id),
    runByKey: (key: string) => byKey.get(key),
    /** The ids of up to `count` stored runs picked at random. */
    sampleRunIds: (count: number) => sampleRuns.all(count).map((row) => row.id),
    insertRun: (row: RunRow) => insertRun.run(row),
    /**
     * A run's whole log, parsed by the engine's event schema here, once per read (upgraded first
     * when a batch was written in an older format version): everything downstream trusts it.
     */
    events(runId: string): RunEvent[] {
      const out: RunEvent[] = []
      for (const row of batchesOf.all(runId)) {
        const json = unpackBatch(
          openOrExplain(() => cipher.openBytes(row.events, `run_events|${runId}|${row.first_seq}`)),
        )
        for (const event of parseRunEvents(JSON.parse(json), row.version)) out.push(event)
      }
      return out
    },
    appendEvents(runId: string, events: readonly RunEvent[]) {
      if (events.length === 0) return
      const first = (events[0] as RunEvent).seq
      const last = (events[events.length - 1] as RunEvent).seq
      const json = JSON.stringify(events)
      // Packed before sealing (ciphertext does not compress); a store without a cipher keeps plain JSON.
      const sealed =
        cipher === PLAINTEXT
          ? json
          : cipher.sealBytes(keyIdOf(runId, events), packBatch(json), `run_events|${runId}|${first}`)
      insertBatch.run(runId, first, last, RUN_EVENT_VERSION, sealed)
    },
    flowForRun: (flowId: string) => flowForRun.get(flowId),
    updateRun(
      runId: string,
      state: Pick<RunState, 'status' | 'outcome' | 'waitUntil'>,
      eventCount: number,
      at: string,
    ) {
      updateRun.run(
        state.status,
        state.outcome ?? null,
        eventCount,
        state.status === 'waiting' ? (state.waitUntil ?? null) : null,
        at,
        runId,
      )
    },
    insertTask: (t: {
      id: string
      runId: string
      flowId: string
      nodeId: string
      role: string
      request: unknown
      at: string
      dueAt?: string | undefined
    }) =>
      insertTask.run(
        t.id,
        t.runId,
        t.flowId,
        t.nodeId,
        t.role,
        cipher === PLAINTEXT
          ? JSON.stringify(t.request)
          : cipher.seal(keyIdOf(t.runId), JSON.stringify(t.request), `tasks|${t.id}`),
        t.at,
        t.dueAt ?? null,
      ),
    answerTask: (id: string, by: string, at: string) => answerTask.run(by, at, id),
    expireTask: (id: string, at: string) => expireTask.run(at, id),
    releaseTask: (id: string, by: string) => releaseTask.run(id, by).changes === 1,
    assignTask: (id: string, to: string) => assignTask.run(to, id).changes === 1,
    moveTask: (id: string, role: string) => moveTask.run(role, id).changes === 1,
    /** Open or claimed tasks whose due time is at or before `now`, soonest due first. */
    overdueTasks: (now: string) => overdueTasks.all(now).map(openTask),
    claimTask: (id: string, by: string) => claimTask.run(by, id).changes === 1,
    taskById: (id: string) => {
      const row = taskById.get(id)
      return row ? openTask(row) : undefined
    },
    openTasks: () => openTasks.all().map(openTask),
    tasksOfRun: (runId: string) => tasksOfRun.all(runId).map(openTask),
    /** A run now waits at a wait.event step for (name, key). */
    awaitEvent: (runId: string, wait: { name: string; key: string; nodeId: string }, at: string) =>
      awaitRun.run(runId, wait.name, wait.key, wait.nodeId, at),
    /** The run no longer waits for a message (it got one, timed out or ended). */
    stopAwaiting: (runId: string) => stopAwaiting.run(runId),
    /** A migrated run goes on in another version: its row names that version from now on. */
    rehashRun: (runId: string, hash: string) => rehash.run(hash, runId),
    /** The tasks a migrated run left open in the old version (the new version opens its own). */
    cancelOpenTasks: (runId: string, at: string) => cancelOpenTasks.run(at, runId),
    /** Runs of one version of a flow that wait (on a task, a timer or a message). */
    waitingRuns: (flowId: string, hash: string) => waitingOn.all(flowId, hash),
    runsByStatus: (status: RunRow['status']) => runsByStatus.all(status),
    dueRuns: (now: string) => dueRuns.all(now),
    listRuns(flowId: string | undefined, limit: number): RunRow[] {
      return flowId
        ? sql
            .prepare<[string, number], RunRow>('SELECT * FROM runs WHERE flow_id = ? ORDER BY created_at DESC LIMIT ?')
            .all(flowId, limit)
        : sql.prepare<[number], RunRow>('SELECT * FROM runs ORDER BY created_at DESC LIMIT ?').all(limit)
    },
    transaction: <T>(fn: () => T): T => sql.transaction(fn)(),
  }
}
export type RunStore = ReturnType<typeof createRunStore>
