import { z } from 'zod'
import { jsonValueSchema } from './json.ts'

/** One condition as it was evaluated: the "why" at its finest grain. */
export const conditionTraceSchema = z.object({
  /** Where the condition sits in the rule, e.g. `all.0` or `any.1.all.0`. */
  path: z.string(),
  fact: z.string(),
  operator: z.string(),
  expected: jsonValueSchema,
  /**
   * Set when the condition compares two facts (`value: { fact: ... }`): the dotted path of the
   * right-hand fact. `expected` then holds that fact's value, which is redacted by its PHI class.
   */
  expectedFact: z.string().optional(),
  /** The value the condition saw; absent facts are reported as null with `missing: true`. */
  seen: jsonValueSchema,
  missing: z.boolean().optional(),
  result: z.boolean(),
})
/** One condition as it was evaluated (see `conditionTraceSchema`). */
export type ConditionTrace = z.infer<typeof conditionTraceSchema>

/** One rule (or decision-table row) and whether it fired. */
export const ruleTraceSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  fired: z.boolean(),
  conditions: z.array(conditionTraceSchema),
})
/** One rule (or decision-table row) and whether it fired (see `ruleTraceSchema`). */
export type RuleTrace = z.infer<typeof ruleTraceSchema>

/**
 * What a decision node returns beside its port: the outcome, which rules fired, and every
 * condition with the value it saw. The audit trail, the run viewer and the simulator diff show it.
 */
export const decisionExplanationSchema = z.object({
  outcome: z.string(),
  /** Ids of the rules that fired, in the documented tie-break order. */
  fired: z.array(z.string()),
  rules: z.array(ruleTraceSchema),
  /** Values the decision produced (decision-table outputs, collect aggregations). */
  outputs: z.record(z.string(), jsonValueSchema).optional(),
})
/** A decision's "why" (see `decisionExplanationSchema`). */
export type DecisionExplanation = z.infer<typeof decisionExplanationSchema>
