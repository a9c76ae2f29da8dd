import { Engine, Fact, type EngineResult, type RuleProperties, type TopLevelConditionResult } from 'json-rules-engine'
import type { ConditionTrace, JsonValue, MaybePromise, RuleTrace } from '@carepath/dsl'
import { resolvePath, splitFactPath } from './fact-path.ts'
import { applyOperator, isMissing, OPERATORS, type ClockSlot } from './operators.ts'
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
  /** A promise only from an evaluator that must wait (json-rules-engine); the compiled one answers at once. */
  evaluate(input: DecisionInput): MaybePromise<DecisionResult>
}

interface PooledEngine {
  engine: Engine
  clock: ClockSlot
  /** The values of this run's fact paths, in `reads` order; the engine's facts read them. */
  values: unknown[]
}

/**
 * Build a json-rules-engine Engine for Carepath's evaluation: Carepath's operators bound to a
 * clock slot, and the rules in snapshot form (see toSnapshotRule).
 *
 * Each fact path the rules read is registered once as a fact of this Engine that returns the
 * value the evaluator resolved for the current run (`values`); cache: false because the value
 * is a constant of the run (json-rules-engine would otherwise hash a cache key per lookup).
 * Registering them once, not per run, saves a Fact object and a settled promise per path per run.
 */
export function buildEngine(
  rules: readonly Rule[],
  reads: readonly string[] = factPathsOf(rules),
  groups?: readonly RuleGroup[],
): PooledEngine {
  const clock: ClockSlot = { now: '' }
  const values: unknown[] = new Array(reads.length)
  // pathResolver is set for safety only: snapshot-form conditions carry no path.
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath })
  for (const spec of OPERATORS)
    engine.addOperator(spec.name, (a: unknown, b: unknown) => applyOperator(spec, a, b, clock))
  reads.forEach((path, i) => engine.addFact(new Fact(path, () => values[i], { cache: false })))
  if (!groups) for (const rule of rules) engine.addRule(toSnapshotRule(rule))
  else groups.forEach((group, g) => engine.addRule(groupRule(rules.slice(group.start, group.end), g)))
  return { engine, clock, values }
}

/** Rules `start` (inclusive) to `end` (exclusive) of a rule list, evaluated as one engine rule. */
export interface RuleGroup {
  start: number
  end: number
}

/**
 * Consecutive rules in groups of about `leaves` leaf conditions (at least one rule each). The
 * size is a trade-off measured on the benchmark decisions: bigger groups save more per-rule
 * bookkeeping, but json-rules-engine's deep clone checks each object against every object
 * already copied, so its cost grows with the square of a group's size.
 */
export function groupRules(rules: readonly Rule[], leaves: number): RuleGroup[] {
  const groups: RuleGroup[] = []
  let start = 0
  let count = 0
  rules.forEach((rule, i) => {
    const n = leavesOf(rule.conditions).length
    if (i > start && count + n > leaves) {
      groups.push({ start, end: i })
      start = i
      count = 0
    }
    count += n
  })
  if (rules.length > start) groups.push({ start, end: rules.length })
  return groups
}

/**
 * Several rules as one json-rules-engine rule: `{ all: [conditions of rule 1, of rule 2, ...] }`,
 * named by its group index. json-rules-engine evaluates every condition of every rule exactly as
 * before (the members of an `all` with one priority level run together, none is skipped) and
 * records each member's own result on it; what is saved is its per-rule bookkeeping (a result
 * object, a deep clone, closures, event emission), which a run pays once per group instead.
 * Groups stay small because the deep clone's cycle check grows with the square of a tree's size.
 */
function groupRule(rules: readonly Rule[], index: number): RuleProperties {
  return {
    name: String(index),
    priority: 1,
    conditions: {
      all: rules.map((rule) => engineCondition(rule.conditions, (dotted) => ({ fact: dotted }))),
    } as RuleProperties['conditions'],
    event: { type: 'group' },
  }
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
  // The event carries only its type: json-rules-engine deep-clones a rule's event on every
  // evaluation, and Carepath takes a fired rule's params from the rule itself, not the result.
  return { ...engineRule(rule, (dotted) => ({ fact: dotted })), priority: 1, event: { type: rule.event.type } }
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
  /**
   * About how many leaf conditions one json-rules-engine rule holds (default 24; 0 = one engine
   * rule per rule). See groupRule and groupRules.
   */
  leavesPerGroup?: number
}

