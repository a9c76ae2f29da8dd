import type { DecisionExplanation, JsonValue, RuleTrace } from '@carepath/dsl'
import type { DecisionResult, FiredEvent } from './evaluate.ts'

/**
 * Results whose rule traces are built on their first read and kept: what `evaluateLazily` and
 * `decideLazily` return, for a caller that may never read the why (a bench loop, a check that
 * wants the outcome). A run records every explanation and uses the eager `evaluate` instead.
 *
 * `rules` is a getter of the class, and `toJSON` gives the plain object, so `JSON.stringify` writes
 * the same bytes as the eager result. An own accessor per object would also show in spreads and
 * `structuredClone`, but defining it cost more than the rest of a 10-rule evaluation (≈ 0.7 of
 * 1.25 µs). So a lazy result is read by member or serialised; to copy it, take `plainResult` /
 * `plainExplanation` first (a spread or `structuredClone` would leave the traces out).
 */

/** Builds the rule traces of one evaluation from what it recorded (compiled-rules.ts). */
export interface TraceBuilder {
  traces(firedAt: readonly number[], values: readonly unknown[], now: string): RuleTrace[]
}

export class LazyRulesResult implements DecisionResult {
  #traces: RuleTrace[] | undefined
  readonly #builder: TraceBuilder
  readonly #firedAt: readonly number[]
  readonly #values: readonly unknown[]
  readonly #now: string

  constructor(
    readonly fired: string[],
    readonly events: FiredEvent[],
    builder: TraceBuilder,
    firedAt: readonly number[],
    values: readonly unknown[],
    now: string,
  ) {
    this.#builder = builder
    this.#firedAt = firedAt
    this.#values = values
    this.#now = now
  }

  get rules(): RuleTrace[] {
    this.#traces ??= this.#builder.traces(this.#firedAt, this.#values, this.#now)
    return this.#traces
  }

  set rules(traces: RuleTrace[]) {
    this.#traces = traces
  }

  toJSON(): DecisionResult {
    return plainResult(this)
  }
}

/** A decision's explanation over a lazy result: its traces are the result's, built when first read. */
export class LazyExplanation implements DecisionExplanation {
  readonly #result: LazyRulesResult
  outputs?: Record<string, JsonValue> | undefined

  constructor(
    readonly outcome: string,
    readonly fired: string[],
    result: LazyRulesResult,
  ) {
    this.#result = result
  }

  get rules(): RuleTrace[] {
    return this.#result.rules
  }

  toJSON(): DecisionExplanation {
    return plainExplanation(this)
  }
}

/** The plain object of a result (members in the order of the eager one), traces built if pending. */
export function plainResult(result: DecisionResult): DecisionResult {
  return { fired: result.fired, events: result.events, rules: result.rules }
}

/** The plain object of an explanation (members in the order of the eager one), traces built if pending. */
export function plainExplanation(explanation: DecisionExplanation): DecisionExplanation {
  const { outcome, fired, rules, outputs } = explanation
  return outputs === undefined ? { outcome, fired, rules } : { outcome, fired, rules, outputs }
}
