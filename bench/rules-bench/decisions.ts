// The decisions the rules benchmark runs, each written four ways: Carepath rule JSON (or a
// decision table), a GoRules JDM decision table, and a hand-written JS function of the same
// logic. All use operators every engine has (comparisons, equality, lists, ranges, prefixes).
import type { FactSchema, JsonValue } from '@carepath/dsl'
import type { DecisionTable, Rule } from '@carepath/rules'

type Facts = Readonly<Record<string, JsonValue>>
const get = (facts: Facts, a: string, b: string): JsonValue | undefined => {
  const parent = facts[a]
  return parent !== null && typeof parent === 'object' && !Array.isArray(parent) ? parent[b] : undefined
}

export interface BenchDecision {
  name: string
  schema: FactSchema
  defaultOutcome: string
  rules?: Rule[]
  table?: DecisionTable
  /** Rule (or row) id → outcome, for engines that report ids. */
  outcomeOf(id: string): string
  jdm: object
  handWritten(facts: Facts): string
  /** Cases to run, when generating them from the decision would take too long. */
  cases?: Facts[]
}

const str = { type: 'string' } as const
const num = { type: 'number' } as const
const int = { type: 'integer' } as const
export const schema: FactSchema = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      properties: {
        age: int,
        state: { type: 'string', enum: ['MA', 'NH', 'RI', 'CT', 'NY', 'NJ'] },
        consent: { type: 'boolean' },
      },
    },
    coverage: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['active', 'lapsed', 'cancelled'] },
        planType: { type: 'string', enum: ['PPO', 'HMO', 'EPO'] },
        copay: num,
      },
    },
    encounter: {
      type: 'object',
      properties: { type: { type: 'string', enum: ['inpatient', 'outpatient', 'telehealth'] }, diagnosis: str },
    },
    labs: { type: 'object', properties: { a1c: num, score: num } },
  },
}

const leaf = (fact: string, operator: string, value: JsonValue) => ({ fact, operator, value })
const rule = (id: string, priority: number, all: ReturnType<typeof leaf>[], type: string): Rule => ({
  id,
  priority,
  conditions: { all },
  event: { type },
})

// 1. A 10-rule eligibility decision.
const eligibilityRules: Rule[] = [
  rule('r01', 10, [leaf('patient.age', 'lessThan', 18), leaf('patient.consent', 'equal', false)], 'ineligible'),
  rule('r02', 9, [leaf('coverage.status', 'in', ['lapsed', 'cancelled'])], 'ineligible'),
  rule('r03', 8, [leaf('patient.state', 'in', ['NY', 'NJ']), leaf('coverage.planType', 'equal', 'HMO')], 'ineligible'),
  rule(
    'r04',
    5,
    [leaf('encounter.diagnosis', 'startsWith', 'E11'), leaf('labs.a1c', 'greaterThanInclusive', 9)],
    'review',
  ),
  rule(
    'r05',
    4,
    [leaf('patient.age', 'greaterThanInclusive', 65), leaf('encounter.type', 'equal', 'inpatient')],
    'eligible',
  ),
  rule(
    'r06',
    4,
    [
      leaf('encounter.diagnosis', 'in', ['I10', 'E11.9', 'E10.9', 'J45.909']),
      leaf('coverage.status', 'equal', 'active'),
    ],
    'eligible',
  ),
  rule(
    'r07',
    3,
    [leaf('coverage.copay', 'between', [0, 25]), leaf('coverage.planType', 'in', ['PPO', 'EPO'])],
    'eligible',
  ),
  rule(
    'r08',
    2,
    [leaf('encounter.type', 'equal', 'telehealth'), leaf('patient.state', 'in', ['MA', 'NH', 'RI', 'CT'])],
    'eligible',
  ),
  rule('r09', 2, [leaf('labs.a1c', 'lessThan', 7), leaf('patient.age', 'between', [18, 64])], 'eligible'),
  rule(
    'r10',
    1,
    [leaf('patient.age', 'greaterThanInclusive', 18), leaf('coverage.status', 'equal', 'active')],
    'eligible',
  ),
]
const isNum = (v: unknown): v is number => typeof v === 'number'
function eligibilityByHand(f: Facts): string {
  const age = get(f, 'patient', 'age')
  const state = get(f, 'patient', 'state')
  const status = get(f, 'coverage', 'status')
  const plan = get(f, 'coverage', 'planType')
  const copay = get(f, 'coverage', 'copay')
  const type = get(f, 'encounter', 'type')
  const dx = get(f, 'encounter', 'diagnosis')
  const a1c = get(f, 'labs', 'a1c')
  if (isNum(age) && age < 18 && get(f, 'patient', 'consent') === false) return 'ineligible'
  if (status === 'lapsed' || status === 'cancelled') return 'ineligible'
  if ((state === 'NY' || state === 'NJ') && plan === 'HMO') return 'ineligible'
  if (typeof dx === 'string' && dx.startsWith('E11') && isNum(a1c) && a1c >= 9) return 'review'
  if (isNum(age) && age >= 65 && type === 'inpatient') return 'eligible'
  if ((dx === 'I10' || dx === 'E11.9' || dx === 'E10.9' || dx === 'J45.909') && status === 'active') return 'eligible'
  if (isNum(copay) && copay >= 0 && copay <= 25 && (plan === 'PPO' || plan === 'EPO')) return 'eligible'
  if (type === 'telehealth' && (state === 'MA' || state === 'NH' || state === 'RI' || state === 'CT')) return 'eligible'
  if (isNum(a1c) && a1c < 7 && isNum(age) && age >= 18 && age <= 64) return 'eligible'
  if (isNum(age) && age >= 18 && status === 'active') return 'eligible'
  return 'not-eligible'
}

