import { z } from 'zod'
import { jsonValueSchema } from '@carepath/dsl'

/**
 * The subset of json-rules-engine 7.3 rule JSON a flow may contain.
 *
 * - conditions: `all` / `any` (lists) and `not` (one condition), nested freely; leaves are
 *   `{ fact, path?, operator, value }`. The fact is a dotted fact path; `path` is an optional
 *   plain JSONPath member path (`$.birthDate`) appended to it (see fact-path.ts).
 * - value: a JSON literal, or `{ fact, path? }` to compare two facts.
 * - operators: json-rules-engine's built-ins and Carepath's own (operators.ts).
 * - event: `{ type, params? }`; the type is the decision's outcome (and the node's port).
 * - each rule has a stable `id`; `name` and `priority` (a positive integer, higher first) are
 *   optional.
 * Left out on purpose: condition references, condition-level priority (it would let
 * json-rules-engine skip conditions and leave holes in explanations), fact `params`, operator
 * decorators, `onSuccess`/`onFailure` callbacks.
 */
export const factRefSchema = z.object({ fact: z.string().min(1), path: z.string().optional() }).strict()
export type FactRef = z.infer<typeof factRefSchema>

export const leafConditionSchema = z
  .object({
    fact: z.string().min(1),
    path: z.string().optional(),
    operator: z.string().min(1),
    value: jsonValueSchema,
  })
  .strict()
export type LeafCondition = z.infer<typeof leafConditionSchema>

export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition }

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    leafConditionSchema,
    z.object({ all: z.array(conditionSchema) }).strict(),
    z.object({ any: z.array(conditionSchema) }).strict(),
    z.object({ not: conditionSchema }).strict(),
  ]),
)

/** The top of a rule's conditions is always a boolean: `all`, `any` or `not`. */
export const topConditionSchema = z.union([
  z.object({ all: z.array(conditionSchema) }).strict(),
  z.object({ any: z.array(conditionSchema) }).strict(),
  z.object({ not: conditionSchema }).strict(),
])
export type TopCondition = z.infer<typeof topConditionSchema>

/** Ids and event types become part of run logs and port names: keep them plain. */
export const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
export const EVENT_TYPE = /^[a-z][A-Za-z0-9_-]{0,63}$/

export const ruleEventSchema = z
  .object({
    type: z
      .string()
      .regex(EVENT_TYPE, 'An event type starts with a lower-case letter, like "eligible"; it becomes a port name.'),
    params: z.record(z.string(), jsonValueSchema).optional(),
  })
  .strict()

export const ruleSchema = z
  .object({
    id: z.string().regex(RULE_ID, 'A rule id is a plain name like "adult-covered" (letters, digits, . _ -).'),
    name: z.string().optional(),
    priority: z.number().int().positive().optional(),
    conditions: topConditionSchema,
    event: ruleEventSchema,
  })
  .strict()
export type Rule = z.infer<typeof ruleSchema>

export const rulesSchema = z.array(ruleSchema)
