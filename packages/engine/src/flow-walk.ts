import type { JsonValue, NodeOutcome } from '@carepath/dsl'
import { FlowNotRunnableError, prepareFlow, type PreparedFlow, type PreparedNode } from './prepare.ts'
import { applyOverlay, executeNode, settle, type Frame, type Settled } from './node-step.ts'
import type { RunContext } from './run-context.ts'
import { callKey } from './connector-call.ts'
import { connectorErrorClass } from './connector-errors.ts'
import type { RunEvent, RunEventData } from './run-event.schema.ts'
import { deepFreeze } from './facts.ts'
import { jsonCopy } from './json-copy.ts'

type JsonRecord = { [key: string]: JsonValue }

/** How walking one flow (the run itself or a subflow) ended. */
export type WalkResult =
  | { status: 'completed'; outcome: string; facts: JsonRecord }
  | { status: 'failed'; nodeId?: string; message: string }
  | { status: 'waiting' }
  /** Held at a failed step for an operator (only the run itself, never a subflow). */
  | { status: 'incident' }
  | { status: 'cancelled' }

/**
 * Walk a flow from its start node until it ends, fails or waits. Each node is entered (and
 * counted against its maxVisits), executed, and left by one port; a failure a node may handle
 * leaves by its `error` port when that port has an edge.
 */
export async function walkFlow(
  run: RunContext,
  prepared: PreparedFlow,
  input: JsonRecord,
  scope: string,
  runId: string,
  /** Where to begin instead of the start node: a run moved to another version goes on from its mapped node. */
  startAt?: string,
): Promise<WalkResult> {
  const frame: Frame = { prepared, runId, scope, facts: deepFreeze(input) }
  const visits = new Map<string, number>()
  let current = startAt ?? prepared.flow.start
  for (;;) {
    const p = prepared.nodes.get(current) as PreparedNode
    const visit = (visits.get(current) ?? 0) + 1
    visits.set(current, visit)
    if (p.node.maxVisits !== undefined && visit > p.node.maxVisits) {
      return await fail(
        run,
        frame,
        current,
        `Node "${current}" was reached more than ${p.node.maxVisits} times (its maxVisits); the loop was stopped.`,
      )
    }
    if (++run.steps > run.maxSteps) {
      return await fail(
        run,
        frame,
        current,
        `The run entered more than ${run.maxSteps} nodes and was stopped at "${current}".`,
      )
    }
    // Awaited only when they are promises (see MaybePromise): a step with nothing to wait for
    // (a simulated one, a decision) takes no async frame.
    const entering = run.recorder.emit('node.entered', current, scope, { type: p.node.type, visit })
    const entered = entering instanceof Promise ? await entering : entering
    let step: Settled
    for (;;) {
      // A simulation's probe facts for this entry, before the node sees its facts (never in production).
      const overlaid = run.deps.overlay ? applyOverlay(run, frame, p, visit) : undefined
      if (overlaid instanceof Promise) await overlaid
      const executed = executeNode(run, frame, p, visit, entered.at)
      const first = executed instanceof Promise ? await executed : executed
      step = first.kind === 'subflow' ? await subflow(run, frame, p, first.outcome) : first
      if (step.kind !== 'failed') break
      if (step.routable && p.node.next.error !== undefined) {
        await run.recorder.emit('error', current, scope, { message: step.message, handled: true })
        step = { kind: 'follow', port: 'error', facts: frame.facts }
        break
      }
      // A failure a flow could have handled, in the run itself: held for an operator.
      if (!step.routable || !run.deps.incidents || scope !== '') return await fail(run, frame, current, step.message)
      const resolution = await incident(run, p, step.message, entered.seq)
      if (resolution === undefined) return { status: 'incident' }
      if (resolution.action === 'cancel') return { status: 'cancelled' }
      if (resolution.action === 'skip') {
        step = { kind: 'follow', port: resolution.port, facts: frame.facts }
        break
      }
      run.reusable = successfulCalls(run, entered.seq)
    }
    // What a retried step did not take again is not for any later step (or a later visit).
    if (run.reusable.size > 0) run.reusable = new Map()
    if (step.kind === 'waiting') return { status: 'waiting' }
    frame.facts = step.facts
    if (step.kind === 'end') return { status: 'completed', outcome: step.outcome, facts: frame.facts }
    const to = Object.hasOwn(p.node.next, step.port) ? p.node.next[step.port] : undefined
    if (to === undefined || !prepared.nodes.has(to)) {
      const why = to === undefined ? 'which has no edge' : `whose edge leads to the missing node "${to}"`
      return await fail(run, frame, current, `Node "${current}" chose the outcome "${step.port}", ${why}.`)
    }
    const exited = run.recorder.emit('node.exited', current, scope, { port: step.port, to })
    if (exited instanceof Promise) await exited
    current = to
  }
}

/**
 * Open an incident at a failed step (its cause taken from the step's last failed connector call)
 * and take its resolution: the recorded one on replay, the operator's signal when the log ends
 * here, else none (the run waits in `incident`).
 */