/** A JDM graph: input → one first-hit decision table → output. */
function jdm(hitPolicy: 'first', fields: string[], rows: { cells: Record<string, string>; outcome: string }[]): object {
  const inputs = fields.map((field, i) => ({ id: `i${i}`, name: field, field }))
  return {
    nodes: [
      { id: 'in', type: 'inputNode', name: 'Request', position: { x: 0, y: 0 } },
      {
        id: 'table',
        type: 'decisionTableNode',
        name: 'Decision',
        position: { x: 200, y: 0 },
        content: {
          hitPolicy,
          inputs,
          outputs: [{ id: 'o', name: 'outcome', field: 'outcome' }],
          rules: rows.map((row, r) => ({
            _id: `r${r}`,
            ...Object.fromEntries(inputs.map((i) => [i.id, row.cells[i.field] ?? ''])),
            o: JSON.stringify(row.outcome),
          })),
        },
      },
      { id: 'out', type: 'outputNode', name: 'Response', position: { x: 400, y: 0 } },
    ],
    edges: [
      { id: 'e1', sourceId: 'in', targetId: 'table', type: 'edge' },
      { id: 'e2', sourceId: 'table', targetId: 'out', type: 'edge' },
    ],
  }
}

/** Rule conditions as ZEN unary tests (the same subset the decisions use). */
function zenCell(operator: string, value: JsonValue): string {
  const lit = (v: JsonValue): string => JSON.stringify(v)
  switch (operator) {
    case 'equal':
      return lit(value)
    case 'in':
      return (value as JsonValue[]).map(lit).join(', ')
    case 'lessThan':
      return `< ${lit(value)}`
    case 'lessThanInclusive':
      return `<= ${lit(value)}`
    case 'greaterThan':
      return `> ${lit(value)}`
    case 'greaterThanInclusive':
      return `>= ${lit(value)}`
    case 'between':
      return `[${(value as number[])[0]}..${(value as number[])[1]}]`
    case 'startsWith':
      return `$ != null and startsWith($, ${lit(value)})`
    default:
      throw new Error(`No ZEN form for ${operator}`)
  }
}
function rulesAsJdm(rules: Rule[], defaultOutcome: string): object {
  const ordered = [...rules].sort((a, b) => (b.priority ?? 1) - (a.priority ?? 1) || (a.id < b.id ? -1 : 1))
  const fields = [
    ...new Set(
      rules.flatMap((r) => ('all' in r.conditions ? r.conditions.all : []).map((c) => (c as { fact: string }).fact)),
    ),
  ]
  const rows = ordered.map((r) => {
    const cells: Record<string, string> = {}
    for (const c of 'all' in r.conditions ? r.conditions.all : []) {
      const leafC = c as { fact: string; operator: string; value: JsonValue }
      cells[leafC.fact] = zenCell(leafC.operator, leafC.value)
    }
    return { cells, outcome: r.event.type }
  })
  return jdm('first', fields, [...rows, { cells: {}, outcome: defaultOutcome }])
}

