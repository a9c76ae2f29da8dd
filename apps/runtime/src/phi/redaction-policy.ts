// Redaction declared by type. Every response type has a policy naming, for each of its fields,
// what the field is: structure (ids, statuses, counts), author-written text (from the flow),
// facts (redacted by the facts schema and the viewer's PHI classes), or free text that may
// quote a patient value (redacted). `RedactionPolicy<T>` maps every key of T, so a field added
// to a response type does not compile until its part is declared here.
import { REDACTED, redactExplanation, redactFacts } from '@carepath/dsl'
import type { DecisionExplanation, FactSchema, JsonValue, PhiClass } from '@carepath/dsl'
import { redactFreeText } from './free-text.ts'

/** What a response is redacted against. */
export interface RedactionContext {
  /** The facts schema of the flow the data belongs to. */
  schema: FactSchema
  /** The PHI classes the viewer may see (`none` always). */
  allowed: readonly PhiClass[]
  /** Patient values the response's context holds (input, facts, payloads, answers), longest first. */
  patientValues: readonly string[]
  /**
   * Suite cases marked `synthetic` (made-up values) whose report this viewer sees as written: set
   * only for people who may read the suite itself, which holds the same values.
   */
  testDataCases?: ReadonlySet<string>
}

/** A response that holds no facts at all is redacted against this context. */
export const NO_FACTS: RedactionContext = {
  schema: { type: 'object', properties: {} },
  allowed: ['none'],
  patientValues: [],
}

/**
 * The context for data of a subflow (events or decisions with a `scope`): they describe another
 * flow's facts, whose schema is not at hand, so none of their facts shows.
 */
export const inSubflow = (ctx: RedactionContext): RedactionContext => ({
  ...ctx,
  schema: { type: 'object', properties: {} },
})

/** How one part of a response is let out: a copy of it as the viewer may see it. */
export type Redactor<V> = (value: V, ctx: RedactionContext) => V

/** A policy for an object type: one part per key, none left out (optional keys included). */
export type RedactionPolicy<T> = { [K in keyof T]-?: Redactor<NonNullable<T[K]>> }

/** Values that can only be structure: scalars and lists of them. */
type Scalar = string | number | boolean | null | undefined
type Structural = Scalar | readonly Scalar[]

/**
 * Structure: ids, hashes, statuses, ports, paths, counts, times. Copied as they are. Only
 * scalars and lists of scalars can be declared so; objects declare their own fields.
 */
export const structure = <V extends Structural>(value: V): V => value

/** Author-written: titles, prompts, form fields and options taken from the flow document. */
export const authored = <V>(value: V): V => structuredClone(value)

/** A fact snapshot (fact name → value), redacted by the facts schema from its root. */
export const facts: Redactor<Record<string, JsonValue>> = (value, ctx) => {
  const out = redactFacts(value, ctx.schema, ctx.allowed)
  return out !== null && typeof out === 'object' && !Array.isArray(out) ? out : {}
}

/** A map of dotted fact path → value: each value redacted by the class of its path. */
export const factPathMap: Redactor<Record<string, JsonValue>> = (value, ctx) =>
  Object.fromEntries(Object.entries(value).map(([path, v]) => [path, redactFacts(v, ctx.schema, ctx.allowed, path)]))

/** A value known only to be some facts of the flow, with no path: nobody sees it. */
export const withheld: Redactor<NonNullable<JsonValue>> = () => REDACTED

/** A decision's explanation: seen values (and fact-to-fact thresholds) by the class of their fact. */
export const explanation: Redactor<DecisionExplanation> = (value, ctx) =>
  redactExplanation(value, ctx.schema, ctx.allowed)

/**
 * Free text that may quote a patient value (a node's or connector's failure message, a
 * simulation problem): never passed as it is.
 */
export const freeText: Redactor<string> = (value, ctx) => redactFreeText(value, ctx.patientValues)

/** An object by its policy. Keys not in the policy are dropped (fail closed); absent values stay absent. */
export function object<T extends object>(policy: RedactionPolicy<NoInfer<T>>): Redactor<T> {
  return (value, ctx) => {
    const out: Partial<Record<keyof T, unknown>> = {}
    // The policy's keys are exactly T's keys (RedactionPolicy<T> maps every one of them).
    for (const key of Object.keys(policy) as (keyof T)[]) {
      if (!Object.hasOwn(value, key)) continue
      const v = value[key]
      out[key] = v === null || v === undefined ? v : policy[key](v, ctx)
    }
    // Every key of T was copied through its declared part above.
    return out as T
  }
}

/** Each item of a list by one part. */
export const each =
  <E>(part: Redactor<E>): Redactor<E[]> =>
  (value, ctx) =>
    value.map((item) => part(item, ctx))

/** A part that is the same whatever the value (for a nullable field, say). */
export const nullable =
  <V>(part: Redactor<V>): Redactor<V> =>
  (value, ctx) =>
    value === null || value === undefined ? value : part(value, ctx)

/** Let a value out by its policy. */
export function redact<T>(part: Redactor<T>, value: T, ctx: RedactionContext): T {
  return part(value, ctx)
}
