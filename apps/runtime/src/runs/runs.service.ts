// The runs service composes the run store with the start path (run-start.ts), the persister of
// each start or step (run-persister.ts) and the mapping of engine refusals (run-refusal.ts); the
// step path (one step of a stored run under its lock and lease) and recovery stay here.
import { randomUUID } from 'node:crypto'
import type { ConnectorAdapter, FlowDocument, JsonValue, NodeRegistry, RetryPolicy } from '@carepath/dsl'
import {
  migrateRun,
  resumeRun,
  type EngineDeps,
  type ResumeSignal,
  type RunEvent,
  type RunState,
} from '@carepath/engine'
import type { AuditService } from '../audit/audit.service.ts'
import type { Store } from '../store/store.ts'
import { AppError } from '../errors.ts'
import type { Flows } from '../flows/flows.service.ts'
import type { DataCipher } from '../keys/data-cipher.ts'
import { createRunStore } from './run-store.ts'
import { RunEngineDeps, type SharedRunDeps } from './run-engine-deps.ts'
import { createRunPersisters, type Actor, type BatchObserver, type SameTransaction } from './run-persister.ts'
import { refusal } from './run-refusal.ts'
import type { Lease, RunRow } from './run-row.ts'
import { createRunStarts } from './run-start.ts'

export type { Actor, BatchObserver, RunBatch, SameTransaction } from './run-persister.ts'
export type { QueuedStart } from './run-start.ts'

/** What a runs service is given, once, at construction. */
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

/** Another process is stepping this run right now (it holds the run's lease). */
export class RunBusyError extends AppError {
  constructor(runId: string) {
    super('conflict', `The run "${runId}" is being moved on by another process right now; try again in a moment.`)
  }
}

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

  const createPersister = createRunPersisters({ store, audit, now, leaseFromNow, observers, auditSecret })

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

  const { start, startQueued } = createRunStarts({ store, documentFor, createPersister, engineDeps })

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
