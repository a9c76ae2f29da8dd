import {
  AnswerError,
  NodeError,
  type ExecuteContext,
  type JsonValue,
  type NodeOutcome,
  type TaskRequest,
} from '@carepath/dsl'
import { adoptJson, isPromiseLike, toJson, type MaybePromise } from '@carepath/dsl'
import { callConnector } from './connector-call.ts'
import { RunRefusedError } from './engine-deps.ts'
import { deepFreeze, getFact, isDeclaredWrite, sortedKeys } from './facts.ts'
import { jsonCopy } from './json-copy.ts'
import type { RunContext } from './run-context.ts'
import type { PreparedFlow, PreparedNode } from './prepare.ts'

type JsonRecord = { [key: string]: JsonValue }

/** Where one node sends the run. */
export type StepResult =
  | { kind: 'follow'; port: string; facts: JsonRecord }
  | { kind: 'end'; outcome: string; facts: JsonRecord }
  | { kind: 'waiting' }
  | { kind: 'subflow'; outcome: Extract<NodeOutcome, { kind: 'subflow' }> }
  /** `routable`: a connector or NodeError failure the node's `error` port may handle. */
  | { kind: 'failed'; message: string; routable: boolean }

/** A step once any subflow has been run. */
export type Settled = Exclude<StepResult, { kind: 'subflow' }>

/** The flow-level frame a node executes in. */
export interface Frame {
  prepared: PreparedFlow
  runId: string
  scope: string
  facts: JsonRecord
}

const memos = new Map<string, unknown>()
const MEMO_LIMIT = 5_000

/**
 * The memos a prepared node already looked up, by evaluator setting: a prepared node serves every
 * run of its version, so most lookups end here without building the string key (as long-lived
 * as the prepared flow, which lives as long as its document).
 */
const nodeMemos = new WeakMap<PreparedNode, Map<string, unknown>>()

/** Build (once per flow hash and node) a value such as a compiled rule engine. */
function memo<T>(key: string, build: () => T): T {
  if (memos.has(key)) return memos.get(key) as T
  const value = build()
  // Oldest first out: a bounded cache, so long-lived servers do not grow without end.
  if (memos.size >= MEMO_LIMIT) memos.delete(memos.keys().next().value as string)
  memos.set(key, value)
  return value
}

/**
 * What a node may touch, as one object per execution. A class rather than an object of arrow
 * functions: methods live on the prototype (bound once here, so a node may still pass
 * `ctx.get` around), which keeps per-node allocation low on hot simulation paths.
 */
class NodeContext implements ExecuteContext {
  readonly runId: string
  readonly nodeId: string
  readonly flowHash: string
  readonly facts: Readonly<Record<string, JsonValue>>
  readonly factsSchema: ExecuteContext['factsSchema']
  readonly decisionEvaluator: ExecuteContext['decisionEvaluator']
  readonly calendar: ExecuteContext['calendar']

  constructor(
    private readonly run: RunContext,
    private readonly frame: Frame,
    private readonly p: PreparedNode,
    private readonly enteredAt: string,
  ) {
    this.runId = frame.runId
    this.nodeId = p.id
    this.flowHash = frame.prepared.hash
    this.facts = frame.facts
    this.factsSchema = frame.prepared.flow.facts
    const setting = run.deps.decisionEvaluator
    this.decisionEvaluator = typeof setting === 'function' ? setting(frame.prepared.flow.id) : setting
    this.calendar = frame.prepared.flow.calendar
    this.get = this.get.bind(this)
    this.now = this.now.bind(this)
    this.call = this.call.bind(this)
    this.memo = this.memo.bind(this)
  }

  get(path: string): JsonValue | undefined {
    return getFact(this.frame.facts, path)
  }

  now(): string {
    return this.enteredAt
  }

  call(connector: string, request: JsonValue): Promise<JsonValue> {
    const site = { runId: this.frame.runId, nodeId: this.p.id, scope: this.frame.scope, policy: this.p.node.retry }
    return callConnector(this.run, site, connector, request)
  }

  memo<T>(build: () => T): T {
    // The evaluator setting is part of the key: forcing json-rules-engine must not reuse a compiled memo.
    const setting = this.decisionEvaluator ?? ''
    let byNode = nodeMemos.get(this.p)
    if (!byNode) nodeMemos.set(this.p, (byNode = new Map()))
    if (byNode.has(setting)) return byNode.get(setting) as T
    const value = memo(`${this.frame.prepared.hash}\u0000${this.p.id}\u0000${setting}`, build)
    byNode.set(setting, value)
    return value
  }
}

