import type { FlowDocument, JsonValue } from '@carepath/dsl'
import { canonicalJson } from '@carepath/dsl'
import {
  RunRefusedError,
  type EngineDeps,
  type ResumeSignal,
  type StartOptions,
  type Autopilot,
} from './engine-deps.ts'
import { EventRecorder } from './event-recorder.ts'
import type { RunEvent, RunState } from './events.ts'
import type { RunEventOf } from './run-event.schema.ts'
import { isJsonRecord } from './facts.ts'
import { jsonCopy } from './json-copy.ts'
import { walkFlow } from './flow-walk.ts'
import { foldEvents } from './fold.ts'
import { FlowNotRunnableError, prepareFlow, type PreparedFlow } from './prepare.ts'
import { RunContext } from './run-context.ts'

type JsonRecord = { [key: string]: JsonValue }

/**
 * Start a run of a flow version with input facts. Walks until the run completes, fails, or waits
 * on a human task or timer; every step goes to the log (and to `deps.onEvent`, in order).
 * Throws RunRefusedError ('flow-not-runnable', 'invalid-input') before writing anything.
 * @example
 * const state = await startRun(flow, { patient: { age: 70 } }, deps, { runId: 'r-1' })
 * if (state.status === 'waiting') console.log(state.openTask?.request.role)
 */
export async function startRun(
  flow: FlowDocument,
  input: JsonValue,
  deps: EngineDeps,
  options: StartOptions,
): Promise<RunState> {
  const prepared = prepareOrRefuse(flow, deps)
  if (!isJsonRecord(input)) throw new RunRefusedError('invalid-input', 'The input facts must be a JSON object.')
  const events = await drive(prepared, jsonCopy(input), deps, options.runId, [], undefined, options.autopilot ?? {})
  return foldEvents(events)
}

/**
 * Continue a run from its log: answer its open task, fire its due timer, or (`continue`) pick up
 * a run that was interrupted between two steps. The recorded prefix is replayed, recorded
 * connector responses are reused (never called again), and the run goes on from where the log
 * ends, so the finished log equals the one an uninterrupted run writes.
 * Refused (RunRefusedError, nothing appended) when the answer does not fit the task
 * ('invalid-answer'), no such task is open, the timer is not due, the run has ended, or the log
 * belongs to another flow version.
 */
export async function resumeRun(
  flow: FlowDocument,
  events: readonly RunEvent[],
  signal: ResumeSignal,
  deps: EngineDeps,
  options: { autopilot?: Autopilot } = {},
): Promise<RunState> {
  const prepared = prepareOrRefuse(flow, deps)
  const state = foldEvents(events)
  const started = events[0]
  if (started?.type !== 'run.started') {
    throw new RunRefusedError('log-mismatch', 'The event log does not start with run.started.')
  }
  if (state.flowHash !== prepared.hash) {
    throw new RunRefusedError('log-mismatch', `The run is pinned to version ${state.flowHash}, not ${prepared.hash}.`)
  }
  if (state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled') {
    if (signal.type === 'continue') return state
    throw new RunRefusedError('run-ended', `The run has already ${ENDED[state.status]}.`)
  }
  if (signal.type === 'incident') refuseResolution(prepared, state, signal)
  else if (state.status === 'incident' && signal.type === 'continue') return state
  if (signal.type === 'answer' && state.openTask?.taskId !== signal.taskId) {
    throw new RunRefusedError('no-open-task', `The run has no open task "${signal.taskId}".`)
  }
  if (signal.type === 'event' && (state.awaiting?.name !== signal.name || state.awaiting.key !== signal.key)) {
    throw new RunRefusedError('not-awaiting', `The run is not waiting for the message "${signal.name}" with this key.`)
  }
  if (signal.type === 'timer' && (state.waitUntil === undefined || deps.clock.now() < state.waitUntil)) {
    throw new RunRefusedError(
      'not-due',
      state.waitUntil === undefined ? 'The run is not waiting on a timer.' : `The timer is due at ${state.waitUntil}.`,
    )
  }
  // A private copy: the run freezes its facts, and the caller's log must stay the caller's.
  const input = jsonCopy(started.data.input)
  const all = await drive(prepared, input, deps, state.runId, events, signal, options.autopilot ?? {})
  return foldEvents(all)
}

