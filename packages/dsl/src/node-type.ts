import { z } from 'zod'
import type { DecisionExplanation } from './explanation.ts'
import type { JsonValue } from './json.ts'
import type { MaybePromise } from './maybe-promise.ts'
import type { PhiClass } from './phi.ts'
import type { TaskRequest } from './task-request.schema.ts'
import type { ConfigProblem } from './problems.ts'
import type { FlowCalendar } from './calendar.schema.ts'
import type { FactSchema } from './facts-schema.ts'
import { NODE_TYPE_PATTERN } from './names.ts'

/** Palette groups, in the order the designer shows them. */
export const NODE_CATEGORIES = ['Trigger', 'Decision', 'Data', 'Human', 'Integration', 'Flow'] as const
/** A palette group. */
export type NodeCategory = (typeof NODE_CATEGORIES)[number]

/** An output port a node offers for a given config. */
export interface PortSpec {
  name: string
  /** A required port must have an edge (an outcome nobody handles is a bug). */
  required: boolean
  title?: string | undefined
}

/** What executing a node decides. */
export type NodeOutcome =
  | {
      kind: 'next'
      port: string
      /** Fact paths to write; each must be one the type declared in `writes`. */
      set?: Record<string, JsonValue> | undefined
      decision?: DecisionExplanation | undefined
    }
  | { kind: 'task'; task: TaskRequest }
  | { kind: 'wait'; until: string; port: string }
  | {
      /** Wait for a message named `name` whose correlation key is `key` (a wait.event step). */
      kind: 'event'
      name: string
      key: string
      /** When the wait times out and the run leaves by `timeout`; absent: it waits on. */
      until?: string | undefined
      /** Where the message's payload is written (a path the type declares in `writes`). */
      into: string
    }
  | { kind: 'end'; outcome: string; set?: Record<string, JsonValue> | undefined }
  | {
      kind: 'subflow'
      flowId: string
      /** Content hash of the pinned version. */
      hash: string
      input: Record<string, JsonValue>
      /**
       * Where the child's result `{ outcome, facts }` is written (a path the type declares in
       * `writes`); the run then leaves by the port named like the child's outcome, else `done`.
       */
      into?: string | undefined
    }

/**
 * Everything a node may touch. Nodes never import I/O: the engine injects these, records
 * every connector call in the run's event log and replays recorded results on resume.
 */
export interface ExecuteContext {
  runId: string
  nodeId: string
  /** Content hash of the flow version the run is pinned to. */
  flowHash: string
  /** The run's facts as one frozen snapshot. */
  facts: Readonly<Record<string, JsonValue>>
  /** The flow's facts schema (for types and PHI classes). */
  factsSchema: FactSchema
  /** The value at a dotted fact path, or undefined when absent. */
  get(path: string): JsonValue | undefined
  /** The injected clock, ISO-8601. Never read the wall clock in a node. */
  now(): string
  /** The flow's working calendar, when it has one (steps due in business hours count by it). */
  calendar?: FlowCalendar | undefined
  /** Call a connector adapter by name ("fhir", "http", "payer", "notify", ...), one the type declares. Recorded. */
  call(connector: string, request: JsonValue): Promise<JsonValue>
  /** A value built once per (flow hash, node id) and reused across runs: compiled rule engines. */
  memo<T>(build: () => T): T
  /** Which evaluator decision nodes use (absent: `compiled`, proven first); see DecisionEvaluatorSetting. */
  decisionEvaluator?: DecisionEvaluatorSetting | undefined
}

/**
 * Which evaluator decision nodes run on: `compiled` (the default; used only once it gave
 * json-rules-engine's results byte for byte on the decision's generated cases), `json-rules-engine`
 * (the reference, forced for a flow or everywhere), or `parity` (both on every evaluation; a
 * difference fails the run, as the simulator's check before publishing does).
 */
export type DecisionEvaluatorSetting = 'compiled' | 'json-rules-engine' | 'parity'

/**
 * How a `parity` difference begins, in the run's failure message: the review finds it there
 * (in any case, generated probes included) and refuses to publish the version.
 */
export const EVALUATOR_PARITY_DIFFERENCE = 'The compiled evaluator and json-rules-engine decided differently'

