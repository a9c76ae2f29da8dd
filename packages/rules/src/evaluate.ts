import { Engine, type EngineResult, type RuleProperties, type RuleResult } from 'json-rules-engine'
import type { ConditionTrace, JsonValue, RuleTrace } from '@carepath/dsl'
import { resolvePath, splitFactPath } from './fact-path.ts'
import { applyOperator, OPERATORS, type ClockSlot } from './operators.ts'
import { parseRules } from './check-rules.ts'
import { factPathsOf, tieBreak } from './rule-walk.ts'
import type { Condition, Rule } from './rule.schema.ts'

/** What one evaluation needs: one frozen snapshot of the facts and the injected clock. */
export interface DecisionInput {
  facts: Readonly<Record<string, JsonValue>>
  /** ISO-8601; the only clock operators see. */
  now: string
}

/** A rule that fired, with its event. */
export interface FiredEvent {
  ruleId: string
  type: string
  params?: Record<string, JsonValue> | undefined
}

/** The result of evaluating a rule set: every rule, in tie-break order. */
export interface DecisionResult {
  /** Ids of the rules that fired, in tie-break order. */
  fired: string[]
  /** Events of the fired rules, in tie-break order. */
  events: FiredEvent[]
  /** Every rule (fired or not) with its condition traces, in tie-break order. */
  rules: RuleTrace[]
}

/**
 * An evaluator of a compiled rule set. json-rules-engine is the reference implementation; a
 * faster evaluator can be added behind this interface and checked against it case by case
 * (see `compareEvaluators`).
 */
export interface DecisionEvaluator {
  readonly name: string
  /** Fact paths the rules read. */
  readonly reads: readonly string[]
  evaluate(input: DecisionInput): Promise<DecisionResult>
}

interface PooledEngine {
  engine: Engine
  clock: ClockSlot
}

/** Build a json-rules-engine Engine with Carepath's operators bound to a clock slot. */
export function buildEngine(rules: readonly Rule[], options: { plainPaths: boolean } = { plainPaths: true }): PooledEngine {
  const clock: ClockSlot = { now: '' }
  const engine = new Engine([], {
    allowUndefinedFacts: true,
    ...(options.plainPaths ? { pathResolver: resolvePath } : {}),
  })
  for (const spec of OPERATORS) engine.addOperator(spec.name, (a: unknown, b: unknown) => applyOperator(spec, a, b, clock))
  for (const rule of rules) engine.addRule(toEngineRule(rule))
  return { engine, clock }
}

/**
 * Compile rules for json-rules-engine. Every rule is given priority 1: all rules are always
 * evaluated (nothing calls stop()), so priorities only matter for ordering the results, which
 * Carepath does itself (tie-break order); one priority level means one parallel batch, fewer
 * promise hops, and no dependence on json-rules-engine's ordering of same-priority results.
 */
export function toEngineRule(rule: Rule): RuleProperties {
  return {
    name: rule.id,
    priority: 1,
    conditions: toEngineCondition(rule.conditions) as RuleProperties['conditions'],
    event: rule.event.params ? { type: rule.event.type, params: rule.event.params } : { type: rule.event.type },
  }
}

function toEngineCondition(c: Condition): unknown {
  if ('all' in c) return { all: c.all.map(toEngineCondition) }
  if ('any' in c) return { any: c.any.map(toEngineCondition) }
  if ('not' in c) return { not: toEngineCondition(c.not) }
  const { fact, path } = splitFactPath(c.path ? `${c.fact}.${c.path.replace(/^\$\./, '')}` : c.fact)
  const value = c.value
  const engineValue =
    value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.fact === 'string'
      ? splitFactPath(typeof value.path === 'string' ? `${value.fact}.${value.path.replace(/^\$\./, '')}` : value.fact)
      : value
  return path ? { fact, path, operator: c.operator, value: engineValue } : { fact, operator: c.operator, value: engineValue }
}

/**
 * Compile a rule set once (per flow hash and node, via `ctx.memo`) into an evaluator backed by
 * a pool of json-rules-engine Engines.
 *
 * Why a pool: an Engine keeps its run status on itself, so when one of two overlapping run()
 * calls finishes, the other skips its remaining rules; a shared Engine lost events under load.
 * Here an Engine serves one run at a time: a run takes an idle Engine (or builds one from the
 * already-validated rules) and returns it afterwards. Results are read from run()'s own return
 * value (its per-run Almanac), never from engine event listeners.
 */
