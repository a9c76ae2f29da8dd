// A node that hands its decision to a person: the task it opens, and the answer that closes it
// (from the log on replay, from the resume signal, or from a simulation's autopilot) or its
// expiry once due. Kept apart from the step because the three answer sources and their refusals
// (a refused signal is the caller's error, a refused log entry a version mismatch) are one policy.
import {
  AnswerError,
  toJson,
  type ExecuteContext,
  type JsonValue,
  type MaybePromise,
  type NodeOutcome,
  type TaskRequest,
} from '@carepath/dsl'
import { RunRefusedError } from './engine-deps.ts'
import { jsonCopy } from './json-copy.ts'
import type { RunContext } from './run-context.ts'
import type { PreparedNode } from './prepare.ts'
import { settle, type Frame, type Settled } from './step-result.ts'

/** Open the task a node asked for (only what its type declares it may show), then look for its answer. */
export function openTask(
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
export function isTimeoutAnswer(answer: JsonValue | undefined): boolean {
  return typeof answer === 'object' && answer !== null && !Array.isArray(answer) && answer.$timeout === true
}

/** The task's due time passed unanswered: it closes and the run leaves by `timeout`. */
async function expire(run: RunContext, frame: Frame, nodeId: string, taskId: string, due: string): Promise<Settled> {
  await run.recorder.emit('task.expired', nodeId, frame.scope, { taskId, due, port: 'timeout' })
  return { kind: 'follow', port: 'timeout', facts: frame.facts }
}
