// Rules benchmark: evaluations per second and p50/p99 latency of Carepath's compiled evaluator
// against Carepath on json-rules-engine (the reference), json-rules-engine as people use it,
// @gorules/zen-engine (the same decision as a JDM decision table) and a hand-written function,
// on 10-, 100- and 1,000-rule decisions, a 30-row and a 10,000-row decision table, all in one
// run. Every approach must give the same outcome on every case, and the compiled evaluator the
// same DecisionResult as json-rules-engine byte for byte. Each decision ends with the issue's
// goals as ratios (≥ 50× zen-engine, within 3× of hand-written, a 10,000-row table under 50 µs).
// Figures are printed, never asserted; run with `pnpm bench rules` (BENCH_MS: time per decision).
import { Engine } from 'json-rules-engine'
import { ZenEngine } from '@gorules/zen-engine'
import type { JsonValue } from '@carepath/dsl'
import {
  applyOperator,
  compileClosureRules,
  type DecisionInput,
  compileDecisionTable,
  compileParsedRules,
  compareEvaluators,
  compileTable,
  explainRules,
  generateCases,
  OPERATORS,
  resolvePath,
  tieBreak,
  toEngineRule,
  type Rule,
} from '@carepath/rules'
import { decisions, type BenchDecision } from './rules-bench/decisions.ts'
import { loadAverage } from './load.ts'

type Facts = Readonly<Record<string, JsonValue>>
type Evaluate = (facts: Facts) => Promise<string> | string
const NOW = '2026-11-22T11:00:00Z'
const RUN_MS = Number(process.env.BENCH_MS ?? 2000)

/** json-rules-engine as people use it: default options (jsonpath-plus), the rules' own priorities. */
function jsonRulesEngine(rules: Rule[], plainPaths = false): Engine {
  // Carepath's operators are registered because the rules use them; allowUndefinedFacts because
  // generated cases leave facts out on purpose (without it json-rules-engine throws).
  const engine = new Engine([], { allowUndefinedFacts: true, ...(plainPaths ? { pathResolver: resolvePath } : {}) })
  const clock = { now: NOW }
  for (const spec of OPERATORS)
    engine.addOperator(spec.name, (a: unknown, b: unknown) => applyOperator(spec, a, b, clock))
  for (const r of rules) engine.addRule({ ...toEngineRule(r), priority: r.priority ?? 1 })
  return engine
}

function firstOutcome(decision: BenchDecision, rules: Rule[], fired: { name: string }[]): string {
  const byId = new Map(rules.map((r) => [r.id, r]))
  const first = fired.map((f) => byId.get(f.name) as Rule).sort(tieBreak)[0]
  return first ? decision.outcomeOf(first.id) : decision.defaultOutcome
}

const BIG = 500
/** Names the summary reads its ratios from. */
const COMPILED = 'compiled, explanation available (built when read)'
const ZEN = '@gorules/zen-engine (JDM decision table)'
const HAND = 'hand-written JS function'

function approaches(decision: BenchDecision, rules: Rule[]): [string, Evaluate][] {
  const big = rules.length > BIG
  const zen = new ZenEngine().createDecision(decision.jdm)
  let compiled: Evaluate
  let compiledJson: Evaluate
  let reference: Evaluate
  if (decision.table) {
    const table = compileDecisionTable(decision.table, decision.schema)
    const closures = compileDecisionTable(decision.table, decision.schema, compileClosureRules)
    const lazily = closures.decideLazily as NonNullable<typeof closures.decideLazily>
    reference = async (facts) => (await table.decide({ facts, now: NOW })).outcome
    compiled = (facts) => lazily({ facts, now: NOW }).outcome
    compiledJson = (facts) => {
      const d = lazily({ facts, now: NOW })
      JSON.stringify(d.explanation)
      return d.outcome
    }
  } else {
    const evaluator = compileParsedRules(rules)
    const closures = compileClosureRules(rules)
    reference = async (facts) =>
      explainRules(await evaluator.evaluate({ facts, now: NOW }), decision.defaultOutcome).outcome
    compiled = (facts) => explainRules(closures.evaluateLazily({ facts, now: NOW }), decision.defaultOutcome).outcome
    compiledJson = (facts) => {
      const d = explainRules(closures.evaluateLazily({ facts, now: NOW }), decision.defaultOutcome)
      JSON.stringify(d.explanation)
      return d.outcome
    }
  }
  const list: [string, Evaluate][] = [
    [COMPILED, compiled],
    ['compiled, explanation built and serialised', compiledJson],
    ['carepath on json-rules-engine (reference), explanation', reference],
  ]
  if (!big) {
    const reused = jsonRulesEngine(rules)
    list.push(
      [
        'json-rules-engine, new Engine per evaluation',
        async (facts) => firstOutcome(decision, rules, (await jsonRulesEngine(rules).run({ ...facts })).results),
      ],
      [
        'json-rules-engine, one Engine reused (default options)',
        async (facts) => firstOutcome(decision, rules, (await reused.run({ ...facts })).results),
      ],
    )
  }
  list.push(
    [
      ZEN,
      async (facts) =>
        String(((await zen.evaluate(facts)).result as { outcome?: string }).outcome ?? decision.defaultOutcome),
    ],
    [HAND, (facts) => decision.handWritten(facts)],
  )
  return list
}

/** Cases of a decision: generated (sampled evenly past `max`), or drawn for the big table. */
function casesOf(decision: BenchDecision, rules: Rule[], max: number): Facts[] {
  if (decision.cases) return decision.cases
  const source = decision.table ? { kind: 'table' as const, table: decision.table } : { kind: 'parsed' as const, rules }
  const all = generateCases(source, decision.schema, { now: NOW })
  if (all.length <= max) return all
  return Array.from({ length: max }, (_, k) => all[Math.floor((k * all.length) / max)] as Facts)
}

