import type { JsonValue } from './json.ts'

/** One condition as it was evaluated: the "why" at its finest grain. */
export interface ConditionTrace {
  /** Where the condition sits in the rule, e.g. `all.0` or `any.1.all.0`. */
  path: string
  fact: string
  operator: string
  expected: JsonValue
  /**
   * Set when the condition compares two facts (`value: { fact: ... }`): the dotted path of the
   * right-hand fact. `expected` then holds that fact's value, which is redacted by its PHI class.
   */
  expectedFact?: string | undefined
  /** The value the condition saw; absent facts are reported as null with `missing: true`. */
  seen: JsonValue
  missing?: boolean
  result: boolean
}

/** One rule (or decision-table row) and whether it fired. */
export interface RuleTrace {
  id: string
  name?: string | undefined
  fired: boolean
  conditions: ConditionTrace[]
}

/**
 * What a decision node returns beside its port: the outcome, which rules fired, and every
 * condition with the value it saw. The audit trail, the run viewer and the simulator diff show it.
 */
export interface DecisionExplanation {
  outcome: string
  /** Ids of the rules that fired, in the documented tie-break order. */
  fired: string[]
  rules: RuleTrace[]
  /** Values the decision produced (decision-table outputs, collect aggregations). */
  outputs?: Record<string, JsonValue> | undefined
}
