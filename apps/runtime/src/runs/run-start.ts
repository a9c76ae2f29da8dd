// The start path of a run, the product's hottest: the idempotency key's run if it started one,
// else a new run of the flow's published version, taken by the engine and queued for the next
// group commit. Starts of one key in this process share one attempt; another process starting
// the same key at the same moment is caught by the key's unique index, and its run is the answer.
import { checkFacts, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { startRun, type RunEvent, type RunState } from '@carepath/engine'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import type { RunEngineDeps } from './run-engine-deps.ts'
import { newRunId } from './run-id.ts'
import type { CreatePersister, RunIdentity } from './run-persister.ts'
import { refusal } from './run-refusal.ts'
import type { RunRow } from './run-row.ts'
import type { FlowForRun } from './run-start-lookup.ts'
import type { RunStore } from './run-store.ts'

/** A run taken and queued for the next group commit (see `startQueued`). */
export interface QueuedStart {
  id: string
  /** Settles after the commit that writes the run: its row, or the commit's error. */
  committed: Promise<RunRow>
}

/** What the start path of a runs service uses, given once. */
export interface RunStartDeps {
  store: RunStore
  /** The document of a version, parsed once and shared. */
  documentFor: (flowId: string, hash: string) => Promise<FlowDocument>
  createPersister: CreatePersister
  /** The engine deps of one start, with the run's event hook and version. */
  engineDeps: (
    onEvent: (e: RunEvent) => Promise<void> | void,
    version: { flowId: string; hash: string },
  ) => RunEngineDeps
}

/** The start path of one runs service: `start` and `startQueued` (see `createRunsService`). */
export function createRunStarts(deps: RunStartDeps) {
  const { store, documentFor, createPersister, engineDeps } = deps
  // Starts of one key under way in this process, until their commit settles.
  const inflight = new Map<string, Promise<QueuedStart>>()

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

  return { start, startQueued }
}
