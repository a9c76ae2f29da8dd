import type { DecisionRecord, RunEvent, RunState } from './events.ts'
import { applyFacts } from './facts.ts'

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
  switch (event.type) {
    case 'task.opened':
      state.status = 'waiting'
      state.openTask = {
        taskId: event.data.taskId,
        nodeId: event.nodeId ?? '',
        ...(event.scope ? { scope: event.scope } : {}),
        request: event.data.request,
      }
      // A step that times out is also a timer: the sweep of due timers finds it.
      if (event.data.request.due?.timeout) state.waitUntil = event.data.request.due.at
      return
    case 'task.answered':
    case 'task.expired':
      state.status = 'running'
      delete state.openTask
      delete state.waitUntil
      return
    case 'wait.started':
      state.status = 'waiting'
      state.waitUntil = event.data.until
      return
    case 'wait.due':
      state.status = 'running'
      delete state.waitUntil
      delete state.awaiting
      return
    case 'event.awaited':
      state.status = 'waiting'
      state.awaiting = {
        nodeId: event.nodeId ?? '',
        ...(event.scope ? { scope: event.scope } : {}),
        name: event.data.name,
        key: event.data.key,
      }
      if (event.data.until !== undefined) state.waitUntil = event.data.until
      return
    case 'event.received':
      state.status = 'running'
      delete state.awaiting
      delete state.waitUntil
      return
    case 'decision': {
      const decision: DecisionRecord = {
        nodeId: event.nodeId ?? '',
        port: event.data.port,
        explanation: event.data.explanation,
      }
      if (event.scope) decision.scope = event.scope
      state.decisions.push(decision)
      return
    }
    default:
      break
  }
  // Below: only the top-level flow changes the run's own facts, path and outcome.
  if (event.scope) return
  switch (event.type) {
    case 'run.started':
      state.runId = event.data.runId
      state.flowId = event.data.flowId
      state.flowHash = event.data.flowHash
      state.facts = event.data.input
      break
    case 'node.entered':
      state.path.push(event.nodeId ?? '')
      break
    case 'node.exited':
      state.ports.push(`${event.nodeId ?? ''}.${event.data.port}`)
      break
    case 'facts.set':
      state.facts = applyFacts(state.facts, event.data.set)
      break
    case 'incident.opened':
      state.status = 'incident'
      state.incident = { seq: event.seq, nodeId: event.nodeId ?? '', at: event.at, ...event.data }
      break
    case 'incident.resolved':
      state.status = 'running'
      delete state.incident
      break
    case 'run.migrated':
      // The run goes on in the new version from the mapped node, which it enters afresh.
      state.flowHash = event.data.toHash
      state.status = 'running'
      delete state.openTask
      delete state.awaiting
      delete state.waitUntil
      break
    case 'run.ended':
      if (event.data.status === 'cancelled') {
        state.status = 'cancelled'
      } else if (event.data.status === 'failed') {
        state.status = 'failed'
        state.error = { ...(event.nodeId ? { nodeId: event.nodeId } : {}), message: event.data.message }
      } else {
        state.status = 'completed'
        state.outcome = event.data.outcome
      }
      break
    default:
      break
  }
}
