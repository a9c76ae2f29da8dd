// The one redaction gate. Every response that carries facts (runs, events, tasks, simulation
// reports, audit details, errors) is passed through `phiGate` before it leaves the runtime.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { phiClassAt, REDACTED, redactExplanation, redactFacts } from '@carepath/dsl'
import type { DecisionExplanation, FactSchema, FlowDocument, JsonValue, PhiClass } from '@carepath/dsl'
import { canonicalJson } from '@carepath/dsl'
import type { UserRole } from '../db/schema.ts'

export { REDACTED }

/** Who is looking, as far as patient data goes. */
export interface Viewer {
  role: UserRole
  /** Flow roles (work queues) the person works; `*` means every role of every flow. */
  flowRoles: readonly string[]
}

/**
 * The PHI classes a viewer may see in runs of a flow: agents see what their flow roles may see
 * (minimum necessary); every other runtime role sees no patient data at all.
 */
export function allowedClasses(viewer: Viewer, flow: Pick<FlowDocument, 'roles'>): PhiClass[] {
  const classes = new Set<PhiClass>(['none'])
  if (viewer.role !== 'agent') return [...classes]
  for (const [name, role] of Object.entries(flow.roles)) {
    if (viewer.flowRoles.includes('*') || viewer.flowRoles.includes(name)) role.phi.forEach((c) => classes.add(c))
  }
  return [...classes]
}

// Keys whose values are fact snapshots (shaped by the facts schema).
const FACT_OBJECT_KEYS = new Set(['input', 'facts', 'snapshot', 'shown', 'expectedFacts', 'answers'])
// Keys whose values map dotted fact paths to values.
const FACT_PATH_MAP_KEYS = new Set(['set', 'written', 'writes', 'factsDiff'])
// Keys whose values are decision explanations.
const EXPLANATION_KEYS = new Set(['decision', 'explanation', 'before', 'after', 'base', 'candidate'])
// Author-written parts of a step (answer options, form fields): copied as they are.
const AUTHOR_KEYS = new Set(['options', 'fields'])
// Keys safe to pass as they are: structure, ids, author-written text, never patient data.
const SAFE_KEYS = new Set([
  'type',
  'kind',
  'seq',
  'id',
  'runId',
  'taskId',
  'nodeId',
  'node',
  'port',
  'at',
  'outcome',
  'status',
  'hash',
  'flowHash',
  'flowId',
  'role',
  'title',
  'label',
  'prompt',
  'name',
  'connector',
  'attempt',
  'fired',
  'path',
  'fact',
  'operator',
  'result',
  'missing',
  'expected',
  'until',
  'due',
  'code',
  'message',
  'required',
  'changed',
  'summary',
  'cases',
  'unchanged',
  'failed',
  'coverage',
  'reached',
  'never',
  'nodes',
  'ports',
  'rules',
  'rows',
  'conditions',
  'severity',
  'retryable',
  'case',
  'caseId',
  'description',
  'split',
  'paths',
  'decisions',
  'errors',
  'expectation',
  'ok',
  'count',
  'total',
  'generated',
  'source',
  'from',
  'to',
  'startedAt',
  'endedAt',
  'version',
  'revision',
  'visit',
  'handled',
  'shows',
  'scope',
  'base',
  'candidate',
  'simulator',
  'outcomes',
  'changes',
  'first',
  'reason',
  'classes',
  'expectedChange',
  'expectationFailures',
  'problems',
  'canvas',
  'changedNodes',
  'changedEdges',
  'unreachedNodes',
  'target',
  'side',
  'missed',
  'covered',
  'rulesOfUnreachedNodes',
  'waitingAt',
  'error',
  'index',
  'unexpected',
  'flow',
])

/** What is being let out; each kind has its own, fail-closed rules. */
export type GateKind = 'events' | 'facts' | 'explanation' | 'report' | 'task' | 'details'

/**
 * THE redaction gate: every value that may carry facts of a flow leaves the runtime through here.
 * Facts are redacted by the facts schema (classes the viewer may not see, and anything
 * unclassified, are replaced); event logs per event type; anything else by known structural
 * keys, with every unknown key replaced (fail closed).
 */
