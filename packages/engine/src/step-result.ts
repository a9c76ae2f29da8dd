// Where one executed node sends the run, and how a leaving (`next` or `end`) outcome gets there.
// Every kind of step (a handler's own answer, an answered task, a received event) ends through
// `settle`, so the write check and the order of its decision and `facts.set` events live once.
import { adoptJson, toJson, type JsonValue, type MaybePromise, type NodeOutcome } from '@carepath/dsl'
import { isDeclaredWrite, sortedKeys } from './facts.ts'
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