const outcomeById = (rules: Rule[]) => {
  const map = new Map(rules.map((r) => [r.id, r.event.type]))
  return (id: string): string => map.get(id) ?? '?'
}

export const eligibility: BenchDecision = {
  name: '10-rule eligibility',
  schema,
  defaultOutcome: 'not-eligible',
  rules: eligibilityRules,
  outcomeOf: outcomeById(eligibilityRules),
  jdm: rulesAsJdm(eligibilityRules, 'not-eligible'),
  handWritten: eligibilityByHand,
}

// 2. A 100-rule (and a 1,000-rule) decision: score bands by age window and plan, first match by priority.
const PLANS = ['PPO', 'HMO', 'EPO']
const TIERS = ['tier-a', 'tier-b', 'tier-c', 'tier-d']
function bands(n: number): BenchDecision {
  const bandRules: Rule[] = Array.from({ length: n }, (_, i) => {
    const id = `b${String(i).padStart(4, '0')}`
    const plans = PLANS.filter((_, k) => (i + k) % 3 !== 0)
    return rule(
      id,
      n - i,
      [
        leaf('labs.score', 'greaterThanInclusive', 100 - (i % 100)),
        leaf('patient.age', 'between', [i % 50, (i % 50) + 30]),
        leaf('coverage.planType', 'in', plans),
      ],
      TIERS[i % 4] as string,
    )
  })
  const bandParams = bandRules.map((_, i) => ({
    min: 100 - (i % 100),
    lo: i % 50,
    hi: (i % 50) + 30,
    plans: PLANS.filter((_, k) => (i + k) % 3 !== 0),
    tier: TIERS[i % 4] as string,
  }))
  return {
    name: `${n.toLocaleString('en-US')}-rule decision`,
    schema,
    defaultOutcome: 'none',
    rules: bandRules,
    outcomeOf: outcomeById(bandRules),
    jdm: rulesAsJdm(bandRules, 'none'),
    handWritten: (f) => {
      const score = get(f, 'labs', 'score')
      const age = get(f, 'patient', 'age')
      const plan = get(f, 'coverage', 'planType')
      if (!isNum(score) || !isNum(age)) return 'none'
      if (typeof plan !== 'string') return 'none'
      for (const p of bandParams)
        if (score >= p.min && age >= p.lo && age <= p.hi && p.plans.includes(plan)) return p.tier
      return 'none'
    },
  }
}
export const hundred = bands(100)
export const thousand = bands(1000)

// 3. A 30-row decision table (first hit): plan × a1c band × age group.
const A1C_BANDS: [string, string, (v: number) => boolean][] = [
  ['< 5.7', '< 5.7', (v) => v < 5.7],
  ['[5.7..6.5)', '[5.7..6.5)', (v) => v >= 5.7 && v < 6.5],
  ['[6.5..8)', '[6.5..8)', (v) => v >= 6.5 && v < 8],
  ['[8..10)', '[8..10)', (v) => v >= 8 && v < 10],
  ['>= 10', '>= 10', (v) => v >= 10],
]
const AGE_GROUPS: [string, (v: number) => boolean][] = [
  ['< 40', (v) => v < 40],
  ['>= 40', (v) => v >= 40],
]
const tableRows: { plan: string; band: number; age: number; level: string }[] = []
const LEVELS = ['routine', 'watch', 'manage', 'urgent']
PLANS.forEach((plan, p) =>
  A1C_BANDS.forEach((_, band) =>
    AGE_GROUPS.forEach((_, age) =>
      tableRows.push({
        plan,
        band,
        age,
        level: LEVELS[Math.max(0, Math.min(3, band + age + (p === 1 ? 1 : 0) - 1))] as string,
      }),
    ),
  ),
)
const careTable: DecisionTable = {
  inputs: [{ fact: 'coverage.planType' }, { fact: 'labs.a1c' }, { fact: 'patient.age' }],
  outputs: [{ name: 'level' }],
  hitPolicy: 'first',
  rows: tableRows.map((r) => ({
    cells: [r.plan, (A1C_BANDS[r.band] as [string, string, unknown])[0], (AGE_GROUPS[r.age] as [string, unknown])[0]],
    outputs: [r.level],
  })),
}
export const table30: BenchDecision = {
  name: '30-row decision table',
  schema,
  defaultOutcome: 'noMatch',
  table: careTable,
  outcomeOf: (id) => String(careTable.rows[Number(id.replace('row-', '')) - 1]?.outputs[0]),
  jdm: jdm(
    'first',
    ['coverage.planType', 'labs.a1c', 'patient.age'],
    [
      ...tableRows.map((r) => ({
        cells: {
          'coverage.planType': JSON.stringify(r.plan),
          'labs.a1c': (A1C_BANDS[r.band] as [string, string, unknown])[1],
          'patient.age': (AGE_GROUPS[r.age] as [string, unknown])[0],
        },
        outcome: r.level,
      })),
      { cells: {}, outcome: 'noMatch' },
    ],
  ),
  handWritten: (f) => {
    const plan = get(f, 'coverage', 'planType')
    const a1c = get(f, 'labs', 'a1c')
    const age = get(f, 'patient', 'age')
    if (typeof plan !== 'string' || !isNum(a1c) || !isNum(age)) return 'noMatch'
    for (const r of tableRows) {
      if (
        r.plan === plan &&
        (A1C_BANDS[r.band] as [string, string, (v: number) => boolean])[2](a1c) &&
        (AGE_GROUPS[r.age] as [string, (v: number) => boolean])[1](age)
      )
        return r.level
    }
    return 'noMatch'
  },
}