interface Figures {
  perSecond: number
  p50: number
  p99: number
}

/**
 * One approach's timing state. Approaches are measured round-robin in short slices (this is a
 * shared machine: load from elsewhere then hits every approach alike, and ratios stay fair).
 * Fast functions are timed in batches of about 20 µs so the figures are not timer noise.
 */
class Meter {
  private samples: number[] = []
  private count = 0
  private elapsed = 0
  private i = 0
  private batch = 1
  private readonly sync: boolean
  constructor(
    private readonly fn: Evaluate,
    private readonly cases: Facts[],
  ) {
    this.sync = !(fn(cases[0] as Facts) instanceof Promise)
  }
  private async one(): Promise<void> {
    const facts = this.cases[this.i++ % this.cases.length] as Facts
    if (this.sync) this.fn(facts)
    else await this.fn(facts)
  }
  async warm(ms: number): Promise<void> {
    const t0 = performance.now()
    let n = 0
    while (performance.now() - t0 < ms) {
      await this.one()
      n++
    }
    this.batch = Math.max(1, Math.floor(0.02 / ((performance.now() - t0) / n)))
  }
  async slice(ms: number): Promise<void> {
    const start = performance.now()
    while (performance.now() - start < ms) {
      const b0 = performance.now()
      for (let k = 0; k < this.batch; k++) await this.one()
      const t = performance.now() - b0
      this.samples.push(t / this.batch)
      this.elapsed += t
      this.count += this.batch
    }
  }
  figures(): Figures {
    const sorted = [...this.samples].sort((a, b) => a - b)
    const pct = (p: number): number => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 1000
    return { perSecond: (this.count / this.elapsed) * 1000, p50: pct(0.5), p99: pct(0.99) }
  }
}

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2))

console.log(`load average before: ${loadAverage()} (2 cores)`)
const summary: string[] = []
for (const decision of decisions) {
  const rules = decision.rules ?? compileTable(decision.table!, decision.schema)
  const cases = casesOf(decision, rules, rules.length > BIG ? 100 : 2000)
  const list = approaches(decision, rules)
  // Parity first: the compiled evaluator against json-rules-engine, whole DecisionResult as JSON.
  const inputs: DecisionInput[] = cases.map((facts) => ({ facts, now: NOW }))
  const full = await compareEvaluators(compileParsedRules(rules), compileClosureRules(rules), inputs)
  // Then every approach's outcome against the reference's.
  const reference: string[] = []
  const referenceFn = list.find(([name]) => name.startsWith('carepath on json-rules-engine'))?.[1] as Evaluate
  for (const c of cases) reference.push(await referenceFn(c))
  console.log(
    `\n${decision.name}: ${cases.length} cases, ${new Set(reference).size} distinct outcomes; compiled DecisionResult byte-identical to json-rules-engine on ${full.checked - full.mismatches.length}/${full.checked}`,
  )
  const agreement: string[] = []
  for (const [name, fn] of list) {
    let agree = 0
    const disagreements: string[] = []
    for (let k = 0; k < cases.length; k++) {
      let got: string
      try {
        got = await fn(cases[k] as Facts)
      } catch (error) {
        got = `error: ${String(error).slice(0, 60)}`
      }
      if (got === reference[k]) agree++
      else if (disagreements.length < 2)
        disagreements.push(`${JSON.stringify(cases[k])} → ${got}, expected ${reference[k]}`)
    }
    agreement.push(`${agree}/${cases.length}`)
    for (const d of disagreements) console.log(`  ! ${name}: ${d}`)
  }
  const meters = list.map(([, fn]) => new Meter(fn, cases))
  for (const meter of meters) await meter.warm(rules.length > BIG ? 1000 : 300)
  const ROUNDS = 10
  for (let round = 0; round < ROUNDS; round++) for (const meter of meters) await meter.slice(RUN_MS / ROUNDS)
  const rows: [string, Figures, string][] = list.map(([name], k) => [
    name,
    (meters[k] as Meter).figures(),
    agreement[k] as string,
  ])
  // Ratios from medians: on a shared machine the means carry other processes' time slices.
  const p50 = (name: string): number => rows.find(([n]) => n === name)?.[1].p50 ?? Number.NaN
  const zenP50 = p50(ZEN)
  console.log(
    `  ${'approach'.padEnd(58)} ${'evals/s'.padStart(12)} ${'p50 µs'.padStart(9)} ${'p99 µs'.padStart(9)} ${'× zen p50'.padStart(10)} ${'same outcome'.padStart(13)}`,
  )
  for (const [name, f, agree] of rows) {
    console.log(
      `  ${name.padEnd(58)} ${fmt(f.perSecond).padStart(12)} ${fmt(f.p50).padStart(9)} ${fmt(f.p99).padStart(9)} ${(zenP50 / f.p50).toFixed(2).padStart(10)} ${agree.padStart(13)}`,
    )
  }
  const micros = p50(COMPILED)
  const vsZen = zenP50 / micros
  const vsHand = micros / p50(HAND)
  const goals = [
    `${vsZen.toFixed(1)}× zen-engine (goal ≥ 50×${decision.table ? ', for rule sets' : ''})`,
    `hand-written is ${vsHand.toFixed(1)}× faster (goal ≤ 3×)`,
    `${micros.toFixed(2)} µs per evaluation (p50)${decision.name.startsWith('10,000') ? ' (goal < 50 µs)' : ''}`,
  ]
  console.log(`  goals: ${goals.join('; ')}`)
  summary.push(`  ${decision.name.padEnd(40)} ${goals.join('; ')}`)
}
console.log(`\ncompiled evaluator against the goals (load average after: ${loadAverage()}):`)
for (const line of summary) console.log(line)