export function phiGate(
  kind: GateKind,
  value: unknown,
  factsSchema: FactSchema,
  allowed: readonly PhiClass[],
): JsonValue {
  switch (kind) {
    case 'facts':
      return redactFacts(toJsonValue(value), factsSchema, allowed)
    case 'explanation':
      return isExplanation(value) ? (redactExplanation(value, factsSchema, allowed) as unknown as JsonValue) : REDACTED
    case 'events': {
      if (!Array.isArray(value)) return []
      const values = patientStrings(value)
      return value.map((e) => gateEvent(e, factsSchema, allowed, values))
    }
    default:
      return gate(value, factsSchema, allowed)
  }
}

const EMPTY_SCHEMA: FactSchema = { type: 'object', properties: {} }

/** One engine event: structure passes; facts by schema; connector payloads and answers never. */
function gateEvent(
  raw: unknown,
  rootSchema: FactSchema,
  allowed: readonly PhiClass[],
  values: readonly string[],
): JsonValue {
  if (!isRecord(raw)) return null
  const event = raw as {
    seq?: unknown
    at?: unknown
    type?: unknown
    nodeId?: unknown
    scope?: unknown
    data?: unknown
  }
  // Subflow events describe another flow's facts: with no schema at hand, nothing of them shows.
  const schema = typeof event.scope === 'string' && event.scope ? EMPTY_SCHEMA : rootSchema
  const data = isRecord(event.data) ? event.data : {}
  const out: Record<string, JsonValue> = {}
  for (const key of ['seq', 'at', 'type', 'nodeId', 'scope'] as const) {
    const v = event[key]
    if (typeof v === 'string' || typeof v === 'number') out[key] = v
  }
  const pick = (...keys: string[]) =>
    Object.fromEntries(keys.filter((k) => data[k] !== undefined).map((k) => [k, toJsonValue(data[k])]))
  switch (event.type) {
    case 'run.started':
      out.data = {
        ...pick('runId', 'flowId', 'flowHash'),
        input: redactFacts(toJsonValue(data.input), schema, allowed),
      }
      break
    case 'decision':
      out.data = { ...pick('port'), explanation: phiGate('explanation', data.explanation, schema, allowed) }
      break
    case 'facts.set':
      out.data = { set: isRecord(data.set) ? redactPathMap(data.set, schema, allowed) : REDACTED }
      break
    case 'connector.request':
    case 'connector.response':
      out.data = {
        ...pick('connector', 'attempt'),
        ...(data.error !== undefined ? { error: REDACTED } : {}),
        payload: REDACTED,
      }
      break
    case 'task.opened':
      out.data = { ...pick('taskId'), request: gate(data.request, schema, allowed) }
      break
    case 'task.answered':
      out.data = { ...pick('taskId', 'port'), answer: REDACTED }
      break
    case 'subflow.started':
    case 'subflow.ended':
      out.data = { ...pick('runId', 'flowId', 'hash', 'status', 'outcome') }
      break
    case 'error':
    case 'run.ended':
      out.data = gate(
        { ...data, ...(typeof data.message === 'string' ? { message: scrubMessage(data.message, values) } : {}) },
        schema,
        allowed,
      )
      break
    case 'node.entered':
    case 'node.exited':
    case 'wait.started':
    case 'wait.due':
      out.data = gate(data, schema, allowed)
      break
    default:
      out.data = REDACTED
  }
  return out
}

/**
 * Every string a run's log holds as patient data (input, facts written, connector payloads,
 * answers). Failure messages can quote them (a connector's error text, say), so messages are
 * scrubbed of them before anyone sees them.
 */
export function patientStrings(events: readonly unknown[]): string[] {
  const found = new Set<string>()
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.length >= 3) found.add(v)
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (isRecord(v)) Object.values(v).forEach(walk)
  }
  for (const e of events) {
    const data = isRecord(e) && isRecord(e.data) ? e.data : {}
    for (const key of ['input', 'set', 'request', 'response', 'answer', 'facts']) {
      if (key === 'request' && isRecord(e) && e.type === 'task.opened') continue
      walk(data[key])
    }
  }
  // Longest first, so a value containing another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length)
}

