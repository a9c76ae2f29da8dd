import { Engine, Fact, type EngineResult, type RuleProperties, type RuleResult } from 'json-rules-engine'
import type { ConditionTrace, JsonValue, RuleTrace } from '@carepath/dsl'
import { resolvePath, splitFactPath } from './fact-path.ts'
import { applyOperator, OPERATORS, type ClockSlot } from './operators.ts'
import { parseRules } from './check-rules.ts'
import { factPathsOf, leavesOf, tieBreak, type LeafInfo } from './rule-walk.ts'
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

/**
 * Build a json-rules-engine Engine for Carepath's evaluation: Carepath's operators bound to a
 * clock slot, and the rules in snapshot form (see toSnapshotRule).
 */
export function buildEngine(rules: readonly Rule[]): PooledEngine {
  const clock: ClockSlot = { now: '' }
  // pathResolver is set for safety only: snapshot-form conditions carry no path.
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath })
  for (const spec of OPERATORS) engine.addOperator(spec.name, (a: unknown, b: unknown) => applyOperator(spec, a, b, clock))
  for (const rule of rules) engine.addRule(toSnapshotRule(rule))
  return { engine, clock }
}

/**
 * A rule in json-rules-engine's usual form: the top-level fact plus a `$.path` (what a
 * json-rules-engine user would write; the benchmark's baselines run this form).
 */
export function toEngineRule(rule: Rule): RuleProperties {
  return engineRule(rule, (dotted) => splitFactPath(dotted))
}

/**
 * A rule in snapshot form: every fact path is its own fact (`{ fact: 'patient.birthDate' }`),
 * filled from the frozen snapshot before the run. json-rules-engine then resolves no paths at
 * all (no JSONPath, one promise hop less per condition) and explanations name the full path.
 *
 * Every rule gets priority 1: all rules are always evaluated (nothing calls stop()), so
 * priorities only order the results, which Carepath does itself (tie-break order). One
 * priority level means one parallel batch and no reliance on json-rules-engine's ordering.
 */
export function toSnapshotRule(rule: Rule): RuleProperties {
  return { ...engineRule(rule, (dotted) => ({ fact: dotted })), priority: 1 }
}

function engineRule(rule: Rule, place: (dotted: string) => { fact: string; path?: string }): RuleProperties {
  return {
    name: rule.id,
    priority: rule.priority ?? 1,
    conditions: engineCondition(rule.conditions, place) as RuleProperties['conditions'],
    event: rule.event.params ? { type: rule.event.type, params: rule.event.params } : { type: rule.event.type },
  }
}

function engineCondition(c: Condition, place: (dotted: string) => { fact: string; path?: string }): unknown {
  if ('all' in c) return { all: c.all.map((x) => engineCondition(x, place)) }
  if ('any' in c) return { any: c.any.map((x) => engineCondition(x, place)) }
  if ('not' in c) return { not: engineCondition(c.not, place) }
  const leaf = leavesOf(c)[0] as LeafInfo
  const value = leaf.valueFactPath ? place(leaf.valueFactPath) : c.value
  return { ...place(leaf.factPath), operator: c.operator, value }
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
  /** How many idle Engines to keep for reuse (default 64). */
  maxIdle?: number
}

/** compileRules for rules that are already parsed (decision tables compile to these). */
export function compileParsedRules(rules: readonly Rule[], options: CompileOptions = {}): DecisionEvaluator {
  const maxIdle = options.maxIdle ?? 64
  const order = [...rules].sort(tieBreak)
  const rank = new Map(order.map((r, i) => [r.id, i]))
  const reads = factPathsOf(rules)
  const idle: PooledEngine[] = []

  return {
    name: 'json-rules-engine (pooled, snapshot facts)',
    reads,
    async evaluate(input: DecisionInput): Promise<DecisionResult> {
      const pooled = idle.pop() ?? buildEngine(rules)
      pooled.clock.now = input.now
      // Each path the rules read becomes one constant fact, resolved from the snapshot up front.
      // cache: false skips json-rules-engine's per-fact cache-key hashing (values are constants).
      const facts: Record<string, Fact> = {}
      for (const path of reads) facts[path] = new Fact(path, resolvePath(input.facts, path), { cache: false })
      let result: EngineResult
      try {
        result = await pooled.engine.run(facts)
      } finally {
        if (idle.length < maxIdle) idle.push(pooled)
      }
      const sorted: RuleResult[] = new Array(order.length)
      for (const r of result.results) sorted[rank.get(r.name) as number] = r
      for (const r of result.failureResults) sorted[rank.get(r.name) as number] = r
      const traces: RuleTrace[] = []
      const fired: string[] = []
      const events: FiredEvent[] = []
      for (let i = 0; i < order.length; i++) {
        const rule = order[i] as Rule
        const r = sorted[i] as RuleResult
        traces.push(toRuleTrace(r, rule))
        if (r.result !== true) continue
        fired.push(rule.id)
        events.push(rule.event.params ? { ruleId: rule.id, type: rule.event.type, params: rule.event.params } : { ruleId: rule.id, type: rule.event.type })
      }
      return { fired, events, rules: traces }
    },
  }
}

function toRuleTrace(result: RuleResult, rule: Rule): RuleTrace {
  const conditions: ConditionTrace[] = []
  collect(result.conditions as unknown as EngineConditionResult, '', conditions)
  const fired = result.result === true
  return rule.name !== undefined ? { id: rule.id, name: rule.name, fired, conditions } : { id: rule.id, fired, conditions }
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
  // Plain loops, no per-node closures: this runs for every condition of every evaluation.
  const prefix = at ? `${at}.` : ''
  if (c.all) {
    for (let i = 0; i < c.all.length; i++) collect(c.all[i] as EngineConditionResult, `${prefix}all.${i}`, out)
    return
  }
  if (c.any) {
    for (let i = 0; i < c.any.length; i++) collect(c.any[i] as EngineConditionResult, `${prefix}any.${i}`, out)
    return
  }
  if (c.not) return collect(c.not, `${prefix}not`, out)
  const value = c.value
  const isRef = value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value
  const seen = c.factResult
  const trace: ConditionTrace = {
    path: at,
    fact: c.path ? `${c.fact}.${c.path.slice(2)}` : (c.fact ?? ''),
    operator: c.operator ?? '',
    expected: toJson(isRef ? c.valueResult : value),
    seen: toJson(seen),
    result: c.result === true,
  }
  if (seen === undefined || seen === null) trace.missing = true
  out.push(trace)
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue)
}