async function incident(
  run: RunContext,
  p: PreparedNode,
  message: string,
  enteredSeq: number,
): Promise<RunEventData<'incident.resolved'> | undefined> {
  const cause = causeOf(run.recorder.events, run.recorder.nextSeq, p.id, enteredSeq)
  await run.recorder.emit('incident.opened', p.id, '', { message, ...cause })
  const recorded = run.recorder.takeRecorded('incident.resolved', p.id, '')
  if (recorded) return recorded.data
  const signal = run.signal
  if (run.recorder.replaying || signal?.type !== 'incident' || run.signalUsed) return undefined
  run.signalUsed = true
  const data: RunEventData<'incident.resolved'> =
    signal.action === 'skip' ? { action: 'skip', port: signal.port } : { action: signal.action }
  await run.recorder.emit('incident.resolved', p.id, '', data)
  return data
}

/** The connector, error class and attempts of the step's last failed call, if it made one. */
function causeOf(events: readonly RunEvent[], end: number, nodeId: string, enteredSeq: number) {
  for (let i = end - 1; i > enteredSeq; i--) {
    const event = events[i] as RunEvent
    if (event.type === 'incident.resolved') break
    if (event.type !== 'connector.response' || event.nodeId !== nodeId || event.scope) continue
    if (!('error' in event.data)) break
    const { connector, code, attempt } = event.data
    return { connector, errorClass: connectorErrorClass(code), attempts: attempt }
  }
  return {}
}

/** The successful calls a step made before its incident, so its retry makes none of them again. */
function successfulCalls(run: RunContext, enteredSeq: number): Map<string, JsonValue[]> {
  const reusable = new Map<string, JsonValue[]>()
  const requests = new Map<string, RunEventData<'connector.request'>>()
  // Up to where the run is (on replay the recorder already holds the rest of the log).
  for (const event of run.recorder.events.slice(enteredSeq + 1, run.recorder.nextSeq)) {
    const where = `${event.scope ?? ''}\u0000${event.nodeId ?? ''}`
    if (event.type === 'connector.request') requests.set(where, event.data)
    if (event.type !== 'connector.response' || !('response' in event.data)) continue
    const request = requests.get(where)
    if (!request) continue
    const key = callKey(event.scope ?? '', event.nodeId ?? '', request.connector, request.request)
    reusable.set(key, [...(reusable.get(key) ?? []), event.data.response])
  }
  return reusable
}

async function fail(run: RunContext, frame: Frame, nodeId: string, message: string): Promise<WalkResult> {
  await run.recorder.emit('error', nodeId, frame.scope, { message, handled: false })
  return { status: 'failed', nodeId, message }
}

/** Run a pinned subflow inside this run; its events carry the calling node in their scope. */
async function subflow(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  outcome: Extract<NodeOutcome, { kind: 'subflow' }>,
): Promise<Settled> {
  const routable = (message: string): Settled => ({ kind: 'failed', routable: true, message })
  if (!run.deps.loadFlow) return routable(`Node "${p.id}" calls a subflow, but no flow loader is configured.`)
  let child: PreparedFlow
  try {
    child = prepareFlow(await run.deps.loadFlow(outcome.flowId, outcome.hash), run.deps.registry)
  } catch (error) {
    const why = error instanceof FlowNotRunnableError ? error.message : 'it could not be loaded'
    return routable(`The subflow "${outcome.flowId}" cannot run: ${why}`)
  }
  run.rethrowIfInterrupted(undefined)
  if (child.hash !== outcome.hash) {
    return routable(
      `The subflow "${outcome.flowId}" loaded for version ${outcome.hash} has a different content (${child.hash}).`,
    )
  }
  const childRunId = `${run.rootRunId}:sub:${run.recorder.nextSeq}`
  const input = jsonCopy(outcome.input)
  await run.recorder.emit('subflow.started', p.id, frame.scope, {
    runId: childRunId,
    flowId: outcome.flowId,
    hash: outcome.hash,
    input,
  })
  const childScope = frame.scope ? `${frame.scope}/${p.id}` : p.id
  const result = await walkFlow(run, child, input, childScope, childRunId)
  if (result.status === 'waiting' || result.status === 'incident') return { kind: 'waiting' }
  if (result.status === 'failed' || result.status === 'cancelled') {
    await run.recorder.emit('subflow.ended', p.id, frame.scope, {
      runId: childRunId,
      status: 'failed',
      message: result.status === 'failed' ? result.message : 'cancelled',
    })
    return routable(
      `The subflow "${outcome.flowId}" failed: ${result.status === 'failed' ? result.message : 'cancelled'}`,
    )
  }
  await run.recorder.emit('subflow.ended', p.id, frame.scope, {
    runId: childRunId,
    status: 'completed',
    outcome: result.outcome,
    facts: result.facts,
  })
  const next = p.node.next
  const port = Object.hasOwn(next, result.outcome) ? result.outcome : Object.hasOwn(next, 'done') ? 'done' : 'default'
  const set = outcome.into ? { [outcome.into]: { outcome: result.outcome, facts: result.facts } } : undefined
  return await settle(run, frame, p, { kind: 'next', port, set })
}
