// What the start-a-run form needs from a published flow, and what it checks before sending: the
// facts it cannot start without, the JSON view's round trip. Pure, so it is tested on its own.
import { z } from 'zod'
import type { FactSchema, FlowDocument, JsonValue, NodeRegistry } from '@carepath/dsl'
import { factFields, valueAt } from '../../suites/case-form-model.ts'

type JsonObject = { [key: string]: JsonValue }

const requiredInputsSchema = z.object({ requiredInputs: z.array(z.string()) })

/** A fact a run needs: `within` is the object it is required in ('' for the input itself). */
export interface RequiredFact {
  path: string
  within: string
}

function requiredIn(schema: FactSchema, prefix: string): RequiredFact[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key
    const own = (schema.required ?? []).includes(key) ? [{ path, within: prefix }] : []
    return child.type === 'object' ? [...own, ...requiredIn(child, path)] : own
  })
}

/** The inputs the flow's API triggers require, in the order they list them. */
function triggerInputs(document: FlowDocument): string[] {
  return Object.values(document.nodes).flatMap((node) => {
    if (node.type !== 'trigger.api') return []
    const config = requiredInputsSchema.safeParse(node.config)
    return config.success ? config.data.requiredInputs : []
  })
}

/**
 * What a run of the flow cannot start without, as the server checks it: the facts its schema
 * requires inside each object (needed once that object is given; the input itself always is),
 * and the inputs its API triggers require (always needed). Each path once.
 */
export function requiredFacts(document: FlowDocument): RequiredFact[] {
  const byTriggers = triggerInputs(document).map((path) => ({ path, within: '' }))
  const seen = new Set<string>()
  return [...byTriggers, ...requiredIn(document.facts, '')].filter((f) => !seen.has(f.path) && seen.add(f.path))
}

/** The fact paths the flow's own steps write (a human step's answer, a decision's outcome, a connector's response). */
export function writtenFacts(document: FlowDocument, registry: NodeRegistry): Set<string> {
  const written = new Set<string>()
  for (const node of Object.values(document.nodes)) {
    const nodeType = registry.get(node.type)
    const config = nodeType?.config.safeParse(node.config)
    if (!nodeType || !config?.success) continue
    for (const path of nodeType.writes(config.data)) written.add(path)
  }
  return written
}

const within = (path: string, parent: string) => path === parent || path.startsWith(`${parent}.`)

/**
 * The facts a run can be started with, as paths in the order the form shows them: the API
 * triggers' required inputs first, then every other field of the facts schema that no step
 * writes (a field under a written object counts as written). What the flow fills in itself is
 * not asked for at the start.
 */
export function startInputs(document: FlowDocument, registry: NodeRegistry): string[] {
  const written = [...writtenFacts(document, registry)]
  const leaves = factFields(document.facts).map((f) => f.path)
  // A required input may name an object: its fields come first, in the schema's order.
  const triggers = [
    ...new Set(triggerInputs(document).flatMap((input) => leaves.filter((leaf) => within(leaf, input)))),
  ]
  const others = leaves.filter((path) => !triggers.includes(path) && !written.some((w) => within(path, w)))
  return [...triggers, ...others]
}

const isMissing = (v: JsonValue | undefined) => v === undefined || v === null || v === ''
const isGiven = (input: JsonObject, path: string) => path === '' || !isMissing(valueAt(input, path))

/** A message per required fact that is not given where it is needed (empty: the input may be sent). */
export function missingInputs(input: JsonObject, required: readonly RequiredFact[]): Record<string, string> {
  return Object.fromEntries(
    required
      .filter((f) => isGiven(input, f.within) && isMissing(valueAt(input, f.path)))
      .map((f) => [
        f.path,
        f.within
          ? `Required once ${f.within} is given: the flow refuses a run without it.`
          : 'Required: the flow refuses a run without it.',
      ]),
  )
}

const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
)
const inputObjectSchema = z.record(z.string(), jsonValueSchema)

/** The JSON view's text read back as a run input, or why it cannot be one (in words). */
export function parseInputJson(text: string): { ok: true; input: JsonObject } | { ok: false; error: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { ok: false, error: `This is not valid JSON (${error instanceof Error ? error.message : 'unreadable'}).` }
  }
  const object = inputObjectSchema.safeParse(parsed)
  return object.success
    ? { ok: true, input: object.data }
    : { ok: false, error: 'A run’s input is one JSON object of facts, such as {"patient": {"id": "…"}}.' }
}

/** The input as the JSON view shows it. */
export const inputJson = (input: JsonObject) => JSON.stringify(input, null, 2)
