import type { DecisionExplanation, JsonValue, TaskRequest } from '@carepath/dsl'

/** Every kind of entry a run's event log holds, in the order a run can produce them. */
export const RUN_EVENT_TYPES = [
  'run.started',
  'node.entered',
  'decision',
  'facts.set',
  'connector.request',
  'connector.response',
  'task.opened',
  'task.answered',
  'wait.started',
  'wait.due',
  'subflow.started',
  'subflow.ended',
  'node.exited',
  'error',
  'run.ended',
] as const
export type RunEventType = (typeof RUN_EVENT_TYPES)[number]

/**
 * One entry of a run's append-only event log. The log is the run: its state is `foldEvents(log)`
 * and its trace is the canonical JSON of the log. `data` per type:
 * - run.started: { runId, flowId, flowHash, input }
 * - node.entered: { type, visit }          (visit counts from 1; `maxVisits` bounds it)
 * - decision: { port, explanation }        (a DecisionExplanation: the audit "why")
 * - facts.set: { set }                     (dotted fact path → value, only declared paths)
 * - connector.request: { connector, request, attempt }
 * - connector.response: { connector, attempt, response } or { connector, attempt, error }
 * - task.opened: { taskId, request }       (a TaskRequest: role, fields, the facts it may show)
 * - task.answered: { taskId, answer, port }
 * - wait.started: { until, port }; wait.due: { until, port }
 * - subflow.started: { runId, flowId, hash, input }; subflow.ended: { runId, status, outcome, facts }
 * - node.exited: { port, to }              (the edge the run took)
 * - error: { message, handled }            (handled: routed to the node's `error` port)
 * - run.ended: { status: 'completed', outcome } or { status: 'failed', message }
 * Events of a subflow carry `scope` (the calling node ids, joined by '/'); they never change
 * the parent's facts or path.
 */
export interface RunEvent {
  /** Position in the log, from 0; equals the event's index. */
  seq: number
  /** The injected clock's time when the event was appended (ISO-8601). */
  at: string
  type: RunEventType
  nodeId?: string
  scope?: string
  data?: JsonValue
}

/** Where a run stands. */
export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed'

/** A human task a waiting run is blocked on. */
export interface OpenTask {
  /** Deterministic: `${runId}:task:${seq}`. */
  taskId: string
  nodeId: string
  /** Set when the task belongs to a subflow. */
  scope?: string
  request: TaskRequest
}

/** One decision as a run made it (for the run viewer, audit and simulator). */
export interface DecisionRecord {
  nodeId: string
  scope?: string
  port: string
  explanation: DecisionExplanation
}

/** The state of a run: always a fold of its event log (`foldEvents`). */
export interface RunState {
  runId: string
  flowId: string
  flowHash: string
  status: RunStatus
  /** The run's facts (input plus every facts.set of the top-level flow). */
  facts: Record<string, JsonValue>
  /** Node ids the top-level flow entered, in order (loops repeat ids). */
  path: string[]
  /** Ports taken, as `nodeId.port`, in order. */
  ports: string[]
  decisions: DecisionRecord[]
  openTask?: OpenTask
  /** While waiting on a timer: when it is due. */
  waitUntil?: string
  outcome?: string
  error?: { nodeId?: string; message: string }
  events: RunEvent[]
}
