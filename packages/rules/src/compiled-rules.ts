import { handOverJson, type ConditionTrace, type JsonValue, type RuleTrace } from '@carepath/dsl'
import type { DecisionEvaluator, DecisionInput, DecisionResult, FiredEvent } from './evaluate.ts'
import { compilePath } from './fact-path.ts'
import { applyOperator, isMissing, operatorSpec, type ClockSlot, type OperatorSpec } from './operators.ts'
import { factPathsOf, leavesOf, tieBreak } from './rule-walk.ts'
import type { Condition, Rule } from './rule.schema.ts'
import { LazyRulesResult, type TraceBuilder } from './lazy-traces.ts'
import { ruleSelection, type RuleTest as Test, type SelectionOptions, type Values } from './rule-selection.ts'

/**
 * The compiled evaluator: a rule set turned once (per flow hash and node) into plain closures,
 * with json-rules-engine's semantics and the same `DecisionResult` down to the byte.
 *
 * - Safe by construction: nothing is generated as source text; literals and fact paths stay
 *   data captured by closures, so no rule content can become code.
 * - Which rules fired is decided with short-circuit `&&` / `||` (operators are pure functions
 *   of the value seen, the value expected and the injected clock, so skipping a condition
 *   cannot change a result). json-rules-engine evaluates every condition; the explanation needs
 *   every condition's result, so it is built from the resolved values only when it is read
 *   (`evaluateLazily`, lazy-traces.ts), giving the same traces json-rules-engine reports.
 * - A rule is tested only when the values seen pass its necessary literal conditions (`equal`,
 *   `in`, numeric comparisons under `all`s), looked up in bit sets or buckets built once
 *   (rule-selection.ts).
 * json-rules-engine stays the reference: `compareEvaluators` and the parity suite check this
 * evaluator against it case by case (see decision-evaluator.ts for how the choice is gated).
 */
export interface CompiledDecisionEvaluator extends DecisionEvaluator {
  /**
   * The same result as `evaluate`, its `rules` traces built only when read (a `LazyRulesResult`:
   * read it by member or serialise it; `plainResult` before copying it).
   */
  evaluateLazily(input: DecisionInput): DecisionResult
}

/** An operator applied to a value seen and a value expected; equals `applyOperator(spec, ...)`. */
type Apply = (seen: unknown, expected: unknown, clock: ClockSlot) => boolean

interface LeafPlan {
  at: string
  fact: string
  operator: string
  slot: number
  /** The slot of a compared fact, or -1 for a literal. */
  valueSlot: number
  literal: JsonValue
  apply: Apply
}

interface CompiledRule {
  rule: Rule
  test: Test
  leaves: LeafPlan[]
  event: FiredEvent
}

/**
 * Compile validated rules into the compiled evaluator (see CompiledDecisionEvaluator); `options`
 * tune how the rules to test are selected (rule-selection.ts).
 */
export function compileClosureRules(rules: readonly Rule[], options: SelectionOptions = {}): CompiledDecisionEvaluator {
  const order = [...rules].sort(tieBreak)
  const reads = factPathsOf(rules)
  const slots = new Map(reads.map((path, i) => [path, i]))
  const resolvers = reads.map(compilePath)
  const compiled = order.map((rule): CompiledRule => {
    const leaves = leavesOf(rule.conditions).map((leaf): LeafPlan => {
      const spec = operatorSpec(leaf.condition.operator)
      if (!spec) throw new Error(`Unknown operator ${leaf.condition.operator}`)
      const valueSlot = leaf.valueFactPath === undefined ? -1 : (slots.get(leaf.valueFactPath) as number)
      const literal = leaf.condition.value
      return {
        at: leaf.at,
        fact: leaf.factPath,
        operator: leaf.condition.operator,
        slot: slots.get(leaf.factPath) as number,
        valueSlot,
        literal,
        apply: valueSlot < 0 ? literalApply(spec, literal) : (a, b, clock) => applyOperator(spec, a, b, clock),
      }
    })
    let next = 0
    const test = compileCondition(rule.conditions, () => leaves[next++] as LeafPlan)
    // One event per rule, frozen and shared by every result it fires in (as its params always were).
    const event: FiredEvent = Object.freeze(
      rule.event.params
        ? { ruleId: rule.id, type: rule.event.type, params: rule.event.params }
        : { ruleId: rule.id, type: rule.event.type },
    )
    return { rule, test, leaves, event }
  })
  const tests = compiled.map((c) => c.test)
  const selection = ruleSelection(
    compiled.map((c) => c.leaves),
    options,
  )
  const clock: ClockSlot = { now: '' }
  const builder: TraceBuilder = { traces: (firedAt, values, now) => ruleTraces(compiled, firedAt, values, { now }) }

  const decide = (input: DecisionInput, eager: boolean): DecisionResult => {
    const values: unknown[] = new Array(resolvers.length)
    for (let i = 0; i < resolvers.length; i++) values[i] = (resolvers[i] as (v: unknown) => unknown)(input.facts)
    clock.now = input.now
    const firedAt: number[] = []
    selection.fire(tests, values, clock, firedAt)
    const fired: string[] = new Array(firedAt.length)
    const events: FiredEvent[] = new Array(firedAt.length)
    for (let k = 0; k < firedAt.length; k++) {
      const { rule, event } = compiled[firedAt[k] as number] as CompiledRule
      fired[k] = rule.id
      events[k] = event
    }
    const now = input.now
    // Fresh arrays and traces over the frozen facts and the rules' own values: the explanation
    // built from it needs no defensive copy in the run's log.
    if (eager) return handOverJson({ fired, events, rules: ruleTraces(compiled, firedAt, values, { now }) })
    return new LazyRulesResult(fired, events, builder, firedAt, values, now)
  }

  return {
    name: 'compiled',
    reads,
    evaluateLazily: (input) => decide(input, false),
    // A run records every explanation, so the form nodes call builds it at once, as plain JSON.
    evaluate: (input) => decide(input, true),
  }
}