/**
 * Execute one node once it has been entered: run its handler, record its decision, writes,
 * task or wait, and say where the run goes. `enteredAt` is the node's own clock reading, so a
 * node that reads `now()` sees the same time on replay as when it first ran. A promise only when
 * the step waited on something (see MaybePromise); the promises of this file are native ones.
 */
export function executeNode(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  visit: number,
  enteredAt: string,
): MaybePromise<StepResult> {
  const ctx = new NodeContext(run, frame, p, enteredAt)
  let outcome: ReturnType<typeof p.type.execute>
  try {
    outcome = p.type.execute(ctx, p.config)
  } catch (error) {
    return run.rethrowIfInterrupted(failure(p, error))
  }
  if (!isPromiseLike(outcome)) return takeOutcome(run, frame, p, ctx, outcome, visit)
  // Callbacks inline, not named constants: tsx names every named closure it creates, per call.
  return Promise.resolve(outcome).then(
    (resolved) => takeOutcome(run, frame, p, ctx, resolved, visit),
    (error: unknown) => run.rethrowIfInterrupted(failure(p, error)),
  )
}

function takeOutcome(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  ctx: ExecuteContext,
  outcome: NodeOutcome,
  visit: number,
): MaybePromise<StepResult> {
  run.rethrowIfInterrupted(undefined)
  if (outcome.kind === 'task') return task(run, frame, p, ctx, outcome.task, visit)
  if (outcome.kind === 'wait') return wait(run, frame, p, outcome.until, outcome.port)
  if (outcome.kind === 'event') return awaitEvent(run, frame, p, outcome, visit)
  if (outcome.kind === 'subflow') return { kind: 'subflow', outcome }
  return settle(run, frame, p, outcome)
}

/** Record a `next` or `end` outcome: its decision and its writes (declared paths only). */
export function settle(run: RunContext, frame: Frame, p: PreparedNode, outcome: NodeOutcome): MaybePromise<Settled> {
  if (outcome.kind !== 'next' && outcome.kind !== 'end') {
    return {
      kind: 'failed',
      routable: false,
      message: `Node "${p.id}" answered with a "${outcome.kind}" step, which is not allowed here.`,
    }
  }
  const set = outcome.set ?? {}
  const paths = sortedKeys(set)
  const undeclared = paths.find((path) => !isDeclaredWrite(path, p.writes))
  if (undeclared !== undefined) {
    const allowed = p.writes.length ? `it may write: ${p.writes.join(', ')}` : 'it may write no facts'
    return {
      kind: 'failed',
      routable: false,
      message: `Node "${p.id}" tried to write "${undeclared}", which its type does not declare (${allowed}).`,
    }
  }
  if (outcome.kind === 'next' && outcome.decision) {
    const decided = run.recorder.emit('decision', p.id, frame.scope, {
      port: outcome.port,
      // The compiled evaluators hand their explanations over; others are copied.
      explanation: adoptJson(outcome.decision),
    })
    if (decided instanceof Promise) return decided.then(() => writeFacts(run, frame, p, outcome, set, paths))
  }
  return writeFacts(run, frame, p, outcome, set, paths)
}

type Leaving = Extract<NodeOutcome, { kind: 'next' | 'end' }>

/** Record a settled step's writes (already checked) and leave with the facts after them. */
function writeFacts(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  outcome: Leaving,
  set: Record<string, JsonValue>,
  paths: readonly string[],
): MaybePromise<Settled> {
  if (paths.length === 0) return leave(outcome, frame.facts)
  const clean: JsonRecord = {}
  for (const path of paths) clean[path] = toJson(set[path] ?? null)
  const facts = frame.facts
  const written = run.recorder.emit('facts.set', p.id, frame.scope, { set: clean })
  if (written instanceof Promise) return written.then(() => leave(outcome, run.apply(facts, clean)))
  return leave(outcome, run.apply(facts, clean))
}

function leave(outcome: Leaving, facts: JsonRecord): Settled {
  return outcome.kind === 'next'
    ? { kind: 'follow', port: outcome.port, facts }
    : { kind: 'end', outcome: outcome.outcome, facts }
}

/**
 * A simulation's probe facts for this node entry (`deps.overlay`), recorded as a `facts.set`
 * marked `source: 'simulation-probe'` before the node sees its facts. Production never sets it.
 */
