import type {
  ConnectorAdapter,
  DecisionEvaluatorSetting,
  FlowDocument,
  JsonValue,
  NodeRegistry,
  RetryPolicy,
  TaskRequest,
} from '@carepath/dsl'
import type { RunEvent } from './events.ts'

/** How a connector is retried (the DSL's per-node `retry`): attempts in all, backoff between them. */
export type { RetryPolicy }

/**
 * Everything a run may touch, injected. The engine has no clock, randomness or I/O of its own:
 * the same deps and inputs give the same events.
 */
export interface EngineDeps {
  /** Installed node types (`registry` from @carepath/catalog). */
  registry: NodeRegistry
  /** ISO-8601 time for event stamps and timers. */
  clock: { now(): string }
  /** Connector adapters by name ("fhir", "hl7", "http", "payer", "notify", ...). */
  connectors: Record<string, ConnectorAdapter>
  /** Called for connectors missing from `connectors` (the simulator's mocks by node id). */
  fallbackConnector?: ConnectorAdapter
  /**
   * Retry policies by connector name, for nodes that set none of their own (a node's `retry`
   * wins); a connector named in neither gets `defaultRetry`, and without that one attempt.
   */
  retry?: Record<string, RetryPolicy>
  /** The policy of every connector call that neither its node nor `retry` gives one. */
  defaultRetry?: RetryPolicy
  /**
   * Hold a failure that no `error` port handles as an open incident (status `incident`, resolved
   * by an operator's retry, skip or cancel) instead of ending the run failed. The runtime sets
   * it; simulations and the CLI do not, so a failure there is a failed case.
   */
  incidents?: boolean
  /** Waits between retry attempts; injected so tests and simulations never really sleep. */
  sleep?(ms: number): Promise<void>
  /** Loads the pinned version of a subflow; the engine checks its content hash. */
  loadFlow?(flowId: string, hash: string): Promise<FlowDocument>
  /** Called once per new event, in order, before the run goes on (durable appends). */
  onEvent?(event: RunEvent): void | Promise<void>
  /** Upper bound on nodes entered by one run, subflows included (default 10,000). */
  maxSteps?: number
  /**
   * Simulation only (production runs never set it): facts to lay over the run as it enters a
   * node, before the node executes (`fact path → value`). The simulator's decision probes use
   * it to test a decision on facts an upstream node writes. Applied as a recorded `facts.set`
   * with `source: 'simulation-probe'`, so the trace says so and replays; must be deterministic.
   */
  overlay?(site: OverlaySite): Record<string, JsonValue> | undefined
  /**
   * Which evaluator decision nodes use, for every flow or per flow id (absent: `compiled`,
   * proven against json-rules-engine first). `json-rules-engine` forces the reference.
   */
  decisionEvaluator?: DecisionEvaluatorSetting | ((flowId: string) => DecisionEvaluatorSetting | undefined)
}

/** Where the run is when `EngineDeps.overlay` is asked. */
export interface OverlaySite {
  nodeId: string
  /** '' for the top-level flow, else the calling node ids of the subflow. */
  scope: string
  /** Which visit of the node this is, from 1. */
  visit: number
}

/** What resumes a run. */
export type ResumeSignal =
  | { type: 'answer'; taskId: string; answer: JsonValue }
  | { type: 'timer' }
  | { type: 'continue' }
  /** An operator's resolution of the open incident (see `incident.resolved`). */
  | { type: 'incident'; action: 'retry' | 'cancel' }
  | { type: 'incident'; action: 'skip'; port: string }
  /** A message for a run waiting at a wait.event step; `messageId` identifies the delivery. */
  | { type: 'event'; name: string; key: string; messageId: string; payload: JsonValue }

/**
 * Answers tasks and fires timers without stopping (simulator, CLI). `answer` returns undefined
 * when it has nothing for a task, and the run then waits as usual.
 */
export interface Autopilot {
  answer?(task: { nodeId: string; scope?: string; visit: number; request: TaskRequest }): JsonValue | undefined
  /**
   * The message a wait.event step receives (its payload), `{ "$timeout": true }` for none before
   * its timeout, or undefined to leave the run waiting.
   */
  event?(site: { nodeId: string; scope?: string; visit: number; name: string; key: string }): JsonValue | undefined
  /** Fire every timer at once (the clock is expected to be virtual). */
  timers?: boolean
  /** Called before a timer fires so a virtual clock can move to its due time. */
  advanceTo?(until: string): void
}

/** Options of startRun. */
export interface StartOptions {
  /** Chosen by the caller (the runtime derives it from its idempotency key); task ids derive from it. */
  runId: string
  autopilot?: Autopilot
}

/** Why a start or resume was refused; nothing was appended to the log. */
export class RunRefusedError extends Error {
  override readonly name = 'RunRefusedError'
  constructor(
    readonly code:
      | 'invalid-answer'
      | 'no-open-task'
      | 'not-awaiting'
      | 'not-due'
      | 'run-ended'
      | 'log-mismatch'
      | 'flow-not-runnable'
      | 'invalid-input'
      | 'no-incident'
      | 'invalid-port',
    message: string,
    /** For invalid answers: the answer field at fault. */
    readonly path = '',
    /** For a log mismatch: the seq of the first stored event the run did not reproduce. */
    readonly seq?: number,
  ) {
    super(message)
  }
}
