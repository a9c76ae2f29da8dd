import { decisionExplanationSchema, taskRequestSchema, type JsonObject, type JsonValue } from '@carepath/dsl'
import { z } from 'zod'

/**
 * The version of the run event format this engine writes. Stored logs carry the version they
 * were written in (per stored batch, never inside an event: the trace of a run must not change);
 * `upgradeRunEvents` brings an older stored form forward before it is parsed.
 */
export const RUN_EVENT_VERSION = 2

/** Deeper than any fact tree or response the engine writes: taken for a malformed log. */
const MAX_DEPTH = 512

function isJsonValue(value: unknown, depth: number): value is JsonValue {
  if (value === null) return true
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'object':
      if (depth > MAX_DEPTH) return false
      if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1))
      return isJsonObject(value, depth)
    default:
      return false
  }
}

function isJsonObject(value: unknown, depth = 0): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return false
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!isJsonValue(record[key], depth + 1)) return false
  }
  return true
}

// Payloads (facts, connector requests and responses, answers) are checked by one walk and kept as
// they are: the same check as the DSL's jsonValueSchema, without a zod union tried per member and
// a copy of every object, which is most of the cost of reading a log.
const jsonValue = z.custom<JsonValue>((value) => isJsonValue(value, 0), { error: 'Expected a JSON value' })
const facts = z.custom<JsonObject>((value) => isJsonObject(value), { error: 'Expected a JSON object' })

/** Builds one member of the union: the common envelope plus this type's `data`. */
function eventOf<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({
    /** Position in the log, from 0; equals the event's index. */
    seq: z.number().int().nonnegative(),
    /** The injected clock's time when the event was appended (ISO-8601). */
    at: z.string(),
    type: z.literal(type),
    nodeId: z.string().optional(),
    /** The calling node ids of a subflow, joined by '/'; absent at the top level. */
    scope: z.string().optional(),
    data,
  })
}

/** What a run ends with, in a run.ended or a subflow.ended. */
const ended = {
  completed: { status: z.literal('completed'), outcome: z.string() },
  failed: { status: z.literal('failed'), message: z.string() },
  /** Only a run (never a subflow) is cancelled, by an operator resolving its incident. */
  cancelled: { status: z.literal('cancelled') },
}

/**
 * One entry of a run's append-only event log, one member per `type`. The log is the run: its
 * state is `foldEvents(log)` and its trace is the canonical JSON of the log. Events of a subflow
 * carry `scope`; they never change the parent's facts or path. Stored logs are parsed by this
 * schema once, where they are read; the engine builds events of these types directly.
 */
export const runEventSchema = z.discriminatedUnion('type', [
  eventOf('run.started', z.strictObject({ runId: z.string(), flowId: z.string(), flowHash: z.string(), input: facts })),
  /** `visit` counts from 1; the node's `maxVisits` bounds it. */
  eventOf('node.entered', z.strictObject({ type: z.string(), visit: z.number().int().positive() })),
  /** The port a decision node chose and its explanation: the audit "why". */
  eventOf('decision', z.strictObject({ port: z.string(), explanation: decisionExplanationSchema })),
  /** Dotted fact path → value, declared paths only; a simulation's probe facts are marked. */
  eventOf('facts.set', z.strictObject({ set: facts, source: z.literal('simulation-probe').optional() })),
  eventOf(
    'connector.request',
    z.strictObject({ connector: z.string(), request: jsonValue, attempt: z.number().int().positive() }),
  ),
  eventOf(
    'connector.response',
    z.union([
      z.strictObject({ connector: z.string(), attempt: z.number().int().positive(), response: jsonValue }),
      z.strictObject({
        connector: z.string(),
        attempt: z.number().int().positive(),
        error: z.string(),
        /** Absent means retryable (the connector policy decides how often). */
        retryable: z.boolean().optional(),
        /** The adapter's stable code (`timeout`, `http-503`, ...): what the error class derives from. */
        code: z.string().optional(),
        /** The peer's Retry-After, in ms. */
        retryAfterMs: z.number().int().nonnegative().optional(),
      }),
    ]),
  ),
  /** A failed attempt will be tried again after `delayMs` (waited on the injected clock). */
  eventOf(
    'connector.retry',
    z.strictObject({
      connector: z.string(),
      attempt: z.number().int().positive(),
      delayMs: z.number().int().nonnegative(),
    }),
  ),
  /** A task's id is `${runId}:task:${seq}`; its request says what it may show. */
  eventOf('task.opened', z.strictObject({ taskId: z.string(), request: taskRequestSchema })),
  eventOf('task.answered', z.strictObject({ taskId: z.string(), answer: jsonValue, port: z.string() })),
  /** The task's due time passed unanswered; the run left by the step's `timeout` port. */
  eventOf('task.expired', z.strictObject({ taskId: z.string(), due: z.string(), port: z.literal('timeout') })),
  eventOf('wait.started', z.strictObject({ until: z.string(), port: z.string() })),
  eventOf('wait.due', z.strictObject({ until: z.string(), port: z.string() })),
  /** A wait.event step waits for the message `name` with this correlation key (until `until`, when set). */
  eventOf('event.awaited', z.strictObject({ name: z.string(), key: z.string(), until: z.string().optional() })),
  /** The message arrived; its payload is then written by a facts.set. `messageId` makes delivery idempotent. */
  eventOf(
    'event.received',
    z.strictObject({ name: z.string(), key: z.string(), messageId: z.string(), payload: jsonValue }),
  ),
  eventOf('subflow.started', z.strictObject({ runId: z.string(), flowId: z.string(), hash: z.string(), input: facts })),
  eventOf(
    'subflow.ended',
    z.union([
      z.strictObject({ runId: z.string(), ...ended.completed, facts }),
      z.strictObject({ runId: z.string(), ...ended.failed }),
    ]),
  ),
  /** The edge the run took. */
  eventOf('node.exited', z.strictObject({ port: z.string(), to: z.string() })),
  /** `handled`: the failure was routed to the node's `error` port. */
  eventOf('error', z.strictObject({ message: z.string(), handled: z.boolean() })),
  /**
   * A failure the node's `error` port does not handle, held for an operator instead of ending
   * the run: the cause without patient data (the connector, its error class, the attempts made).
   */
  eventOf(
    'incident.opened',
    z.strictObject({
      message: z.string(),
      connector: z.string().optional(),
      errorClass: z.string().optional(),
      attempts: z.number().int().positive().optional(),
    }),
  ),
  /** An operator's decision on the open incident: run the failed step again, leave by `port`, or cancel. */
  eventOf(
    'incident.resolved',
    z.discriminatedUnion('action', [
      z.strictObject({ action: z.literal('retry') }),
      z.strictObject({ action: z.literal('skip'), port: z.string() }),
      z.strictObject({ action: z.literal('cancel') }),
    ]),
  ),
  /**
   * The waiting run moved to another version of its flow (an operator's approved migration): the
   * events before it replay against `fromHash`, the events after it against `toHash`, from
   * `toNode` (the node it waited at, or the one mapped to it), entered afresh.
   */
  eventOf(
    'run.migrated',
    z.strictObject({
      migration: z.string(),
      fromHash: z.string(),
      toHash: z.string(),
      fromNode: z.string(),
      toNode: z.string(),
    }),
  ),
  eventOf(
    'run.ended',
    z.union([z.strictObject(ended.completed), z.strictObject(ended.failed), z.strictObject(ended.cancelled)]),
  ),
])