// 4. A 10,000-row prior-authorization table (first hit): CPT code × payer × site of service.
const PAYERS = ['aetna', 'bcbs', 'cigna', 'humana', 'medicare']
const SITES = ['office', 'outpatient', 'inpatient']
const CODES = Array.from({ length: 2000 }, (_, i) => String(10000 + i * 7))
const paRows = CODES.flatMap((code, c) =>
  PAYERS.map((payer, p) => {
    const site = (c + p) % 4 === 0 ? (SITES[(c + p) % 3] as string) : '-'
    const required = (c * 5 + p) % 3 === 0 ? 'required' : 'not-required'
    return { code, payer, site, required }
  }),
)
const paTable: DecisionTable = {
  inputs: [{ fact: 'encounter.cpt' }, { fact: 'coverage.payer' }, { fact: 'encounter.site' }],
  outputs: [{ name: 'auth' }],
  hitPolicy: 'first',
  rows: paRows.map((r) => ({ cells: [r.code, r.payer, r.site], outputs: [r.required] })),
}
const paSchema: FactSchema = {
  type: 'object',
  properties: {
    encounter: { type: 'object', properties: { cpt: str, site: { type: 'string', enum: SITES } } },
    coverage: { type: 'object', properties: { payer: { type: 'string', enum: PAYERS } } },
  },
}
export const table10k: BenchDecision = {
  name: '10,000-row prior-authorization table',
  schema: paSchema,
  defaultOutcome: 'noMatch',
  table: paTable,
  outcomeOf: (id) => String(paTable.rows[Number(id.replace('row-', '')) - 1]?.outputs[0]),
  jdm: jdm(
    'first',
    ['encounter.cpt', 'coverage.payer', 'encounter.site'],
    [
      ...paRows.map((r) => ({
        cells: {
          'encounter.cpt': JSON.stringify(r.code),
          'coverage.payer': JSON.stringify(r.payer),
          'encounter.site': r.site === '-' ? '' : JSON.stringify(r.site),
        },
        outcome: r.required,
      })),
      { cells: {}, outcome: 'noMatch' },
    ],
  ),
  // Drawn deterministically: known codes with every payer and site, unknown codes, missing inputs.
  cases: Array.from({ length: 100 }, (_, i): Facts => {
    const code = i % 10 === 9 ? '99999' : (CODES[(i * 131) % CODES.length] as string)
    const encounter: Record<string, JsonValue> = { cpt: code }
    if (i % 7 !== 6) encounter.site = SITES[i % 3] as string
    return i % 13 === 12 ? { encounter } : { encounter, coverage: { payer: PAYERS[(i * 3) % PAYERS.length] as string } }
  }),
  handWritten: (f) => {
    const cpt = get(f, 'encounter', 'cpt')
    const payer = get(f, 'coverage', 'payer')
    const site = get(f, 'encounter', 'site')
    for (const r of paRows)
      if (r.code === cpt && r.payer === payer && (r.site === '-' || r.site === site)) return r.required
    return 'noMatch'
  },
}

export const decisions = [eligibility, hundred, thousand, table30, table10k]