/** compileRules for rules that are already parsed (decision tables compile to these). */
export function compileParsedRules(rules: readonly Rule[], options: CompileOptions = {}): DecisionEvaluator {
  const maxIdle = options.maxIdle ?? 64
  const leavesPerGroup = options.leavesPerGroup ?? 24
  const order = [...rules].sort(tieBreak)
  const rank = new Map(order.map((r, i) => [r.id, i]))
  const reads = factPathsOf(rules)
  const idle: PooledEngine[] = []
  const groups = leavesPerGroup > 0 ? groupRules(order, leavesPerGroup) : undefined
  // What a trace says about each leaf that does not depend on the run (where it sits, the fact
  // path, the operator), worked out once; a run only reads the engine's per-leaf results.
  const shapes = order.map((rule) =>
    leavesOf(rule.conditions).map((leaf) => ({
      path: leaf.at,
      fact: leaf.factPath,
      operator: leaf.condition.operator,
      isRef: leaf.valueFactPath !== undefined,
    })),
  )
  const events = order.map((rule): FiredEvent =>
    rule.event.params
      ? { ruleId: rule.id, type: rule.event.type, params: rule.event.params }
      : { ruleId: rule.id, type: rule.event.type },
  )

  return {
    name: 'json-rules-engine (pooled, snapshot facts)',
    reads,
    async evaluate(input: DecisionInput): Promise<DecisionResult> {
      const pooled = idle.pop() ?? buildEngine(order, reads, groups)
      pooled.clock.now = input.now
      // Each path the rules read is resolved from the snapshot once, up front (see buildEngine).
      for (let i = 0; i < reads.length; i++) pooled.values[i] = resolvePath(input.facts, reads[i] as string)
      let result: EngineResult
      try {
        result = await pooled.engine.run()
      } finally {
        pooled.values.fill(undefined)
        if (idle.length < maxIdle) idle.push(pooled)
      }
      // Each rule's own result: its condition tree inside its group's result (order is tie-break order).
      const sorted: RuleOutcome[] = new Array(order.length)
      for (const list of [result.results, result.failureResults]) {
        for (const r of list) {
          const tree = r.conditions
          if (!groups) {
            sorted[rank.get(r.name) as number] = { conditions: tree, result: r.result }
            continue
          }
          // buildEngine wraps each group's rules in one `all`.
          if (!('all' in tree)) throw new Error(`Rule group ${r.name} reported no "all" results.`)
          const members = tree.all
          for (let j = 0; j < members.length; j++) {
            const member = members[j] as EngineConditionResult
            sorted[(groups[Number(r.name)] as RuleGroup).start + j] = { conditions: member, result: member.result }
          }
        }
      }
      const traces: RuleTrace[] = []
      const fired: string[] = []
      const firedEvents: FiredEvent[] = []
      for (let i = 0; i < order.length; i++) {
        const rule = order[i] as Rule
        const r = sorted[i] as RuleOutcome
        traces.push(toRuleTrace(r, rule, shapes[i] as LeafShape[]))
        if (r.result !== true) continue
        fired.push(rule.id)
        const event = events[i] as FiredEvent
        firedEvents.push(
          event.params
            ? { ruleId: event.ruleId, type: event.type, params: event.params }
            : { ruleId: event.ruleId, type: event.type },
        )
      }
      return { fired, events: firedEvents, rules: traces }
    },
  }
}

interface LeafShape {
  path: string
  fact: string
  operator: string
  isRef: boolean
}

interface RuleOutcome {
  conditions: EngineConditionResult
  result: boolean | null | undefined
}

function toRuleTrace(result: RuleOutcome, rule: Rule, shapes: readonly LeafShape[]): RuleTrace {
  const leaves: EngineLeafResult[] = []
  leafResults(result.conditions, leaves)
  const conditions: ConditionTrace[] = new Array(shapes.length)
  for (let i = 0; i < shapes.length; i++) {
    const shape = shapes[i] as LeafShape
    const c = leaves[i] as EngineLeafResult
    const seen = c.factResult
    const trace: ConditionTrace = {
      path: shape.path,
      fact: shape.fact,
      operator: shape.operator,
      // The engine's own copy of the literal (it clones a rule's conditions per evaluation).
      expected: toJson(shape.isRef ? c.valueResult : c.value),
      seen: toJson(seen),
      result: c.result === true,
    }
    if (isMissing(seen)) trace.missing = true
    conditions[i] = trace
  }
  const fired = result.result === true
  return rule.name !== undefined
    ? { id: rule.id, name: rule.name, fired, conditions }
    : { id: rule.id, fired, conditions }
}

/** A condition result as json-rules-engine reports it: a group (all / any / not) or a leaf. */
type EngineConditionResult = TopLevelConditionResult | Extract<TopLevelConditionResult, { all: unknown }>['all'][number]
/** A leaf result: the fact and value json-rules-engine compared (rules hold no condition references). */
type EngineLeafResult = Exclude<
  EngineConditionResult,
  { all: unknown } | { any: unknown } | { not: unknown } | { condition: string }
>

/** The leaf results of a rule, depth first in document order (the order of leavesOf). */
function leafResults(c: EngineConditionResult, out: EngineLeafResult[]): void {
  if ('all' in c) for (let i = 0; i < c.all.length; i++) leafResults(c.all[i] as EngineConditionResult, out)
  else if ('any' in c) for (let i = 0; i < c.any.length; i++) leafResults(c.any[i] as EngineConditionResult, out)
  else if ('not' in c) leafResults(c.not, out)
  else if (!('condition' in c)) out.push(c)
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue)
}
