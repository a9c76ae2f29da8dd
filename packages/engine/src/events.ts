import type { DecisionExplanation, JsonValue, TaskRequest } from '@carepath/dsl'

import { runEventSchema, type RunEvent, type RunEventType } from './run-event.schema.ts'

export type { RunEvent, RunEventType }

/** Every kind of entry a run's event log holds, in the order a run can produce them. */
export const RUN_EVENT_TYPES: readonly RunEventType[] = runEventSchema.options.map((o) => o.shape.type.value)

/** Where a run stands. */
export type RunStatus = 'running' | 'waiting' | 'incident' | 'completed' | 'failed' | 'cancelled'

/** What holds a run in `incident` status until an operator retries, skips or cancels. */
export interface OpenIncident {
  /** Seq of the incident.opened event. */
  seq: number
  nodeId: string
  /** When it opened (the event's time). */
  at: string
  message: string
  connector?: string
  errorClass?: string
  attempts?: number
}

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
  /** While waiting on a timer (or a due time that times out): when it is due. */
  waitUntil?: string
  /** While waiting at a wait.event step: the message it waits for. */
  awaiting?: { nodeId: string; scope?: string; name: string; key: string }
  outcome?: string
  error?: { nodeId?: string; message: string }
  /** While status is `incident`. */
  incident?: OpenIncident
  events: RunEvent[]
}