function compileCondition(c: Condition, nextLeaf: () => LeafPlan): Test {
  if ('all' in c || 'any' in c) {
    const isAll = 'all' in c
    const children = (isAll ? c.all : c.any).map((child) => compileCondition(child, nextLeaf))
    // json-rules-engine: an empty group is true, `all` and `any` alike.
    if (children.length === 0) return () => true
    if (children.length === 1) return children[0] as Test
    if (children.length === 2) {
      const [a, b] = children as [Test, Test]
      return isAll ? (v, k) => a(v, k) && b(v, k) : (v, k) => a(v, k) || b(v, k)
    }
    if (children.length === 3) {
      const [a, b, c3] = children as [Test, Test, Test]
      return isAll ? (v, k) => a(v, k) && b(v, k) && c3(v, k) : (v, k) => a(v, k) || b(v, k) || c3(v, k)
    }
    const n = children.length
    return isAll
      ? (v, k) => {
          for (let i = 0; i < n; i++) if (!(children[i] as Test)(v, k)) return false
          return true
        }
      : (v, k) => {
          for (let i = 0; i < n; i++) if ((children[i] as Test)(v, k)) return true
          return false
        }
  }
  if ('not' in c) {
    const child = compileCondition(c.not, nextLeaf)
    return (v, k) => !child(v, k)
  }
  const leaf = nextLeaf()
  const { slot, valueSlot, apply } = leaf
  return valueSlot < 0 ? (v, k) => apply(v[slot], undefined, k) : (v, k) => apply(v[slot], v[valueSlot], k)
}

const isNumberLike = (v: unknown): boolean => Number.parseFloat(v as string).toString() !== 'NaN'

/**
 * The operator with its literal bound in (`expected` is ignored). The common json-rules-engine
 * operators on the literal types they are written with get a direct test; each is the operator's
 * own test (operators.ts) with the missing-value rule applied, written out. Anything else calls
 * the operator itself.
 */
function literalApply(spec: OperatorSpec, literal: JsonValue): Apply {
  const generic: Apply = (a, _b, clock) => applyOperator(spec, a, literal, clock)
  if (literal === null) return generic
  switch (spec.name) {
    case 'equal':
      return (a) => a === literal
    case 'notEqual':
      return (a) => !isMissing(a) && a !== literal
    case 'exists':
      return (a) => !isMissing(a) === literal
    case 'in':
    case 'notIn': {
      if (!Array.isArray(literal)) return generic
      const list = literal
      return spec.name === 'in'
        ? (a) => !isMissing(a) && list.indexOf(a as JsonValue) > -1
        : (a) => !isMissing(a) && list.indexOf(a as JsonValue) === -1
    }
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive': {
      if (typeof literal !== 'number') return generic
      const n = literal
      const fallback = (a: unknown): boolean => !isMissing(a) && isNumberLike(a)
      if (spec.name === 'lessThan') return (a) => (typeof a === 'number' ? a < n : fallback(a) && (a as number) < n)
      if (spec.name === 'lessThanInclusive')
        return (a) => (typeof a === 'number' ? a <= n : fallback(a) && (a as number) <= n)
      if (spec.name === 'greaterThan') return (a) => (typeof a === 'number' ? a > n : fallback(a) && (a as number) > n)
      return (a) => (typeof a === 'number' ? a >= n : fallback(a) && (a as number) >= n)
    }
    case 'between': {
      const [lo, hi] = Array.isArray(literal) ? literal : []
      if (typeof lo !== 'number' || typeof hi !== 'number') return generic
      return (a) => typeof a === 'number' && a >= lo && a <= hi
    }
    case 'startsWith':
      return typeof literal === 'string' ? (a) => typeof a === 'string' && a.startsWith(literal) : generic
    default:
      return generic
  }
}

/** Every rule's trace, every condition evaluated, as json-rules-engine reports them. */
function ruleTraces(
  compiled: readonly CompiledRule[],
  firedAt: readonly number[],
  values: Values,
  clock: ClockSlot,
): RuleTrace[] {
  const fired = new Uint8Array(compiled.length)
  for (const i of firedAt) fired[i] = 1
  const traces: RuleTrace[] = new Array(compiled.length)
  for (let i = 0; i < compiled.length; i++) {
    const { rule, leaves } = compiled[i] as CompiledRule
    const conditions: ConditionTrace[] = new Array(leaves.length)
    for (let k = 0; k < leaves.length; k++) {
      const leaf = leaves[k] as LeafPlan
      const seen = values[leaf.slot]
      const expected = leaf.valueSlot < 0 ? leaf.literal : values[leaf.valueSlot]
      const trace: ConditionTrace = {
        path: leaf.at,
        fact: leaf.fact,
        operator: leaf.operator,
        expected: json(expected),
        seen: json(seen),
        result: leaf.apply(seen, expected, clock),
      }
      if (isMissing(seen)) trace.missing = true
      conditions[k] = trace
    }
    const isFired = fired[i] === 1
    traces[i] =
      rule.name !== undefined
        ? { id: rule.id, name: rule.name, fired: isFired, conditions }
        : { id: rule.id, fired: isFired, conditions }
  }
  return traces
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
