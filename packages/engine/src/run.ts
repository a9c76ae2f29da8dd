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
  if (state.status === 'completed' || state.status === 'failed') {
    if (signal.type === 'continue') return state
    throw new RunRefusedError('run-ended', `The run has already ${state.status === 'failed' ? 'failed' : 'completed'}.`)
  }
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

/** Walk the flow over a (possibly empty) recorded prefix; returns the whole log. */
export async function drive(
  prepared: PreparedFlow,
  input: JsonRecord,
  deps: EngineDeps,
  runId: string,
  recorded: readonly RunEvent[],
  signal: ResumeSignal | undefined,
  autopilot: Autopilot,
): Promise<RunEvent[]> {
  const recorder = new EventRecorder(recorded, deps)
  const run = new RunContext(deps, recorder, runId, signal, autopilot)
  const { flow, hash } = prepared
  await recorder.emit('run.started', undefined, '', { runId, flowId: flow.id, flowHash: hash, input })
  const result = await walkFlow(run, prepared, input, '', runId)
  if (result.status === 'completed') {
    await recorder.emit('run.ended', undefined, '', { status: 'completed', outcome: result.outcome })
  } else if (result.status === 'failed') {
    await recorder.emit('run.ended', result.nodeId, '', { status: 'failed', message: result.message })
  }
  if (recorder.replaying) {
    const next = recorder.peek() as RunEvent
    throw new RunRefusedError(
      'log-mismatch',
      `The event log does not match this flow version at event ${next.seq} (${next.type}).`,
    )
  }
  return recorder.events
}
