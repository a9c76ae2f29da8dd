import type { ConditionTrace, JsonValue, RuleTrace } from '@carepath/dsl'
import type { DecisionEvaluator, DecisionInput, DecisionResult, FiredEvent } from './evaluate.ts'
import { resolvePath } from './fact-path.ts'
import { applyOperator, operatorSpec, type ClockSlot } from './operators.ts'
import { factPathsOf, leavesOf, tieBreak, type LeafInfo } from './rule-walk.ts'
import type { Condition, Rule } from './rule.schema.ts'

type Values = Map<string, unknown>
type Node = (values: Values, clock: ClockSlot, out: ConditionTrace[]) => boolean

/**
 * A candidate faster evaluator: the rules compiled to plain closures, same operators, same
 * missing-value semantics, and the same DecisionResult down to the byte (every condition is
 * evaluated, as json-rules-engine does within one priority level, so traces match).
 * It is NOT what decisions run on: json-rules-engine is. It exists so a faster path can be
 * proven equal case by case first (compareEvaluators, the tests, the benchmark).
 */
export function compileClosureRules(rules: readonly Rule[]): DecisionEvaluator {
  const order = [...rules].sort(tieBreak)
  const compiled = order.map((rule) => ({ rule, test: compileNode(rule.conditions, '') }))
  const reads = factPathsOf(rules)
  return {
    name: 'compiled closures (candidate)',
    reads,
    async evaluate(input: DecisionInput): Promise<DecisionResult> {
      const values: Values = new Map()
      for (const path of reads) values.set(path, resolvePath(input.facts, path))
      const clock: ClockSlot = { now: input.now }
      const traces: RuleTrace[] = []
      const fired: string[] = []
      const events: FiredEvent[] = []
      for (const { rule, test } of compiled) {
        const conditions: ConditionTrace[] = []
        const ok = test(values, clock, conditions)
        traces.push(
          rule.name !== undefined
            ? { id: rule.id, name: rule.name, fired: ok, conditions }
            : { id: rule.id, fired: ok, conditions },
        )
        if (!ok) continue
        fired.push(rule.id)
        events.push(
          rule.event.params
            ? { ruleId: rule.id, type: rule.event.type, params: rule.event.params }
            : { ruleId: rule.id, type: rule.event.type },
        )
      }
      return { fired, events, rules: traces }
    },
  }
}

function compileNode(c: Condition, at: string): Node {
  const prefix = at ? `${at}.` : ''
  if ('all' in c || 'any' in c) {
    const isAll = 'all' in c
    const children = (isAll ? c.all : c.any).map((child, i) =>
      compileNode(child, `${prefix}${isAll ? 'all' : 'any'}.${i}`),
    )
    // json-rules-engine: an empty group is true; every child is evaluated (no short cut).
    return (values, clock, out) => {
      if (children.length === 0) return true
      let result = isAll
      for (const child of children) {
        const r = child(values, clock, out)
        result = isAll ? result && r : result || r
      }
      return result
    }
  }
  if ('not' in c) {
    const child = compileNode(c.not, `${prefix}not`)
    return (values, clock, out) => !child(values, clock, out)
  }
  const leaf = leavesOf(c)[0] as LeafInfo
  const spec = operatorSpec(c.operator)
  if (!spec) throw new Error(`Unknown operator ${c.operator}`)
  const { factPath, valueFactPath } = leaf
  const literal = c.value
  return (values, clock, out) => {
    const seen = values.get(factPath)
    const expected = valueFactPath ? values.get(valueFactPath) : literal
    const result = applyOperator(spec, seen, expected, clock)
    const trace: ConditionTrace = {
      path: at,
      fact: factPath,
      operator: c.operator,
      expected: json(expected),
      seen: json(seen),
      result,
    }
    if (seen === undefined || seen === null) trace.missing = true
    out.push(trace)
    return result
  }
}

function json(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue)
}

/** Run two evaluators on the same inputs and list every input where their results differ. */
export async function compareEvaluators(
  reference: DecisionEvaluator,
  candidate: DecisionEvaluator,
  inputs: readonly DecisionInput[],
): Promise<{ checked: number; mismatches: { index: number; reference: string; candidate: string }[] }> {
  const mismatches: { index: number; reference: string; candidate: string }[] = []
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index] as DecisionInput
    const a = JSON.stringify(await reference.evaluate(input))
    const b = JSON.stringify(await candidate.evaluate(input))
    if (a !== b) mismatches.push({ index, reference: a, candidate: b })
  }
  return { checked: inputs.length, mismatches }
}
