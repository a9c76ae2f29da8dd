import { handOverJson, isHandedOverJson, type DecisionExplanation, type JsonValue } from '@carepath/dsl'
import { checkRules } from './check-rules.ts'
import { LazyExplanation, LazyRulesResult } from './lazy-traces.ts'
import type { DecisionResult } from './evaluate.ts'
import { factPathsOf } from './rule-walk.ts'
import { rulesSchema } from './rule.schema.ts'

/** The decision of a rule set: the outcome port, the params of the deciding rule, and the why. */
export interface RulesDecision {
  outcome: string
  /** Event params of the rule that decided, or undefined when the default outcome was taken. */
  params?: Record<string, JsonValue> | undefined
  explanation: DecisionExplanation
}

/**
 * Outcome = the event type of the first fired rule in tie-break order (higher priority first,
 * then rule id); when no rule fired, the default outcome.
 */
export function explainRules(result: DecisionResult, defaultOutcome: string): RulesDecision {
  const first = result.events[0]
  const outcome = first ? first.type : defaultOutcome
  // The rule traces stay lazy when the evaluator built them lazily (the compiled one).
  const explanation: DecisionExplanation =
    result instanceof LazyRulesResult
      ? new LazyExplanation(outcome, result.fired, result)
      : { outcome, fired: result.fired, rules: result.rules }
  if (isHandedOverJson(result)) handOverJson(explanation)
  return {
    outcome,
    // A copy: the node writes it into the facts, and the rule's own params must stay untouched.
    params: first?.params ? structuredClone(first.params) : undefined,
    explanation,
  }
}

/**
 * What the designer and validation need from rules that may still be malformed: the distinct
 * event types in document order and the fact paths read. Malformed rules yield what can be read.
 */
export function summarizeRules(raw: unknown): { eventTypes: string[]; reads: string[] } {
  if (checkRules(raw).length === 0) {
    const rules = rulesSchema.parse(raw)
    return { eventTypes: [...new Set(rules.map((r) => r.event.type))], reads: factPathsOf(rules) }
  }
  const eventTypes: string[] = []
  if (Array.isArray(raw)) {
    for (const rule of raw as unknown[]) {
      const type = (rule as { event?: { type?: unknown } } | null)?.event?.type
      if (typeof type === 'string' && !eventTypes.includes(type)) eventTypes.push(type)
    }
  }
  return { eventTypes, reads: [] }
}
