// Rules benchmark: evaluations per second and p50/p99 latency for Carepath's evaluation against
// json-rules-engine (new Engine per evaluation; one Engine reused, default options),
// @gorules/zen-engine (the same decision as a JDM decision table) and a hand-written function,
// on a 10-rule eligibility decision, a 100-rule decision and a 30-row decision table. Every
// approach must give the same outcome on every generated case. Figures are printed, never
// asserted; run with `pnpm tsx bench/rules.bench.ts` (or `pnpm bench rules`).
import { Engine } from 'json-rules-engine'
import { ZenEngine } from '@gorules/zen-engine'
import type { JsonValue } from '@carepath/dsl'
import {
  applyOperator,
  compileClosureRules,
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

function approaches(decision: BenchDecision): [string, Evaluate][] {
  const rules = decision.rules ?? compileTable(decision.table!, decision.schema)
  const reused = jsonRulesEngine(rules)
  const plain = jsonRulesEngine(rules, true)
  const zen = new ZenEngine().createDecision(decision.jdm)
  let carepath: Evaluate
  let candidate: Evaluate
  if (decision.table) {
    const table = compileDecisionTable(decision.table, decision.schema)
    const closures = compileDecisionTable(decision.table, decision.schema, compileClosureRules)
    carepath = async (facts) => (await table.decide({ facts, now: NOW })).outcome
    candidate = async (facts) => (await closures.decide({ facts, now: NOW })).outcome
  } else {
    const evaluator = compileParsedRules(rules)
    const closures = compileClosureRules(rules)
    carepath = async (facts) =>
      explainRules(await evaluator.evaluate({ facts, now: NOW }), decision.defaultOutcome).outcome
    candidate = async (facts) =>
      explainRules(await closures.evaluate({ facts, now: NOW }), decision.defaultOutcome).outcome
  }
  return [
    ['carepath: json-rules-engine, pooled, snapshot facts, explanation', carepath],
    [
      'json-rules-engine, new Engine per evaluation',
      async (facts) => firstOutcome(decision, rules, (await jsonRulesEngine(rules).run({ ...facts })).results),
    ],
    [
      'json-rules-engine, one Engine reused (default options)',
      async (facts) => firstOutcome(decision, rules, (await reused.run({ ...facts })).results),
    ],
    [
      'json-rules-engine, one Engine reused + plain pathResolver',
      async (facts) => firstOutcome(decision, rules, (await plain.run({ ...facts })).results),
    ],
    [
      '@gorules/zen-engine (JDM decision table)',
      async (facts) =>
        String(((await zen.evaluate(facts)).result as { outcome?: string }).outcome ?? decision.defaultOutcome),
    ],
    ['hand-written JS function', (facts) => decision.handWritten(facts)],
    ['candidate: compiled closures, same explanation (not in use)', candidate],
  ]
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

for (const decision of decisions) {
  const source = decision.table
    ? { kind: 'table' as const, table: decision.table }
    : { kind: 'rules' as const, rules: decision.rules }
  const cases = generateCases(source, decision.schema, { now: NOW })
  const list = approaches(decision)
  // Agreement first: every approach against the reference (json-rules-engine reused).
  // The candidate evaluator must match Carepath's json-rules-engine evaluation byte for byte.
  const rulesRun = decision.rules ?? compileTable(decision.table!, decision.schema)
  const inputs = cases.map((facts) => ({ facts, now: NOW }))
  const full = await compareEvaluators(compileParsedRules(rulesRun), compileClosureRules(rulesRun), inputs)
  const reference: string[] = []
  const referenceFn = list[2]?.[1] as Evaluate
  for (const c of cases) reference.push(await referenceFn(c))
  console.log(
    `\n${decision.name}: ${cases.length} generated cases, ${new Set(reference).size} distinct outcomes; candidate's full explanation identical on ${full.checked - full.mismatches.length}/${full.checked}`,
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
  for (const meter of meters) await meter.warm(300)
  const ROUNDS = 10
  for (let round = 0; round < ROUNDS; round++) for (const meter of meters) await meter.slice(RUN_MS / ROUNDS)
  const rows: [string, Figures, string][] = list.map(([name], k) => [
    name,
    (meters[k] as Meter).figures(),
    agreement[k] as string,
  ])
  const base = rows[2]?.[1].perSecond ?? 1
  console.log(
    `  ${'approach'.padEnd(66)} ${'evals/s'.padStart(12)} ${'p50 µs'.padStart(9)} ${'p99 µs'.padStart(9)} ${'× jre reused'.padStart(13)} ${'same outcome'.padStart(13)}`,
  )
  for (const [name, f, agree] of rows) {
    console.log(
      `  ${name.padEnd(66)} ${fmt(f.perSecond).padStart(12)} ${fmt(f.p50).padStart(9)} ${fmt(f.p99).padStart(9)} ${(f.perSecond / base).toFixed(2).padStart(13)} ${agree.padStart(13)}`,
    )
  }
}
