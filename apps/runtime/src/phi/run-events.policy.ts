// A run's events as a viewer may see them: one policy per event type, over the engine's typed
// event union. `EventPolicies` maps every event type, so a new type does not compile until its
// redaction is declared here.
import type { RunEvent, RunEventData, RunEventOf, RunEventType } from '@carepath/engine'
import { REDACTED } from '@carepath/dsl'
import {
  authored,
  explanation,
  factPathMap,
  facts,
  freeText,
  inSubflow,
  object,
  structure,
  withheld,
  type RedactionContext,
  type Redactor,
} from './redaction-policy.ts'

/** One redaction per event type; none may be left out. */
export type EventPolicies = { [T in RunEventType]: Redactor<RunEventOf<T>> }

/** The envelope every event shares: position, time, type and where in the flow (all structure). */
const envelope = {
  seq: structure,
  at: structure,
  type: structure,
  nodeId: structure,
  scope: structure,
} as const

/** Text that is withheld whole (a connector's own error text in the log). */
const withheldText: Redactor<string> = () => REDACTED

type ConnectorResponse = RunEventData<'connector.response'>
type SubflowEnded = RunEventData<'subflow.ended'>
type RunEnded = RunEventData<'run.ended'>
type IncidentResolved = RunEventData<'incident.resolved'>

export const eventPolicies: EventPolicies = {
  'run.started': object<RunEventOf<'run.started'>>({
    ...envelope,
    data: object({ runId: structure, flowId: structure, flowHash: structure, input: facts }),
  }),
  'node.entered': object<RunEventOf<'node.entered'>>({
    ...envelope,
    data: object({ type: structure, visit: structure }),
  }),
  decision: object<RunEventOf<'decision'>>({ ...envelope, data: object({ port: structure, explanation }) }),
  'facts.set': object<RunEventOf<'facts.set'>>({ ...envelope, data: object({ set: factPathMap, source: structure }) }),
  // Connector payloads carry patient data with no fact path to classify it by: nobody sees them.
  'connector.request': object<RunEventOf<'connector.request'>>({
    ...envelope,
    data: object({ connector: structure, request: withheld, attempt: structure }),
  }),
  'connector.response': object<RunEventOf<'connector.response'>>({
    ...envelope,
    data: (data: ConnectorResponse, ctx) =>
      'error' in data
        ? object<Extract<ConnectorResponse, { error: string }>>({
            connector: structure,
            attempt: structure,
            error: withheldText,
            retryable: structure,
            code: structure,
            retryAfterMs: structure,
          })(data, ctx)
        : object<Exclude<ConnectorResponse, { error: string }>>({
            connector: structure,
            attempt: structure,
            response: withheld,
          })(data, ctx),
  }),
  'task.opened': object<RunEventOf<'task.opened'>>({
    ...envelope,
    data: object({ taskId: structure, request: authored }),
  }),
  // An answer has no fact path of its own until it is written: it shows through `facts.set`.
  'task.answered': object<RunEventOf<'task.answered'>>({
    ...envelope,
    data: object({ taskId: structure, answer: withheld, port: structure }),
  }),
  'task.expired': object<RunEventOf<'task.expired'>>({
    ...envelope,
    data: object({ taskId: structure, due: structure, port: structure }),
  }),
  'wait.started': object<RunEventOf<'wait.started'>>({
    ...envelope,
    data: object({ until: structure, port: structure }),
  }),
  'wait.due': object<RunEventOf<'wait.due'>>({ ...envelope, data: object({ until: structure, port: structure }) }),
  // The correlation key is a fact's value (an appointment id): withheld like a connector payload.
  'event.awaited': object<RunEventOf<'event.awaited'>>({
    ...envelope,
    data: object({ name: structure, key: withheldText, until: structure }),
  }),
  // The payload shows through the facts.set that writes it, classified by its fact path.
  'event.received': object<RunEventOf<'event.received'>>({
    ...envelope,
    data: object({ name: structure, key: withheldText, messageId: structure, payload: withheld }),
  }),
  'subflow.started': object<RunEventOf<'subflow.started'>>({
    ...envelope,
    data: object({ runId: structure, flowId: structure, hash: structure, input: facts }),
  }),
  'subflow.ended': object<RunEventOf<'subflow.ended'>>({
    ...envelope,
    data: (data: SubflowEnded, ctx) =>
      'facts' in data
        ? object<Extract<SubflowEnded, { facts: unknown }>>({
            runId: structure,
            status: structure,
            outcome: structure,
            facts,
          })(data, ctx)
        : object<Exclude<SubflowEnded, { facts: unknown }>>({ runId: structure, status: structure, message: freeText })(
            data,
            ctx,
          ),
  }),
  'node.exited': object<RunEventOf<'node.exited'>>({ ...envelope, data: object({ port: structure, to: structure }) }),
  error: object<RunEventOf<'error'>>({ ...envelope, data: object({ message: freeText, handled: structure }) }),
  'connector.retry': object<RunEventOf<'connector.retry'>>({
    ...envelope,
    data: object({ connector: structure, attempt: structure, delayMs: structure }),
  }),
  // The cause is the failure's own sentence (free text, scrubbed of patient values) and structure.
  'incident.opened': object<RunEventOf<'incident.opened'>>({
    ...envelope,
    data: object({ message: freeText, connector: structure, errorClass: structure, attempts: structure }),
  }),
  'incident.resolved': object<RunEventOf<'incident.resolved'>>({
    ...envelope,
    data: (data: IncidentResolved, ctx) =>
      data.action === 'skip'
        ? object<Extract<IncidentResolved, { action: 'skip' }>>({ action: structure, port: structure })(data, ctx)
        : object<Exclude<IncidentResolved, { action: 'skip' }>>({ action: structure })(data, ctx),
  }),
  'run.migrated': object<RunEventOf<'run.migrated'>>({
    ...envelope,
    data: object({
      migration: structure,
      fromHash: structure,
      toHash: structure,
      fromNode: structure,
      toNode: structure,
    }),
  }),
  'run.ended': object<RunEventOf<'run.ended'>>({
    ...envelope,
    data: (data: RunEnded, ctx) =>
      'outcome' in data
        ? object<Extract<RunEnded, { outcome: string }>>({ status: structure, outcome: structure })(data, ctx)
        : 'message' in data
          ? object<Extract<RunEnded, { message: string }>>({ status: structure, message: freeText })(data, ctx)
          : object<Extract<RunEnded, { status: 'cancelled' }>>({ status: structure })(data, ctx),
  }),
}

/** One event by the policy of its type. */
function redactEvent<T extends RunEventType>(e: RunEventOf<T>, ctx: RedactionContext): RunEventOf<T> {
  const policy: Redactor<RunEventOf<T>> = eventPolicies[e.type]
  return policy(e, e.scope ? inSubflow(ctx) : ctx)
}

/** A run's events as the viewer may see them. */
export const runEvents: Redactor<RunEvent[]> = (events, ctx) => events.map((e) => redactEvent(e, ctx))
