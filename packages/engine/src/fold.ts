import type { DecisionExplanation, JsonValue, TaskRequest } from '@carepath/dsl'
import type { DecisionRecord, RunEvent, RunState } from './events.ts'
import { applyFacts, isJsonRecord } from './facts.ts'

type JsonRecord = { [key: string]: JsonValue }

function record(value: JsonValue | undefined): JsonRecord {
  return isJsonRecord(value) ? value : {}
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : ''
}

/**
 * The state of a run, computed from its event log alone (no flow document needed), so the
 * runtime, the run viewer and the audit all agree on what a log means.
 */
export function foldEvents(events: readonly RunEvent[]): RunState {
  const state: RunState = {
    runId: '',
    flowId: '',
    flowHash: '',
    status: 'running',
    facts: {},
    path: [],
    ports: [],
    decisions: [],
    events: [...events],
  }
  for (const event of events) applyEvent(state, event)
  return state
}

function applyEvent(state: RunState, event: RunEvent): void {
  const data = record(event.data)
  if (event.type === 'task.opened') {
    state.status = 'waiting'
    state.openTask = {
      taskId: text(data.taskId),
      nodeId: event.nodeId ?? '',
      ...(event.scope ? { scope: event.scope } : {}),
      request: data.request as unknown as TaskRequest,
    }
    return
  }
  if (event.type === 'task.answered') {
    state.status = 'running'
    delete state.openTask
    return
  }
  if (event.type === 'wait.started') {
    state.status = 'waiting'
    state.waitUntil = text(data.until)
    return
  }
  if (event.type === 'wait.due') {
    state.status = 'running'
    delete state.waitUntil
    return
  }
  if (event.type === 'decision') {
    const decision: DecisionRecord = {
      nodeId: event.nodeId ?? '',
      port: text(data.port),
      explanation: data.explanation as unknown as DecisionExplanation,
    }
    if (event.scope) decision.scope = event.scope
    state.decisions.push(decision)
    return
  }
  // Below: only the top-level flow changes the run's own facts, path and outcome.
  if (event.scope) return
  switch (event.type) {
    case 'run.started':
      state.runId = text(data.runId)
      state.flowId = text(data.flowId)
      state.flowHash = text(data.flowHash)
      state.facts = record(data.input)
      break
    case 'node.entered':
      state.path.push(event.nodeId ?? '')
      break
    case 'node.exited':
      state.ports.push(`${event.nodeId ?? ''}.${text(data.port)}`)
      break
    case 'facts.set':
      state.facts = applyFacts(state.facts, record(data.set))
      break
    case 'run.ended':
      if (data.status === 'failed') {
        state.status = 'failed'
        state.error = { ...(event.nodeId ? { nodeId: event.nodeId } : {}), message: text(data.message) }
      } else {
        state.status = 'completed'
        state.outcome = text(data.outcome)
      }
      break
    default:
      break
  }
}