export function compileRules(rawRules: unknown, options: CompileOptions = {}): DecisionEvaluator {
  return compileParsedRules(parseRules(rawRules), options)
}

export interface CompileOptions {
  /** Use the plain path resolver (default true); false keeps json-rules-engine's jsonpath-plus. */
  plainPaths?: boolean
  /** How many idle Engines to keep for reuse (default 64). */
  maxIdle?: number
}

/** compileRules for rules that are already parsed (decision tables compile to these). */
export function compileParsedRules(rules: readonly Rule[], options: CompileOptions = {}): DecisionEvaluator {
  const plainPaths = options.plainPaths ?? true
  const maxIdle = options.maxIdle ?? 64
  const meta = new Map(rules.map((r) => [r.id, r]))
  const order = [...rules].sort(tieBreak)
  const rank = new Map(order.map((r, i) => [r.id, i]))
  const roots = [...new Set(factPathsOf(rules).map((p) => splitFactPath(p).fact))]
  const idle: PooledEngine[] = []

  return {
    name: plainPaths ? 'json-rules-engine (pooled, plain paths)' : 'json-rules-engine (pooled)',
    reads: factPathsOf(rules),
    async evaluate(input: DecisionInput): Promise<DecisionResult> {
      const pooled = idle.pop() ?? buildEngine(rules, { plainPaths })
      pooled.clock.now = input.now
      // Only the fact roots the rules read go in; the snapshot itself is never mutated.
      const facts: Record<string, unknown> = {}
      for (const root of roots) facts[root] = input.facts[root]
      let result: EngineResult
      try {
        result = await pooled.engine.run(facts)
      } finally {
        if (idle.length < maxIdle) idle.push(pooled)
      }
      const all = [...result.results, ...result.failureResults]
      all.sort((a, b) => (rank.get(a.name) ?? 0) - (rank.get(b.name) ?? 0))
      const traces = all.map((r) => toRuleTrace(r, meta.get(r.name)))
      const firedRules = all.filter((r) => r.result === true)
      return {
        fired: firedRules.map((r) => r.name),
        events: firedRules.map((r) => {
          const params = meta.get(r.name)?.event.params
          return params ? { ruleId: r.name, type: r.event?.type ?? '', params } : { ruleId: r.name, type: r.event?.type ?? '' }
        }),
        rules: traces,
      }
    },
  }
}

function toRuleTrace(result: RuleResult, rule: Rule | undefined): RuleTrace {
  const conditions: ConditionTrace[] = []
  collect(result.conditions as unknown as EngineConditionResult, '', conditions)
  const trace: RuleTrace = { id: result.name, fired: result.result === true, conditions }
  if (rule?.name !== undefined) return { id: result.name, name: rule.name, fired: trace.fired, conditions }
  return trace
}

interface EngineConditionResult {
  all?: EngineConditionResult[]
  any?: EngineConditionResult[]
  not?: EngineConditionResult
  fact?: string
  path?: string
  operator?: string
  value?: unknown
  factResult?: unknown
  valueResult?: unknown
  result?: boolean
}

function collect(c: EngineConditionResult, at: string, out: ConditionTrace[]): void {
  const join = (s: string): string => (at ? `${at}.${s}` : s)
  if (c.all) return c.all.forEach((child, i) => collect(child, join(`all.${i}`), out))
  if (c.any) return c.any.forEach((child, i) => collect(child, join(`any.${i}`), out))
  if (c.not) return collect(c.not, join('not'), out)
  const fact = c.path ? `${c.fact}.${c.path.slice(2)}` : (c.fact ?? '')
  const isRef = c.value !== null && typeof c.value === 'object' && !Array.isArray(c.value) && 'fact' in (c.value as object)
  const seen = c.factResult
  const trace: ConditionTrace = {
    path: at,
    fact,
    operator: c.operator ?? '',
    expected: toJson(isRef ? c.valueResult : c.value),
    seen: toJson(seen),
    result: c.result === true,
  }
  if (seen === undefined || seen === null) trace.missing = true
  out.push(trace)
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue)
}