/**
 * An injected connector: the only way a run reaches the world. The engine records each request
 * and response in the run's event log and, on replay or resume, returns the recorded response
 * instead of calling again. A promise when it reaches the world; a simulation's mock answers at once.
 */
export type ConnectorAdapter = (
  request: JsonValue,
  meta: { runId: string; nodeId: string; attempt: number },
) => MaybePromise<JsonValue>

/** Thrown by execute when a node fails in a way a flow may handle on its `error` port. */
export class NodeError extends Error {
  override readonly name = 'NodeError'
  constructor(
    message: string,
    readonly options: {
      /** A stable code: `timeout`, `unreachable`, `http-503`, `not-configured`, ... */
      code?: string
      retryable?: boolean
      /** How long the peer asked to be left alone (a Retry-After header), in ms. */
      retryAfterMs?: number
    } = {},
  ) {
    super(message)
  }

  /**
   * A NodeError without a stack, for a failure told by its message alone (a connector's answer, a
   * missing mock): a run records the message, never the stack, and capturing one cost several µs,
   * 3% of a simulation whose cases fail their calls.
   */
  static withoutStack(message: string, options: NodeError['options'] = {}): NodeError {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      return new NodeError(message, options)
    } finally {
      Error.stackTraceLimit = limit
    }
  }
}

/** One step of a node type's config migrations (append-only, numbered, never mutate input). */
export interface ConfigMigration {
  /** The typeVersion this step produces. */
  to: number
  name: string
  up(config: Record<string, unknown>): Record<string, unknown>
}

/** What a node type gets when it checks its own config beyond the zod schema. */
export interface CheckEnvironment {
  factsSchema: FactSchema
  roles: Record<string, { phi: PhiClass[] }>
  /**
   * The clock generated cases will run at (ISO-8601), when known. Decision kinds use it to put
   * relative-date boundaries ("within 30 days", "age 18") on the right day. Optional: without it
   * they fall back to dates relative to a documented reference clock.
   */
  now?: string | undefined
}

/**
 * A connector a node type calls through `ctx.call(name, …)`, with the zod schema of the settings
 * an installation stores for it (base URLs, hosts, credentials: never in flows). The adapter that
 * does the I/O comes from the package that brings the node type (see `CarepathPlugin`).
 */
export interface ConnectorDeclaration<S extends z.ZodType = z.ZodType> {
  /** The name nodes call: `fhir`, `payer`, `npi`. Lower-case, like a setting key. */
  name: string
  /** The key its settings are stored under (default: the name). */
  settingsKey?: string | undefined
  /** One sentence for developers and admins: what it reaches. */
  description: string
  /**
   * Settings under `settingsKey`; `undefined` when none are stored, so the schema says what an
   * unconfigured connector means (`.optional()`, or a `.default()` that works without setup).
   */
  settingsSchema: S
  /**
   * Whether parsed settings are enough to reach anything (default: settings were stored). A flow
   * using a connector that is not configured gets a validation warning.
   */
  isConfigured?: ((settings: z.output<S>) => boolean) | undefined
}

/** A connector declaration with its settings type erased, as node types and registries hold them. */
export type AnyConnectorDeclaration = ConnectorDeclaration<z.ZodType>

/**
 * Declare a connector. Checks the name at import time, like `defineNodeType`.
 * @example
 * export const npiConnector = defineConnector({ name: 'npi', description: '…', settingsSchema: npiSettingsSchema })
 */
export function defineConnector<S extends z.ZodType>(declaration: ConnectorDeclaration<S>): ConnectorDeclaration<S> {
  for (const key of [declaration.name, declaration.settingsKey ?? declaration.name]) {
    if (!/^[a-z][a-z0-9-]*$/.test(key)) {
      throw new Error(`Connector "${key}" must be one lower-case word (letters, digits, -), like "fhir".`)
    }
  }
  return Object.freeze({ ...declaration })
}

