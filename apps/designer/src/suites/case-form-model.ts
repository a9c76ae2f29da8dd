// What the case form offers, read from the flow itself: one input per field of the facts schema,
// an answer picker per human step (its options and fields, as the step would ask a person) and a
// mocked response per connector step. Pure: no React, so it is tested on its own.
import type { FactSchema, FlowDocument, JsonValue, NodeRegistry, TaskRequest } from '@carepath/dsl'

/** One leaf of the facts schema as the form shows it. */
export interface FactField {
  /** Dotted fact path (`patient.birthDate`). */
  path: string
  label: string
  kind: 'text' | 'number' | 'boolean' | 'date' | 'date-time' | 'choice'
  options: string[]
  required: boolean
  description?: string
}

/** Every leaf of the facts schema, in schema order (arrays are left to the JSON view). */
export function factFields(schema: FactSchema, prefix = '', required = true): FactField[] {
  const out: FactField[] = []
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key
    const isRequired = required && (schema.required ?? []).includes(key)
    if (child.type === 'object') out.push(...factFields(child, path, isRequired))
    else if (child.type !== 'array') {
      const field: FactField = {
        path,
        label: child.title ?? path,
        kind: child.enum
          ? 'choice'
          : child.type === 'boolean'
            ? 'boolean'
            : child.type === 'number' || child.type === 'integer'
              ? 'number'
              : (child.format ?? 'text'),
        options: (child.enum ?? []).map(String),
        required: isRequired,
      }
      if (child.description) field.description = child.description
      out.push(field)
    }
  }
  return out
}

type JsonObject = { [key: string]: JsonValue }
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v)

/** The value at a dotted path, or undefined. */
export function valueAt(root: JsonObject, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = root
  for (const key of path.split('.')) node = isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined
  return node
}

/**
 * A copy of `root` with `value` at the dotted path; `undefined` removes it, and objects left
 * empty by a removal go too (so clearing a field leaves the case as if it was never typed).
 */
export function withValueAt(root: JsonObject, path: string, value: JsonValue | undefined): JsonObject {
  const [key, ...rest] = path.split('.') as [string, ...string[]]
  const out: JsonObject = { ...root }
  if (rest.length === 0) {
    if (value === undefined) delete out[key]
    else out[key] = value
    return out
  }
  const child = withValueAt(isObject(root[key]) ? root[key] : {}, rest.join('.'), value)
  if (Object.keys(child).length === 0) delete out[key]
  else out[key] = child
  return out
}

/** A human step of the flow and what it asks (its options and fields). */
export interface HumanStep {
  nodeId: string
  title: string
  request: Pick<TaskRequest, 'fields' | 'options'>
}

/** A step that calls a connector: a case supplies its response. */
export interface ConnectorStep {
  nodeId: string
  title: string
  connectors: string[]
}

// Human steps build their request from their config alone; this context answers nothing else.
const noFacts = {
  runId: 'case-form',
  nodeId: '',
  flowHash: '',
  facts: {},
  factsSchema: { type: 'object' as const, properties: {} },
  get: () => undefined,
  now: () => '2026-01-01T00:00:00.000Z',
  call: () => Promise.reject(new Error('no connector in the case form')),
  memo: <T>(build: () => T) => build(),
}

/** The flow's human steps with what each would ask, in node order. Steps whose config is incomplete are left out. */
export async function humanSteps(document: FlowDocument, registry: NodeRegistry): Promise<HumanStep[]> {
  const steps: HumanStep[] = []
  for (const [nodeId, node] of Object.entries(document.nodes)) {
    const type = registry.get(node.type)
    if (!type?.human) continue
    const config = type.config.safeParse(node.config)
    if (!config.success) continue
    try {
      const outcome = await type.execute({ ...noFacts, nodeId }, config.data)
      if (outcome.kind === 'task')
        steps.push({
          nodeId,
          title: node.title ?? outcome.task.title,
          request: { fields: outcome.task.fields, options: outcome.task.options },
        })
    } catch {
      // A step that cannot say what it asks yet (half-configured): answered in the JSON view.
    }
  }
  return steps
}

/** The flow's steps that call a connector, in node order. */
export function connectorSteps(document: FlowDocument, registry: NodeRegistry): ConnectorStep[] {
  return Object.entries(document.nodes).flatMap(([nodeId, node]) => {
    const connectors = registry.get(node.type)?.connectors ?? []
    return connectors.length > 0
      ? [
          {
            nodeId,
            title: node.title ?? registry.get(node.type)?.title ?? nodeId,
            connectors: connectors.map((c) => c.name),
          },
        ]
      : []
  })
}

/** The outcomes the flow can end with (its end steps' outcomes), and `failed`, for the expectation picker. */
export function flowOutcomes(document: FlowDocument): string[] {
  const outcomes = new Set<string>()
  for (const node of Object.values(document.nodes)) {
    const outcome: unknown = (node.config as { outcome?: unknown } | undefined)?.outcome
    if (typeof outcome === 'string' && outcome) outcomes.add(outcome)
  }
  return [...[...outcomes].sort(), 'failed']
}