const ENDED = { completed: 'completed', failed: 'failed', cancelled: 'been cancelled' } as const

/** Refuses an incident resolution the run cannot take (no incident, or a port the node lacks). */
function refuseResolution(
  prepared: PreparedFlow,
  state: RunState,
  signal: Extract<ResumeSignal, { type: 'incident' }>,
): void {
  const open = state.incident
  if (state.status !== 'incident' || !open) throw new RunRefusedError('no-incident', 'The run has no open incident.')
  if (signal.action !== 'skip') return
  const next = prepared.nodes.get(open.nodeId)?.node.next ?? {}
  const to = Object.hasOwn(next, signal.port) ? next[signal.port] : undefined
  if (to === undefined || !prepared.nodes.has(to)) {
    const ports = Object.keys(next).sort()
    throw new RunRefusedError(
      'invalid-port',
      `The step "${open.nodeId}" has no outcome "${signal.port}" to skip to (it has: ${ports.join(', ') || 'none'}).`,
      'port',
    )
  }
}

/** The byte-exact trace of a run: canonical JSON of its log. Same inputs, same trace. */
export function traceOf(events: readonly RunEvent[]): string {
  return canonicalJson(events)
}

function prepareOrRefuse(flow: FlowDocument, deps: EngineDeps): PreparedFlow {
  try {
    return prepareFlow(flow, deps.registry)
  } catch (error) {
    if (error instanceof FlowNotRunnableError) throw new RunRefusedError('flow-not-runnable', error.message)
    throw error
  }
}

/** A live move of a waiting run to the version being driven (see `migrateRun`). */
interface LiveMigration {
  id: string
  fromNode: string
  toNode: string
}

/**
 * Walk the flow over a (possibly empty) recorded prefix; returns the whole log. A log that moved
 * between versions (`run.migrated`) replays each stretch against its own version, loaded by hash
 * through `deps.loadFlow`, and goes on live in the last one, which is `prepared`.
 */
export async function drive(
  prepared: PreparedFlow,
  input: JsonRecord,
  deps: EngineDeps,
  runId: string,
  recorded: readonly RunEvent[],
  signal: ResumeSignal | undefined,
  autopilot: Autopilot,
  migrate?: LiveMigration,
): Promise<RunEvent[]> {
  const recorder = new EventRecorder(recorded, deps)
  const run = new RunContext(deps, recorder, runId, signal, autopilot)
  const started = recorded[0]
  const firstHash = started?.type === 'run.started' ? started.data.flowHash : prepared.hash
  let version = firstHash === prepared.hash ? prepared : await versionByHash(prepared, deps, firstHash)
  await recorder.emit('run.started', undefined, '', {
    runId,
    flowId: version.flow.id,
    flowHash: version.hash,
    input,
  })
  let result = await walkFlow(run, version, input, '', runId)
  for (;;) {
    const next = recorder.peek()
    let move: RunEventOf<'run.migrated'>['data'] | undefined
    if (result.status === 'waiting' && next?.type === 'run.migrated') move = next.data
    else if (result.status === 'waiting' && !recorder.replaying && migrate && version !== prepared) {
      move = { migration: migrate.id, fromHash: version.hash, toHash: prepared.hash, ...nodesOf(migrate) }
    }
    if (!move) break
    // The facts the run had when it moved: the fold of its log so far.
    const facts = foldEvents(recorder.events.slice(0, recorder.nextSeq)).facts
    await recorder.emit('run.migrated', undefined, '', move)
    version = move.toHash === prepared.hash ? prepared : await versionByHash(prepared, deps, move.toHash)
    if (!version.nodes.has(move.toNode)) {
      throw new RunRefusedError(
        'log-mismatch',
        `The version ${move.toHash} has no node "${move.toNode}" to go on from.`,
      )
    }
    result = await walkFlow(run, version, facts, '', runId, move.toNode)
  }
  if (result.status === 'completed') {
    await recorder.emit('run.ended', undefined, '', { status: 'completed', outcome: result.outcome })
  } else if (result.status === 'failed') {
    await recorder.emit('run.ended', result.nodeId, '', { status: 'failed', message: result.message })
  } else if (result.status === 'cancelled') {
    await recorder.emit('run.ended', undefined, '', { status: 'cancelled' })
  }
  if (recorder.replaying) {
    const next = recorder.peek() as RunEvent
    throw new RunRefusedError(
      'log-mismatch',
      `The event log does not match this flow version at event ${next.seq} (${next.type}).`,
      '',
      next.seq,
    )
  }
  return recorder.events
}

