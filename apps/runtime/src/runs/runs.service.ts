import { randomUUID } from 'node:crypto'
import {
  checkFacts,
  type ConnectorAdapter,
  type FlowDocument,
  type JsonValue,
  type NodeRegistry,
  type RetryPolicy,
} from '@carepath/dsl'
import {
  migrateRun,
  resumeRun,
  RunRefusedError,
  startRun,
  type EngineDeps,
  type ResumeSignal,
  type RunEvent,
  type RunEventType,
  type RunState,
} from '@carepath/engine'
import type { AuditService } from '../audit/audit.service.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import type { Store } from '../store/store.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import { AppError } from '../errors.ts'
import type { Flows } from '../flows/flows.service.ts'
import { runStepped } from '../audit/audit-entries.ts'
import { decisionForAudit, type AuditedDecision } from '../audit/decision-why.ts'
import { patientValuesIn, patientValuesOfRun, redactFreeText } from '../phi/free-text.ts'
import type { DataCipher } from '../keys/data-cipher.ts'
import { correlationRef } from '../events/correlation-ref.ts'
import { createRunStore, type FlowForRun, type Lease, type NewRun, type RunRow } from './run-store.ts'
import { newRunId } from './run-id.ts'
import { RunEngineDeps, type SharedRunDeps } from './run-engine-deps.ts'

export interface RunsDeps {
  store: Store
  audit: AuditService
  now: () => Date
  registry: NodeRegistry
  flows: Pick<Flows, 'version'>
  connectors: Record<string, ConnectorAdapter>
  /**
   * The connector adapters a version's runs call: those of the settings revision the version is
   * pinned to (`connectors` when absent).
   */
  connectorsFor?: (flowId: string, hash: string) => Record<string, ConnectorAdapter>
  /** Keys the references that stand in for patient values in the audit trail. */
  auditSecret: string
  /** Seals event batches and task requests at rest (plain JSON without one). */
  cipher?: DataCipher
  /** The retry policy of connector calls whose node sets none (engine `defaultRetry`). */
  retry?: RetryPolicy
  /** Waits between connector attempts (the injected clock's sleep; tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>
  /** This process's name on the runs it steps (a random id by default). */
  owner?: string
  /**
   * How long a step may hold its run before another process may take it (ms, default one
   * minute); renewed at every write of the step. A process killed mid-step leaves its runs to
   * the others after this.
   */
  leaseMs?: number
  /**
   * Called inside the transaction that writes each batch of a run's events (incidents, metric
   * rollups), and awaited there: what they write commits or rolls back with the events.
   */
  observers?: readonly BatchObserver[]
}

/** One committed batch of a run's events, as an observer sees it (inside the batch's transaction). */
export interface RunBatch {
  run: { id: string; flowId: string; hash: string }
  events: readonly RunEvent[]
  /** The run's status before this batch (undefined for a new run) and after it. */
  previous: RunState['status'] | undefined
  status: RunState['status']
  /** When the run started (its run.started event's time). */
  startedAt: string
  /** The commit's time. */
  at: string
  actor: Actor
  /** The whole run state, on the last batch of a start or resume. */
  state?: RunState | undefined
}
export type BatchObserver = (batch: RunBatch) => Promise<void> | void

/** A run taken and queued for the next group commit (see `startQueued`). */
export interface QueuedStart {
  id: string
  /** Settles after the commit that writes the run: its row, or the commit's error. */
  committed: Promise<RunRow>
}

interface RunIdentity {
  id: string
  flowId: string
  hash: string
  idempotencyKey: string
}

/** Another process is stepping this run right now (it holds the run's lease). */
export class RunBusyError extends AppError {
  constructor(runId: string) {
    super('conflict', `The run "${runId}" is being moved on by another process right now; try again in a moment.`)
  }
}

/** Work that commits in the transaction of a run's step (awaited there; only the store may be awaited). */
export type SameTransaction = () => Promise<unknown> | void

/**
 * Who caused a step: a person, an outside system, or the runtime itself (recovery, timers).
 * `reason` is an operator's own words for resolving an incident (audited with it).
 */
export type Actor = { who: string; role: string; reason?: string }

// Engine events that go to disk before the run goes on: a connector request is durable before
// the call is made and its response before anything uses it, so a crash never repeats a call
// whose answer was kept. Every other event waits for the batch's one transaction.
const FLUSH_NOW: ReadonlySet<RunEventType> = new Set(['connector.request', 'connector.response'])

