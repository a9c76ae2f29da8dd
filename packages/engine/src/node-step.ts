// One node's step: run its handler and hand its outcome to the code that records it. The
// outcome kinds live in their own files (step-result, task-step, wait-step) and the handler's
// context in node-context; this file keeps the entry the walker calls and what it re-exports.
import {
  isPromiseLike,
  NodeError,
  toJson,
  type ExecuteContext,
  type JsonValue,
  type MaybePromise,
  type NodeOutcome,
} from '@carepath/dsl'
import { deepFreeze, sortedKeys } from './facts.ts'
import { NodeContext } from './node-context.ts'
import type { RunContext } from './run-context.ts'
import type { PreparedNode } from './prepare.ts'
import { settle, type Frame, type Settled, type StepResult } from './step-result.ts'
import { openTask } from './task-step.ts'
import { awaitEvent, waitUntil } from './wait-step.ts'

type JsonRecord = { [key: string]: JsonValue }

/**
 * Execute one node once it has been entered: run its handler, record its decision, writes,
 * task or wait, and say where the run goes. `enteredAt` is the node's own clock reading, so a
 * node that reads `now()` sees the same time on replay as when it first ran. A promise only when
 * the step waited on something (see MaybePromise); the promises of the step's files are native ones.
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
  if (outcome.kind === 'task') return openTask(run, frame, p, ctx, outcome.task, visit)
  if (outcome.kind === 'wait') return waitUntil(run, frame, p, outcome.until, outcome.port)
  if (outcome.kind === 'event') return awaitEvent(run, frame, p, outcome, visit)
  if (outcome.kind === 'subflow') return { kind: 'subflow', outcome }
  return settle(run, frame, p, outcome)
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

export { deepFreeze, settle }
export type { Frame, Settled, StepResult }