/** Everything about one kind of node, in one object (like tldraw's ShapeUtil). */
export interface NodeTypeDefinition<C extends z.ZodType = z.ZodType> {
  /** Dotted, namespaced: `decision.rules`, `fhir.read`, `acme.npi.lookup`. */
  type: string
  /** Equals 1 + migrations.length. */
  typeVersion: number
  title: string
  description: string
  category: NodeCategory
  /**
   * A short symbol shown in the palette and on the node: one or two letters or a symbol from the
   * Basic Multilingual Plane (arrows, geometric shapes), which common fonts draw. Not an emoji: a
   * desktop without an emoji font draws an empty box.
   */
  icon: string
  keywords?: readonly string[] | undefined
  config: C
  defaults: z.input<C>
  /** Ports offered for this config (decision outcomes and answer options make them dynamic). */
  ports(config: z.output<C>): readonly PortSpec[]
  /** Fact paths the node reads: checked against the facts schema. */
  reads(config: z.output<C>): readonly string[]
  /** Fact paths the node writes: checked against the schema and enforced by the engine. */
  writes(config: z.output<C>): readonly string[]
  /** PHI classes this kind handles. Written out on every type: `[]` when it handles none. */
  phi: readonly PhiClass[]
  /**
   * The connectors `execute` calls, with their settings schemas: `[]` when it calls none (the
   * built-in types write it out; absent means none). Validation warns when a flow uses one the
   * installation has not configured.
   */
  connectors?: readonly AnyConnectorDeclaration[] | undefined
  /** Entry points (triggers) are the only nodes a flow may start at. */
  trigger?: boolean | undefined
  /** Human steps: the role that works them and the fact paths they show (PHI-checked). */
  human?: { role(config: z.output<C>): string; shows(config: z.output<C>): readonly string[] } | undefined
  migrations?: readonly ConfigMigration[] | undefined
  /** Checks beyond the schema: malformed rules, decision-table analysis, ... */
  check?(config: z.output<C>, env: CheckEnvironment): ConfigProblem[]
  /**
   * Decision kinds: partial fact snapshots that make every rule fire and not fire and hit each
   * boundary (below, at, above) of every threshold, each listed code and a missing value.
   * The simulator merges them into generated cases.
   */
  cases?(config: z.output<C>, env: CheckEnvironment): Record<string, JsonValue>[]
  execute(ctx: ExecuteContext, config: z.output<C>): Promise<NodeOutcome> | NodeOutcome
  /** Human steps: validate an answer and choose the port. Throw AnswerError on a bad answer. */
  answer?(ctx: ExecuteContext, config: z.output<C>, answer: JsonValue): NodeOutcome
}

/** A node type with its config type erased, as registries hold them. */
export type AnyNodeType = NodeTypeDefinition<z.ZodType>

/** Thrown when a human answer does not fit the step; nothing about the run changes. */
export class AnswerError extends Error {
  override readonly name = 'AnswerError'
  constructor(
    message: string,
    readonly path: string = '',
  ) {
    super(message)
  }
}

/**
 * Define a node type. Checks at import time that the type id is well formed (core kinds such as `end` are one word;
 * integrations and extensions are namespaced, like `fhir.read`), typeVersion matches
 * the migrations, and the defaults pass the config schema, so a broken type never loads.
 * @example
 * export const notify = defineNodeType({ type: 'notify', typeVersion: 1, config: notifyConfigSchema, ... })
 */
export function defineNodeType<C extends z.ZodType>(definition: NodeTypeDefinition<C>): NodeTypeDefinition<C> {
  const { type, typeVersion, migrations = [] } = definition
  if (!NODE_TYPE_PATTERN.test(type)) {
    throw new Error(`Node type "${type}" must be lower-case words joined by dots, like "fhir.read".`)
  }
  if (typeVersion !== 1 + migrations.length) {
    throw new Error(`Node type "${type}" is at typeVersion ${typeVersion} but has ${migrations.length} migrations.`)
  }
  migrations.forEach((migration, index) => {
    if (migration.to !== index + 2) throw new Error(`Node type "${type}": migration ${index} must go to ${index + 2}.`)
  })
  const names = (definition.connectors ?? []).map((c) => c.name)
  if (new Set(names).size !== names.length) throw new Error(`Node type "${type}" declares a connector twice.`)
  const parsed = definition.config.safeParse(definition.defaults)
  if (!parsed.success) {
    throw new Error(`Node type "${type}" has defaults that fail its config schema: ${parsed.error.issues[0]?.message}`)
  }
  return Object.freeze({ ...definition })
}