/**
 * Runs and tasks: start (idempotent, pinned to the published hash), answer, claim, recover.
 * A run's event log is written in one transaction per step batch, with the batch's audit record.
 */
export function createRunsService(deps: RunsDeps) {
  const { audit, now, registry, flows, connectors, auditSecret } = deps
  const observers = deps.observers ?? []
  const store = createRunStore(deps.store, deps.cipher)
  const documents = new Map<string, Promise<FlowDocument>>()
  const owner = deps.owner ?? `process:${randomUUID()}`
  const leaseMs = deps.leaseMs ?? 60_000
  /** The lease of a step that is still going, from now. */
  const leaseFromNow = (): Lease => ({ owner, until: new Date(now().getTime() + leaseMs).toISOString() })
  const inflight = new Map<string, Promise<QueuedStart>>()
  const runLocks = new Map<string, Promise<unknown>>()

  /** The document of a version, parsed once and shared, so the engine prepares it once per hash. */
  function documentFor(flowId: string, hash: string): Promise<FlowDocument> {
    const key = `${flowId}@${hash}`
    let doc = documents.get(key)
    if (!doc) {
      doc = flows.version(flowId, hash)
      documents.set(key, doc)
      // A version that could not be read (not stored yet, a lost connection) is asked again next time.
      doc.catch(() => documents.delete(key))
    }
    return doc
  }

  /** Serialise work on one run (two answers at once must not both resume it). */
  function withRunLock<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = runLocks.get(runId) ?? Promise.resolve()
    const next = previous.then(work, work)
    const settled = next.then(
      () => undefined,
      () => undefined,
    )
    runLocks.set(runId, settled)
    void settled.then(() => {
      if (runLocks.get(runId) === settled) runLocks.delete(runId)
    })
    return next
  }

  /** Buffers a run's new events and writes them, with their tasks and one audit record, per batch. */
  function createPersister(
    run: RunIdentity,
    actor: Actor,
    firstCount: number,
    startedBy?: string,
    before?: { status: RunState['status']; startedAt: string },
  ) {
    let previous = before?.status
    let startedAt = before?.startedAt
    let pending: RunEvent[] = []
    let written = firstCount
    let created = startedBy === undefined
    // Whether the run may have stored waits to clear: a new run has none until it awaits a message.
    let mayAwait = created
    let batches = 0
    // The run's row as last written by this persister (a new run's start returns it without reading it back).
    let row: RunRow | undefined
    // Work that must commit with the step's first batch (see `carry`).
    let carried: SameTransaction | undefined
    const flush = (state?: RunState, inSameTransaction?: SameTransaction): Promise<void> => {
      if (pending.length === 0 && !state && !inSameTransaction && !carried) return Promise.resolve()
      const batch = pending
      pending = []
      const alongside = [carried, inSameTransaction]
      carried = undefined
      const at = now().toISOString()
      const status = state?.status ?? 'running'
      const waitUntil = state?.status === 'waiting' ? (state.waitUntil ?? null) : null
      // First write of a new run: its row goes in ahead of the group's writes, once, already in
      // its state after this batch.
      const newRun: NewRun | undefined = created
        ? undefined
        : {
            row: {
              id: run.id,
              flow_id: run.flowId,
              hash: run.hash,
              status,
              outcome: state?.outcome ?? null,
              idempotency_key: run.idempotencyKey,
              started_by: startedBy ?? actor.who,
              created_at: at,
              updated_at: at,
              event_count: written + batch.length,
              wait_until: waitUntil,
            },
            lease: state ? null : leaseFromNow(),
          }
      created = true
      return store.commit(async () => {
        await store.appendEvents(run.id, batch, run.hash)
        const decisions: AuditedDecision[] = []
        for (const event of batch) {
          if (event.type === 'task.opened') {
            const { taskId, request } = event.data
            await store.insertTask({
              id: taskId,
              runId: run.id,
              flowId: run.flowId,
              nodeId: event.nodeId ?? '',
              role: request.role,
              request,
              at,
              dueAt: request.due?.at,
            })
          } else if (event.type === 'run.migrated') {
            // Before this batch's new task.opened (events are in log order): the old version's task closes.
            await store.cancelOpenTasks(run.id, at)
            await store.stopAwaiting(run.id)
            await store.rehashRun(run.id, event.data.toHash)
            run.hash = event.data.toHash
          } else if (event.type === 'task.expired') {
            await store.expireTask(event.data.taskId, at)
          } else if (event.type === 'event.awaited') {
            mayAwait = true
            await store.awaitEvent(
              run.id,
              // Stored as the keyed hash messages are looked up by (events.service): never the value.
              { name: event.data.name, key: correlationRef(auditSecret, event.data.key), nodeId: event.nodeId ?? '' },
              at,
            )
          } else if (
            mayAwait &&
            (event.type === 'event.received' || event.type === 'wait.due' || event.type === 'run.ended')
          ) {
            await store.stopAwaiting(run.id)
          } else if (event.type === 'decision') {
            decisions.push(decisionForAudit({ nodeId: event.nodeId ?? '', ...event.data }, auditSecret))
          }
        }
        const before = written
        written += batch.length
        for (const work of alongside) await work?.()
        if (newRun) row = newRun.row
        else {
          // The step's last write gives the run back; a write before it renews the lease.
          await store.updateRun(
            run.id,
            state ?? { status: 'running' },
            written,
            at,
            before,
            state ? null : leaseFromNow(),
          )
          if (row)
            row = {
              ...row,
              status,
              outcome: state?.outcome ?? null,
              event_count: written,
              wait_until: waitUntil,
              updated_at: at,
            }
        }
        startedAt ??= batch[0]?.at ?? at
        for (const observe of observers)
          await observe({ run, events: batch, previous, status, startedAt, at, actor, state })
        previous = status
        await audit.record(
          runStepped(
            batches++ === 0 && firstCount === 0,
            // Who, not why: an operator's reason is audited once, with the incident's resolution.
            { who: actor.who, role: actor.role },
            { flow: run.flowId, hash: run.hash, run: run.id },
            {
              events: batch.length,
              decisions,
              status,
              ...(state?.outcome ? { outcome: state.outcome } : {}),
              ...(state?.error ? { error: redactFreeText(state.error.message, patientValuesOfRun(state.events)) } : {}),
            },
          ),
        )
      }, newRun)
    }
    return {
      onEvent(event: RunEvent): Promise<void> | void {
        pending.push(event)
        if (FLUSH_NOW.has(event.type)) return flush()
      },
      flush,
      /**
       * Commit `work` with the next batch written, whichever it is: a step whose connector call
       * flushes early commits it with its first events (a message's delivery with the run's
       * event.received), so a kill -9 between two batches cannot leave them apart.
       */
      carry(work: SameTransaction) {
        carried = work
      },
      /** The row as written by the last committed flush, when this persister created the run. */
      row: () => row,
    }
  }

  // What every run of this service shares (built once; see RunEngineDeps for a run's own).
  const sharedRunDeps: SharedRunDeps = {
    registry,
    clock: { now: () => now().toISOString() },
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    loadFlow: (flowId, hash) => documentFor(flowId, hash),
    retry: deps.retry,
  }

  function engineDeps(onEvent: (e: RunEvent) => Promise<void> | void, version: { flowId: string; hash: string }) {
    return new RunEngineDeps(sharedRunDeps, onEvent, () =>
      deps.connectorsFor ? deps.connectorsFor(version.flowId, version.hash) : connectors,
    )
  }

  /** A refusal as the caller sees it; its message is scrubbed of the values that were refused. */
  function refusal(error: unknown, refused: JsonValue = null): never {
    if (error instanceof RunRefusedError) {
      const message = redactFreeText(error.message, patientValuesIn(refused))
      if (error.code === 'invalid-input') throw new AppError('bad-input', message, { path: 'input' })
      if (error.code === 'invalid-answer')
        throw new AppError('invalid-answer', message, { path: error.path ? `answer.${error.path}` : 'answer' })
      if (error.code === 'flow-not-runnable') throw new AppError('conflict', error.message, { path: 'flowId' })
      if (
        error.code === 'no-open-task' ||
        error.code === 'not-awaiting' ||
        error.code === 'run-ended' ||
        error.code === 'not-due'
      )
        throw new AppError('conflict', error.message)
      if (error.code === 'no-incident') throw new AppError('conflict', error.message)
      if (error.code === 'invalid-port') throw new AppError('bad-input', error.message, { path: 'port' })
    }
    throw error
  }

  /** Start a run of the published version; the same idempotency key always returns the same run. */
  async function start(
    input: { flowId: string; input: JsonValue; idempotencyKey: string },
    principal: Principal,
  ): Promise<RunRow> {
    return (await startQueued(input, principal)).committed
  }

  /**
   * `start` in two steps: resolves once the run has been taken and its first write queued for the
   * next group commit, with `committed` settling after that commit. A caller that must take its
   * work in order (an MLLP connection's pipelined messages) hands the next item over at once, so
   * the items share one transaction, and still answers each only once `committed` has settled.
   */
  function startQueued(
    input: { flowId: string; input: JsonValue; idempotencyKey: string },
    principal: Principal,
  ): Promise<QueuedStart> {
    const key = `${principal.userId}:${input.idempotencyKey}`
    const running = inflight.get(key)
    if (running) return running
    const queued = startOnce(input, principal, key)
    inflight.set(key, queued)
    const done = () => inflight.delete(key)
    queued.then(({ committed }) => committed.then(done, done), done)
    return queued
  }

  /** The run this key already started, or a new one. */
  async function startOnce(
    input: { flowId: string; input: JsonValue },
    principal: Principal,
    key: string,
  ): Promise<QueuedStart> {
    const { existing, flow } = await store.startLookup(input.flowId, key)
    if (existing) return startedBefore(existing, input.flowId)
    return startFresh(input, principal, key, flow)
  }

  function startedBefore(existing: RunRow, flowId: string): QueuedStart {
    if (existing.flow_id !== flowId)
      throw new AppError('conflict', 'This idempotency key was already used for another flow.', {
        path: 'idempotencyKey',
      })
    return { id: existing.id, committed: Promise.resolve(existing) }
  }

  async function startFresh(
    input: { flowId: string; input: JsonValue },
    principal: Principal,
    key: string,
    flow: FlowForRun | undefined,
  ): Promise<QueuedStart> {
    if (!flow) throw new AppError('not-found', `No flow with id "${input.flowId}".`, { path: 'flowId' })
    if (flow.status === 'retired')
      throw new AppError('conflict', 'This flow is retired; it starts no new runs.', { path: 'flowId' })
    if (!flow.published_hash)
      throw new AppError('conflict', 'This flow has no published version yet.', { path: 'flowId' })
    const run: RunIdentity = { id: newRunId(), flowId: flow.id, hash: flow.published_hash, idempotencyKey: key }
    // The input must fit the published version's facts schema before anything is written.
    const document = await documentFor(run.flowId, run.hash)
    const problem = checkFacts(document.facts, input.input)
    if (problem) throw new AppError('bad-input', problem.message, { path: problem.path })
    const persister = createPersister(run, auditActor(principal), 0, principal.username)
    let state: RunState
    try {
      state = await startRun(document, input.input, engineDeps(persister.onEvent, run), {
        runId: run.id,
      })
    } catch (error) {
      refusal(error, input.input)
    }
    // Queued now (flush enqueues its write synchronously); on disk once `committed` settles.
    const committed = persister.flush(state).then(
      async () => persister.row() ?? ((await store.runById(run.id)) as RunRow),
      // Another process started a run with this key at the same moment: its run is the answer.
      async (error: unknown) => {
        const winner = isUniqueViolation(error) ? await store.runByKey(key) : undefined
        if (!winner) throw error
        return startedBefore(winner, input.flowId).committed
      },
    )
    // Whoever holds only the queued start may never await the commit: its failure is theirs to see.
    committed.catch(() => {})
    return { id: run.id, committed }
  }

  /**
   * One step of a stored run, under its lock in this process and its lease across processes:
   * read its row and log, let the engine go on from there (`step`), and write the new events,
   * with `inSameTransaction`, in one commit that also gives the lease back.
   */
  function stepRun(
    runId: string,
    actor: Actor,
    inSameTransaction: SameTransaction | undefined,
    step: (row: RunRow, events: RunEvent[], deps: EngineDeps) => Promise<RunState>,
    refused: JsonValue = null,
  ): Promise<RunState> {
    return withRunLock(runId, async () => {
      if (!(await store.claimRun(runId, leaseFromNow(), now().toISOString()))) {
        if (!(await store.runById(runId))) throw new AppError('not-found', `No run with id "${runId}".`, { path: 'id' })
        throw new RunBusyError(runId)
      }
      try {
        return await stepClaimed(runId, actor, inSameTransaction, step, refused)
      } catch (error) {
        // Nothing more of this step will be written: the run is free for whoever comes next.
        await store.releaseRun(runId, owner)
        throw error
      }
    })
  }

  async function stepClaimed(
    runId: string,
    actor: Actor,
    inSameTransaction: SameTransaction | undefined,
    step: (row: RunRow, events: RunEvent[], deps: EngineDeps) => Promise<RunState>,
    refused: JsonValue,
  ): Promise<RunState> {
    const row = await store.runById(runId)
    if (!row) throw new AppError('not-found', `No run with id "${runId}".`, { path: 'id' })
    const events = await store.events(runId)
    const persister = createPersister(
      { id: row.id, flowId: row.flow_id, hash: row.hash, idempotencyKey: row.idempotency_key },
      actor,
      events.length,
      undefined,
      { status: row.status, startedAt: events[0]?.at ?? row.created_at },
    )
    if (inSameTransaction) persister.carry(inSameTransaction)
    let state: RunState
    try {
      state = await step(row, events, engineDeps(persister.onEvent, { flowId: row.flow_id, hash: row.hash }))
    } catch (error) {
      refusal(error, refused)
    }
    await persister.flush(state)
    return state
  }

  /** Continue a run from its log with a signal (an answer, a due timer, a message, or after a restart). */
  function resume(
    runId: string,
    signal: ResumeSignal,
    actor: Actor,
    inSameTransaction?: SameTransaction,
  ): Promise<RunState> {
    return stepRun(
      runId,
      actor,
      inSameTransaction,
      async (row, events, deps) => resumeRun(await documentFor(row.flow_id, row.hash), events, signal, deps),
      signal.type === 'answer' ? signal.answer : null,
    )
  }

  /**
   * Move a waiting run to another version of its flow (an approved migration): its log replays
   * against the version it ran in, then it enters `toNode` of `toHash` afresh. `inSameTransaction`
   * commits with the run's step (the migration's own record of the run).
   */
  function migrate(
    runId: string,
    move: { migration: string; toHash: string; toNode: string },
    actor: Actor,
    inSameTransaction?: SameTransaction,
  ): Promise<RunState> {
    return stepRun(runId, actor, inSameTransaction, async (row, events, deps) =>
      migrateRun(
        await documentFor(row.flow_id, move.toHash),
        events,
        { migration: move.migration, toNode: move.toNode },
        deps,
      ),
    )
  }

  /** On start-up: runs that were in flight when the process stopped go on from their logs. */
  async function recover(onError: (runId: string, error: unknown) => void = () => {}): Promise<number> {
    return await resumeEach(await store.abandonedRuns(now().toISOString()), { type: 'continue' }, onError)
  }

  /**
   * Continue the runs another process left mid-step (killed, or cut off from the database) once
   * their leases have run out. Only where several processes share the database: a process alone
   * on a SQLite file recovers what it left at its next start (`recover`), and a run it is
   * stepping right now is no one else's to take.
   */
  async function takeOverAbandoned(onError: (runId: string, error: unknown) => void = () => {}): Promise<number> {
    if (deps.store.dialect === 'sqlite') return 0
    return await resumeEach(await store.abandonedRuns(now().toISOString()), { type: 'continue' }, onError)
  }

  /** Fire the timers that are due. */
  async function fireDueTimers(onError: (runId: string, error: unknown) => void = () => {}): Promise<number> {
    return await resumeEach(await store.dueRuns(now().toISOString()), { type: 'timer' }, onError)
  }

  // One run that cannot go on (say, its node type was uninstalled) must not stop the others.
  async function resumeEach(
    rows: RunRow[],
    signal: ResumeSignal,
    onError: (runId: string, error: unknown) => void,
  ): Promise<number> {
    let resumed = 0
    for (const row of rows) {
      try {
        await resume(row.id, signal, { who: 'carepath', role: 'system' })
        resumed++
      } catch (error) {
        // Another process took it first: it is theirs to move on, not a failure.
        if (error instanceof RunBusyError) continue
        onError(row.id, error)
      }
    }
    return resumed
  }

  return {
    start,
    startQueued,
    resume,
    migrate,
    recover,
    takeOverAbandoned,
    fireDueTimers,
    store,
    documentFor,
    owner,
  }
}
export type RunsService = ReturnType<typeof createRunsService>