function nodesOf(migrate: LiveMigration): { fromNode: string; toNode: string } {
  return { fromNode: migrate.fromNode, toNode: migrate.toNode }
}

/** An earlier version of the same flow, by content hash (a migrated run's log names the versions it ran in). */
async function versionByHash(current: PreparedFlow, deps: EngineDeps, hash: string): Promise<PreparedFlow> {
  if (!deps.loadFlow) {
    throw new RunRefusedError('log-mismatch', `The run ran in version ${hash} too, and no flow loader is configured.`)
  }
  const loaded = prepareOrRefuse(await deps.loadFlow(current.flow.id, hash), deps)
  if (loaded.hash !== hash) {
    throw new RunRefusedError(
      'log-mismatch',
      `The version loaded for ${hash} has a different content (${loaded.hash}).`,
    )
  }
  return loaded
}

/** Where a waiting run waits, at the top level of its flow; undefined when it is not waiting there. */
export function waitingNode(state: RunState): string | undefined {
  if (state.status !== 'waiting') return undefined
  if (state.openTask) return state.openTask.scope ? undefined : state.openTask.nodeId
  if (state.awaiting) return state.awaiting.scope ? undefined : state.awaiting.nodeId
  const last = [...state.events].reverse().find((e) => e.type === 'wait.started')
  return last && !last.scope ? last.nodeId : undefined
}

/**
 * Move a waiting run to another version of its flow: the log so far replays against the version
 * it ran in, a `run.migrated` event records both hashes and both nodes, and the run enters
 * `toNode` of `to` afresh (a task is opened again, a timer or a wait for a message starts again)
 * and goes on from there. Refused (nothing appended) when the run is not waiting at the top level
 * of its flow, or `to` has no node `toNode`.
 */
export async function migrateRun(
  to: FlowDocument,
  events: readonly RunEvent[],
  move: { migration: string; toNode: string },
  deps: EngineDeps,
): Promise<RunState> {
  const target = prepareOrRefuse(to, deps)
  const state = foldEvents(events)
  const started = events[0]
  if (started?.type !== 'run.started') {
    throw new RunRefusedError('log-mismatch', 'The event log does not start with run.started.')
  }
  const fromNode = waitingNode(state)
  if (fromNode === undefined) {
    throw new RunRefusedError('not-due', 'Only a run waiting at a step of its own flow (not in a subflow) can move.')
  }
  if (state.flowHash === target.hash) throw new RunRefusedError('not-due', 'The run is already on this version.')
  if (!target.nodes.has(move.toNode)) {
    throw new RunRefusedError('not-due', `The new version has no node "${move.toNode}".`)
  }
  const input = jsonCopy(started.data.input)
  const all = await drive(
    target,
    input,
    deps,
    state.runId,
    events,
    undefined,
    {},
    {
      id: move.migration,
      fromNode,
      toNode: move.toNode,
    },
  )
  return foldEvents(all)
}