export function applyOverlay(run: RunContext, frame: Frame, p: PreparedNode, visit: number): MaybePromise<void> {
  const overlay = run.deps.overlay?.({ nodeId: p.id, scope: frame.scope, visit })
  if (overlay === undefined) return
  const paths = sortedKeys(overlay)
  if (paths.length === 0) return
  const clean: JsonRecord = {}
  for (const path of paths) clean[path] = toJson(overlay[path] ?? null)
  const written = run.recorder.emit('facts.set', p.id, frame.scope, { set: clean, source: 'simulation-probe' })
  const apply = (): void => {
    frame.facts = run.apply(frame.facts, clean)
  }
  return written instanceof Promise ? written.then(apply) : apply()
}

function failure(p: PreparedNode, error: unknown): Settled {
  if (error instanceof NodeError)
    return { kind: 'failed', routable: true, message: error.message || `Node "${p.id}" failed.` }
  const detail = error instanceof Error && error.message ? `: ${error.message}` : ''
  return { kind: 'failed', routable: false, message: `Node "${p.id}" (${p.node.type}) failed unexpectedly${detail}.` }
}

function task(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  ctx: ExecuteContext,
  request: TaskRequest,
  visit: number,
): MaybePromise<Settled> {
  // A task may show only what its type declares for this config (the PHI check ran on that).
  const allowed = p.type.human ? p.type.human.shows(p.config) : []
  const extra = request.shows.find((path) => !allowed.includes(path))
  if (extra !== undefined) {
    return {
      kind: 'failed',
      routable: false,
      message: `Node "${p.id}" tried to show "${extra}", which its type does not declare.`,
    }
  }
  const taskId = `${run.rootRunId}:task:${run.recorder.nextSeq}`
  const opened = run.recorder.emit('task.opened', p.id, frame.scope, { taskId, request: jsonCopy(request) })
  if (opened instanceof Promise) return opened.then(() => answerTask(run, frame, p, ctx, request, visit, taskId))
  return answerTask(run, frame, p, ctx, request, visit, taskId)
}

/** An opened task's answer, from the log, the signal or the autopilot; or the run waits. */
function answerTask(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  ctx: ExecuteContext,
  request: TaskRequest,
  visit: number,
  taskId: string,
): MaybePromise<Settled> {
  let answer: JsonValue | undefined
  let source: 'log' | 'signal' | 'auto' = 'log'
  const next = run.recorder.peek()
  const due = request.due?.timeout ? request.due.at : undefined
  if (next) {
    if (next.type === 'task.expired' && next.nodeId === p.id) return expire(run, frame, p.id, taskId, due ?? '')
    if (next.type !== 'task.answered' || next.nodeId !== p.id) return { kind: 'waiting' } // the mismatch surfaces at the next emit
    answer = next.data.answer
  } else if (run.signal?.type === 'answer' && !run.signalUsed && run.signal.taskId === taskId) {
    answer = run.signal.answer
    source = 'signal'
    run.signalUsed = true
  } else if (due !== undefined && run.signal?.type === 'timer' && !run.signalUsed && run.deps.clock.now() >= due) {
    run.signalUsed = true
    return expire(run, frame, p.id, taskId, due)
  } else if (run.autopilot.answer) {
    answer = run.autopilot.answer({ nodeId: p.id, ...(frame.scope ? { scope: frame.scope } : {}), visit, request })
    source = 'auto'
    // A simulated "nobody answered in time": the virtual clock moves to the due time.
    if (due !== undefined && isTimeoutAnswer(answer)) {
      run.autopilot.advanceTo?.(due)
      return expire(run, frame, p.id, taskId, due)
    }
  }
  if (answer === undefined) return { kind: 'waiting' }
  if (!p.type.answer) {
    return {
      kind: 'failed',
      routable: false,
      message: `Node "${p.id}" (${p.node.type}) opened a task but cannot take answers.`,
    }
  }
  let outcome: NodeOutcome
  try {
    outcome = p.type.answer(ctx, p.config, answer)
  } catch (error) {
    const message = error instanceof Error ? error.message : 'the answer was refused'
    if (source === 'signal')
      throw new RunRefusedError('invalid-answer', message, error instanceof AnswerError ? error.path : '')
    if (source === 'log')
      throw new RunRefusedError(
        'log-mismatch',
        `The recorded answer for task ${taskId} is refused by this flow version.`,
      )
    return { kind: 'failed', routable: false, message: `The answer given for "${p.id}" was refused: ${message}` }
  }
  const port = outcome.kind === 'next' ? outcome.port : outcome.kind === 'end' ? `end:${outcome.outcome}` : outcome.kind
  const answered = run.recorder.emit('task.answered', p.id, frame.scope, { taskId, answer: toJson(answer), port }, true)
  if (answered instanceof Promise) return answered.then(() => settle(run, frame, p, outcome))
  return settle(run, frame, p, outcome)
}

