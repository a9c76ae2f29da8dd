// Persistence of runs on the hot path, through the store (store/README.md). Hand-written
// statements (drizzle's query builder costs more per call than the whole insert), prepared once
// per text by either executor; the tables themselves are declared in db/schema.ts like every other.
// Its parts live beside it: the group commit every write goes through (group-commit.ts), what a
// run start reads (run-start-lookup.ts) and the event log at rest (run-event-log.ts).
import type { RunState } from '@carepath/engine'
import { AppError } from '../errors.ts'
import { PLAINTEXT, type DataCipher } from '../keys/data-cipher.ts'
import type { Store } from '../store/store.ts'
import { createGroupCommit } from './group-commit.ts'
import { createRunEventLog, openOrExplain } from './run-event-log.ts'
import { RUN_COLUMNS, type Lease, type RunRow } from './run-row.ts'
import { createStartLookups } from './run-start-lookup.ts'

export { runKeyId } from './run-event-log.ts'
export type { Lease, NewRun, RunRow } from './run-row.ts'
export type { FlowForRun, StartLookup } from './run-start-lookup.ts'

/** A row of the tasks table as the store returns it: `request` is its JSON, opened from the sealed column. */
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

// Due tasks first (soonest due first), then the rest oldest first.
const OPEN_TASK_ORDER = 'ORDER BY due_at IS NULL, due_at, created_at, id'

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
  const { runOf, events, appendEvents } = createRunEventLog(sql, cipher)
  const runs = (where: string, params: (string | number)[]) =>
    sql.all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ${where}`, params)
  const { startLookup, flowForRun } = createStartLookups(sql, runs)
  const commit = createGroupCommit(store)

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
    /** A run's whole log, parsed once per read (run-event-log.ts). */
    events,
    /** A batch of a run's events, written as the caller's transaction commits (run-event-log.ts). */
    appendEvents,
    /** What a run start reads, in one statement with every run start asking meanwhile (run-start-lookup.ts). */
    startLookup,
    /** The flow a run would start in: whether it may start runs, and of which version. */
    flowForRun,
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
