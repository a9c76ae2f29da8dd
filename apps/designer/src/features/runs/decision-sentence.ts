// A decision's "why" as sentences a person reads: "Copay above $50 matched: copay 75 > 50".
// Values the viewer may not see arrive redacted; they read "hidden (PHI class: coverage)".
import {
  phiClassAt,
  REDACTED,
  ruleLabel,
  type ConditionTrace,
  type DecisionExplanation,
  type FactSchema,
} from '@carepath/dsl'

const OPERATORS: Record<string, string> = {
  equal: '=',
  notEqual: '≠',
  greaterThan: '>',
  greaterThanInclusive: '≥',
  lessThan: '<',
  lessThanInclusive: '≤',
  in: 'is one of',
  notIn: 'is not one of',
  contains: 'contains',
  doesNotContain: 'does not contain',
  exists: 'exists:',
}

/** Redacted as the runtime sends it: the marker, or a keyed reference standing in for the value. */
function isHidden(value: unknown): boolean {
  return value === REDACTED || (typeof value === 'string' && value.startsWith('hmac:'))
}

/** A fact by the last part of its path, in words ("coverage.copayAmount" → "copay amount"). */
function factWords(path: string): string {
  const last = path.split('.').pop() ?? path
  return last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

function shown(value: unknown, fact: string, facts: FactSchema): string {
  if (isHidden(value)) return `hidden (PHI class: ${phiClassAt(facts, fact) ?? 'unclassified'})`
  if (typeof value === 'string') return `“${value}”`
  return JSON.stringify(value) ?? 'nothing'
}

/** One condition: "copay 75 > 50". */
export function conditionSentence(condition: ConditionTrace, facts: FactSchema): string {
  const seen = condition.missing ? 'missing' : shown(condition.seen, condition.fact, facts)
  const operator = OPERATORS[condition.operator] ?? condition.operator
  const expected = shown(condition.expected, condition.expectedFact ?? condition.fact, facts)
  return `${factWords(condition.fact)} ${seen} ${operator} ${expected}`
}

/** One sentence per rule (or table row): its name, whether it matched, and the conditions it saw. */
export function decisionSentences(explanation: DecisionExplanation, facts: FactSchema): string[] {
  return explanation.rules.map((rule) => {
    const name = ruleLabel(rule)
    const conditions = rule.conditions.map((c) => conditionSentence(c, facts))
    const said = conditions.length > 0 ? `: ${conditions.join(', ')}` : ''
    return `${name} ${rule.fired ? 'matched' : 'did not match'}${said}`
  })
}