/** A suite's answer meaning "nobody answered before the step was due": `{ "$timeout": true }`. */
function isTimeoutAnswer(answer: JsonValue | undefined): boolean {
  return typeof answer === 'object' && answer !== null && !Array.isArray(answer) && answer.$timeout === true
}

/** The task's due time passed unanswered: it closes and the run leaves by `timeout`. */
async function expire(run: RunContext, frame: Frame, nodeId: string, taskId: string, due: string): Promise<Settled> {
  await run.recorder.emit('task.expired', nodeId, frame.scope, { taskId, due, port: 'timeout' })
  return { kind: 'follow', port: 'timeout', facts: frame.facts }
}

/**
 * A wait.event step: record what the run waits for, then take the message from the log (replay),
 * from the signal that delivers it, or from the autopilot; or leave by `timeout` once due.
 */
async function awaitEvent(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  outcome: Extract<NodeOutcome, { kind: 'event' }>,
  visit: number,
): Promise<Settled> {
  const { name, key, until, into } = outcome
  await run.recorder.emit('event.awaited', p.id, frame.scope, { name, key, ...(until ? { until } : {}) })
  const timeout = async (): Promise<Settled> => {
    await run.recorder.emit('wait.due', p.id, frame.scope, { until: until ?? '', port: 'timeout' })
    return { kind: 'follow', port: 'timeout', facts: frame.facts }
  }
  const received = async (messageId: string, payload: JsonValue): Promise<Settled> => {
    const event = await run.recorder.emit(
      'event.received',
      p.id,
      frame.scope,
      { name, key, messageId, payload: toJson(payload) },
      true, // on replay the recorded message is the one the run got
    )
    return await settle(run, frame, p, { kind: 'next', port: 'received', set: { [into]: event.data.payload } })
  }
  const next = run.recorder.peek()
  if (next) {
    if (next.nodeId !== p.id) return { kind: 'waiting' } // the mismatch surfaces at the next emit
    if (next.type === 'event.received') return await received(next.data.messageId, next.data.payload)
    if (next.type === 'wait.due') {
      if (until !== undefined) run.autopilot.advanceTo?.(until)
      return await timeout()
    }
    return { kind: 'waiting' }
  }
  const signal = run.signal
  if (signal?.type === 'event' && !run.signalUsed && signal.name === name && signal.key === key) {
    run.signalUsed = true
    return await received(signal.messageId, signal.payload)
  }
  if (until !== undefined && signal?.type === 'timer' && !run.signalUsed && run.deps.clock.now() >= until) {
    run.signalUsed = true
    return await timeout()
  }
  const simulated = run.autopilot.event?.({
    nodeId: p.id,
    ...(frame.scope ? { scope: frame.scope } : {}),
    visit,
    name,
    key,
  })
  if (simulated === undefined) return { kind: 'waiting' }
  if (isTimeoutAnswer(simulated)) {
    if (until === undefined) return { kind: 'waiting' } // a wait without a timeout waits on
    run.autopilot.advanceTo?.(until)
    return await timeout()
  }
  return await received(`simulated:${p.id}:${visit}`, simulated)
}

async function wait(run: RunContext, frame: Frame, p: PreparedNode, until: string, port: string): Promise<Settled> {
  await run.recorder.emit('wait.started', p.id, frame.scope, { until, port })
  const next = run.recorder.peek()
  let due = next !== undefined && next.type === 'wait.due' && next.nodeId === p.id
  // Replaying a fired timer: a virtual clock catches up with the log, as it did the first time.
  if (due) run.autopilot.advanceTo?.(until)
  if (!next) {
    if (run.signal?.type === 'timer' && !run.signalUsed && run.deps.clock.now() >= until) {
      run.signalUsed = true
      due = true
    } else if (run.autopilot.timers) {
      run.autopilot.advanceTo?.(until)
      due = true
    }
  }
  if (!due) return { kind: 'waiting' }
  await run.recorder.emit('wait.due', p.id, frame.scope, { until, port })
  return { kind: 'follow', port, facts: frame.facts }
}

export { deepFreeze }