/** A message with every patient value it quotes replaced. */
export function scrubMessage(message: string, values: readonly string[]): string {
  let out = message
  for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED)
  return out
}

const toJsonValue = (v: unknown): JsonValue => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue))

function gate(value: unknown, schema: FactSchema, allowed: readonly PhiClass[]): JsonValue {
  if (value === null || value === undefined) return null
  if (typeof value !== 'object')
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null
  if (Array.isArray(value)) return value.map((v) => gate(v, schema, allowed))
  const out: Record<string, JsonValue> = {}
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (child === undefined) continue
    if (key === 'facts' && Array.isArray(child)) out[key] = child.map((item) => redactFactChange(item, schema, allowed))
    else if (FACT_OBJECT_KEYS.has(key)) out[key] = redactFacts(child as JsonValue, schema, allowed)
    else if (FACT_PATH_MAP_KEYS.has(key) && isRecord(child)) out[key] = redactPathMap(child, schema, allowed)
    else if (EXPLANATION_KEYS.has(key) && isExplanation(child))
      out[key] = redactExplanation(child, schema, allowed) as unknown as JsonValue
    else if (key === 'seen' && typeof (value as { fact?: unknown }).fact === 'string') {
      const cls = phiClassAt(schema, (value as { fact: string }).fact)
      out[key] = cls !== undefined && allowed.includes(cls) ? (child as JsonValue) : REDACTED
    } else if (AUTHOR_KEYS.has(key)) out[key] = JSON.parse(JSON.stringify(child)) as JsonValue
    else if (SAFE_KEYS.has(key)) out[key] = gate(child, schema, allowed)
    else out[key] = REDACTED
  }
  return out
}

function redactPathMap(map: Record<string, unknown>, schema: FactSchema, allowed: readonly PhiClass[]): JsonValue {
  const out: Record<string, JsonValue> = {}
  for (const [path, v] of Object.entries(map)) out[path] = redactFacts(toJsonValue(v), schema, allowed, path)
  return out
}

/** A simulator fact difference `{ path, base, candidate }`: both values by the class of the path. */
function redactFactChange(item: unknown, schema: FactSchema, allowed: readonly PhiClass[]): JsonValue {
  if (!isRecord(item) || typeof item.path !== 'string') return REDACTED
  const path = item.path
  return {
    path,
    base: redactFacts(toJsonValue(item.base), schema, allowed, path),
    candidate: redactFacts(toJsonValue(item.candidate), schema, allowed, path),
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isExplanation = (v: unknown): v is DecisionExplanation =>
  isRecord(v) && Array.isArray(v.rules) && typeof v.outcome === 'string'

/**
 * A stand-in for a patient value in the audit trail: a keyed hash (HMAC with the installation's
 * secret), so equal values can be matched by someone holding the data but never read back.
 */
export function phiReference(secret: string, value: unknown): string {
  return 'hmac:' + createHmac('sha256', keyFor(secret)).update(canonicalJson(value)).digest('hex').slice(0, 24)
}

// The installation's key, imported once (importing it on every reference costs more than the HMAC).
let cachedKey: { secret: string; key: KeyObject } | undefined
function keyFor(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) }
  return cachedKey.key
}

/** A decision explanation for the audit trail: every seen value replaced by its reference. */
export function explanationForAudit(explanation: DecisionExplanation, secret: string): JsonValue {
  return {
    outcome: explanation.outcome,
    fired: explanation.fired,
    rules: explanation.rules.map((r) => ({
      id: r.id,
      fired: r.fired,
      conditions: r.conditions.map((c) => ({
        path: c.path,
        fact: c.fact,
        operator: c.operator,
        // A threshold written in the flow stays; a value compared from another fact is a reference too.
        expected: c.expectedFact === undefined ? c.expected : phiReference(secret, c.expected),
        seen: phiReference(secret, c.seen),
        result: c.result,
      })),
    })),
  }
}