/** One entry of a run's event log (see `runEventSchema`). */
export type RunEvent = z.infer<typeof runEventSchema>
/** Every kind of entry a run's event log holds. */
export type RunEventType = RunEvent['type']
/** The event of one type, e.g. `RunEventOf<'decision'>`. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>
/** The `data` of one event type, e.g. `RunEventData<'task.opened'>`. */
export type RunEventData<T extends RunEventType> = RunEventOf<T>['data']

/** A whole log (or a stored batch of one), as the schema that parses it. */
export const runEventsSchema = z.array(runEventSchema)

/**
 * One step of the event format: turns events stored in version `from` into version `from + 1`.
 * Steps are append-only and never mutate their input.
 */
export interface RunEventMigration {
  from: number
  name: string
  up: (events: readonly unknown[]) => unknown[]
}

/**
 * The format steps, oldest first. Version 1 is the first versioned form; logs stored before
 * versions existed already have its shape and are stored as version 1 by the database migration.
 * A new version adds its step here and keeps a golden log of every older version in
 * `fixtures/run-events/v<N>.json`, which the tests read forward.
 */
export const RUN_EVENT_MIGRATIONS: readonly RunEventMigration[] = [
  {
    // Version 2 added connector retries (`connector.retry`, a failure's `code` and
    // `retryAfterMs`), incidents (`incident.opened`, `incident.resolved`) and cancelled runs. A
    // version 1 log holds none of them and reads as it is.
    from: 1,
    name: 'retries-and-incidents',
    up: (events) => [...events],
  },
]

/** Why a stored log could not be read: its version, and where the parse failed. */
export class RunEventFormatError extends Error {
  readonly code = 'invalid-event-log'
  constructor(
    message: string,
    /** The JSON path of the first problem, e.g. `3.data.port`. */
    readonly path: string,
  ) {
    super(message)
    this.name = 'RunEventFormatError'
  }
}

/** Raw events stored in `version`, brought forward to `RUN_EVENT_VERSION` (not yet parsed). */
export function upgradeRunEvents(
  raw: readonly unknown[],
  version: number,
  migrations: readonly RunEventMigration[] = RUN_EVENT_MIGRATIONS,
  target = RUN_EVENT_VERSION,
): unknown[] {
  if (!Number.isInteger(version) || version < 1 || version > target) {
    throw new RunEventFormatError(
      `The event log is in format version ${version}; this engine reads versions 1 to ${target}.`,
      '',
    )
  }
  let events: readonly unknown[] = raw
  for (let at = version; at < target; at++) {
    const step = migrations.find((m) => m.from === at)
    if (!step) throw new RunEventFormatError(`No migration of the event log from version ${at}.`, '')
    events = step.up(events)
  }
  return [...events]
}

/**
 * Parse events read from outside the engine (a database, a file, a request) written in
 * `version`: upgraded, then checked against `runEventSchema`. Refused with a
 * RunEventFormatError naming the first event and field that do not fit.
 */
export function parseRunEvents(raw: unknown, version = RUN_EVENT_VERSION): RunEvent[] {
  if (!Array.isArray(raw)) throw new RunEventFormatError('The event log is not a list of events.', '')
  const upgraded = upgradeRunEvents(raw, version)
  const parsed = runEventsSchema.safeParse(upgraded)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = (issue?.path ?? []).map(String).join('.')
  const index = typeof issue?.path[0] === 'number' ? issue.path[0] : undefined
  const event = index === undefined ? undefined : (upgraded[index] as { type?: unknown; seq?: unknown } | undefined)
  const which =
    event && typeof event === 'object'
      ? `event ${String(event.seq)} (${typeof event.type === 'string' ? event.type : 'no type'})`
      : 'an event'
  throw new RunEventFormatError(
    `The event log does not fit format version ${RUN_EVENT_VERSION} at ${which}, field "${path}": ${issue?.message ?? 'invalid'}.`,
    path,
  )
}
