// Parity of the compiled evaluator with json-rules-engine, by property: random rule sets in the
// accepted subset (nested all / any / not, every operator, compared facts, priorities, names,
// params) and random decision tables (every cell form and hit policy), evaluated on random facts
// (missing, null, wrong types, numeric strings, arrays, dates), must give the same DecisionResult
// and TableDecision as JSON, byte for byte, the explanation included.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { checkRules } from './check-rules.ts'
import { compileClosureRules } from './compiled-rules.ts'
import type { SelectionOptions } from './rule-selection.ts'
import { compileTable } from './decision-table/compile-table.ts'
import { compileDecisionTable } from './decision-table/evaluate-table.ts'
import type { DecisionTable } from './decision-table/table.schema.ts'
import { compileParsedRules, type DecisionInput } from './evaluate.ts'
import { explainRules } from './explain.ts'
import type { Condition, LeafCondition, Rule } from './rule.schema.ts'

const NOW = '2026-03-15T10:00:00Z'
const PATHS = ['p.n', 'p.m', 'p.s', 'p.b', 'p.d', 'p.list', 'top', 'p.items.code', 'p.items.0.code'] as const
const RUNS = Number(process.env.PARITY_RUNS ?? 300)

const number = fc.oneof(fc.integer({ min: -5, max: 120 }), fc.constantFrom(0, 17.5, 18, 64.99, -0))
const text = fc.constantFrom('MA', 'NY', 'E11.9', 'E11', 'I10', '', '10', '7.5', 'abc', 'ma')
const date = fc.constantFrom(
  '2026-03-15',
  '2026-03-14',
  '2000-02-29',
  '2008-03-16',
  '2026-03-15T09:59:59Z',
  '2026-03-15T10:00:00+02:00',
  '2026-13-01',
  '2026-03-15T10:00:00',
)
/** Any fact value, type mismatches included (a string where a number is expected, and so on). */
const anyValue: fc.Arbitrary<JsonValue | undefined> = fc.oneof(
  { weight: 4, arbitrary: number },
  { weight: 4, arbitrary: text },
  { weight: 2, arbitrary: date },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.array(fc.oneof(text, number), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant({ code: 'MA' }) },
)
const facts: fc.Arbitrary<Record<string, JsonValue>> = fc
  .record({
    n: anyValue,
    m: anyValue,
    s: anyValue,
    b: anyValue,
    d: anyValue,
    list: anyValue,
    items: fc.oneof(
      fc.array(fc.record({ code: fc.oneof(text, number) }), { maxLength: 3 }),
      fc.constant(undefined),
      text,
    ),
    top: anyValue,
  })
  .map(({ top, ...p }) => {
    const out: Record<string, JsonValue> = {}
    const inner: Record<string, JsonValue> = {}
    for (const [k, v] of Object.entries(p)) if (v !== undefined) inner[k] = v
    out.p = inner
    if (top !== undefined) out.top = top
    return out
  })

const path = fc.constantFrom(...PATHS)
/** A fact path, sometimes written json-rules-engine's way (`fact` + `$.path`). */
const factRef = path.map((p) => {
  const dot = p.indexOf('.')
  return dot > 0 && p.length % 2 === 0 ? { fact: p.slice(0, dot), path: `$.${p.slice(dot + 1)}` } : { fact: p }
})

/** A leaf with a value its operator accepts (literal) or another fact to compare with. */
const leaf: fc.Arbitrary<LeafCondition> = fc
  .oneof(
    fc.tuple(
      factRef,
      fc.constantFrom('equal', 'notEqual'),
      fc.oneof(number, text, fc.boolean(), fc.array(text, { maxLength: 2 })),
    ),
    fc.tuple(factRef, fc.constantFrom('in', 'notIn'), fc.array(fc.oneof(text, number, fc.boolean()), { maxLength: 4 })),
    fc.tuple(factRef, fc.constantFrom('contains', 'doesNotContain'), fc.oneof(text, number)),
    fc.tuple(
      factRef,
      fc.constantFrom('lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'),
      fc.oneof(number, fc.constantFrom('10', '7.5', '-3')),
    ),
    fc.tuple(factRef, fc.constant('exists'), fc.boolean()),
    fc.tuple(
      factRef,
      fc.constantFrom('dateBefore', 'dateAfter', 'dateOnOrBefore', 'dateOnOrAfter'),
      fc.oneof(
        fc.constantFrom('2026-03-15', '2026-03-15T10:00:00Z', '2000-02-29'),
        fc.integer({ min: -40, max: 40 }).map((d) => ({ daysFromNow: d })),
      ),
    ),
    fc.tuple(factRef, fc.constant('withinDays'), fc.integer({ min: 0, max: 40 })),
    fc.tuple(
      factRef,
      fc.constantFrom('ageAtLeast', 'ageBelow'),
      fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constant({ years: 18, at: '2026-02-28' })),
    ),
    fc.tuple(
      factRef,
      fc.constant('between'),
      fc.oneof(
        fc.tuple(fc.integer({ min: -5, max: 60 }), fc.integer({ min: 0, max: 60 })).map(([a, b]) => [a, a + b]),
        fc.constant(['2000-01-01', '2026-03-15']),
      ),
    ),
    fc.tuple(factRef, fc.constant('inValueSet'), fc.array(fc.oneof(text, number), { minLength: 1, maxLength: 3 })),
    fc.tuple(factRef, fc.constant('startsWith'), fc.constantFrom('E11', 'M', '1')),
    fc.tuple(factRef, fc.constant('matches'), fc.constantFrom('^E1[01]', '^[A-Z]{2}$', '\\d')),
    fc.tuple(
      factRef,
      fc.constantFrom('equal', 'notEqual', 'lessThan', 'greaterThanInclusive', 'in', 'contains', 'dateBefore'),
      factRef,
    ),
  )
  .map(([ref, operator, value]) => ({ ...ref, operator, value }) as LeafCondition)

const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })) },
    { weight: 1, arbitrary: fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
    { weight: 1, arbitrary: tie('c').map((not) => ({ not })) },
  ),
})).c

const top = fc.oneof(
  fc.array(condition, { minLength: 1, maxLength: 4 }).map((all) => ({ all })),
  fc.array(condition, { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
  condition.map((not) => ({ not })),
)

const rules: fc.Arbitrary<Rule[]> = fc
  .array(
    fc.record(
      {
        priority: fc.integer({ min: 1, max: 3 }),
        name: fc.constantFrom('First', 'Second'),
        conditions: top,
        type: fc.constantFrom('yes', 'no', 'review'),
        params: fc.option(fc.record({ why: text }), { nil: undefined }),
      },
      { requiredKeys: ['conditions', 'type'] },
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((list) =>
    list.map((r, i): Rule => ({
      id: `r${i}`,
      ...(r.name !== undefined ? { name: r.name } : {}),
      ...(r.priority !== undefined ? { priority: r.priority } : {}),
      conditions: r.conditions as Rule['conditions'],
      event: r.params ? { type: r.type, params: r.params } : { type: r.type },
    })),
  )

/** Both evaluators on one input: results as JSON, and the decision explainRules takes. */
async function both(
  set: readonly Rule[],
  input: DecisionInput,
  options: SelectionOptions = {},
): Promise<[string, string]> {
  const reference = await compileParsedRules(set).evaluate(input)
  const compiled = compileClosureRules(set, options).evaluateLazily(input)
  return [
    JSON.stringify([reference, explainRules(reference, 'otherwise')]),
    JSON.stringify([compiled, explainRules(compiled, 'otherwise')]),
  ]
}

describe('compiled evaluator = json-rules-engine (property-based)', () => {
  it('generated rules are in the accepted subset (the property tests what flows can hold)', () => {
    fc.assert(
      fc.property(rules, (set) => checkRules(set).filter((p) => p.severity === 'error').length === 0),
      {
        numRuns: 200,
        seed: 7,
      },
    )
  })

  it('gives byte-identical results and explanations on random rules and facts', async () => {
    await fc.assert(
      fc.asyncProperty(rules, fc.array(facts, { minLength: 1, maxLength: 4 }), async (set, inputs) => {
        for (const f of inputs) {
          const [reference, compiled] = await both(set, { facts: f, now: NOW })
          expect(compiled).toBe(reference)
        }
      }),
      { numRuns: RUNS, seed: 16 },
    )
  })

  // Bit sets unless told otherwise; `maxFilterWords: 0` leaves them no room, so buckets serve.
  it.each([
    ['bit sets', {}],
    ['buckets', { maxFilterWords: 0 }],
  ])('gives byte-identical results on rule sets big enough to be indexed (pins, %s)', async (_, options) => {
    const pinned = fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom('MA', 'NY', '10', ''), fc.integer({ min: 0, max: 3 }), fc.boolean()),
        fc.array(fc.constantFrom('MA', 'NY', 10, true), { minLength: 1, maxLength: 3 }),
        // Some rules pin nothing: they are possible whatever the value.
        fc.constantFrom('equal', 'equal', 'in', 'in', 'none'),
        fc.option(leaf, { nil: undefined }),
        fc.integer({ min: 1, max: 3 }),
      ),
      { minLength: 8, maxLength: 40 },
    )
    await fc.assert(
      fc.asyncProperty(pinned, fc.array(facts, { minLength: 1, maxLength: 4 }), async (rows, inputs) => {
        const set: Rule[] = rows.map(([key, list, pin, extra, priority], i) => ({
          id: `r${String(i).padStart(2, '0')}`,
          priority,
          conditions: {
            all: [
              ...(pin === 'none' ? [] : [{ fact: 'p.s', operator: pin, value: pin === 'in' ? list : key }]),
              ...(extra ? [extra] : []),
            ],
          },
          event: { type: i % 2 ? 'yes' : 'no', params: { row: i } },
        }))
        for (const f of inputs) {
          const [reference, compiled] = await both(set, { facts: f, now: NOW }, options)
          expect(compiled).toBe(reference)
        }
      }),
      { numRuns: Math.ceil(RUNS / 3), seed: 17 },
    )
  })

  it('gives byte-identical results on rule sets selected by numeric bands (thresholds, values on and between them)', async () => {
    // Thresholds and values drawn from one small set, so values land on thresholds, between two
    // and outside all; numeric-string literals and values, missing values and other types too.
    const threshold = fc.constantFrom(-0, 0, 10, 17.5, 18, 64.99, 65)
    const comparison = fc.oneof(
      fc.tuple(
        fc.constantFrom('lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'),
        fc.oneof({ weight: 5, arbitrary: threshold }, { weight: 1, arbitrary: fc.constantFrom('10', '17.5') }),
      ),
      fc.tuple(
        fc.constant('between'),
        fc.tuple(threshold, threshold).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]),
      ),
    )
    const banded = fc.array(
      fc.tuple(
        fc.array(comparison, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        fc.option(leaf, { nil: undefined }),
        fc.integer({ min: 1, max: 3 }),
      ),
      { minLength: 8, maxLength: 40 },
    )
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.oneof(threshold, fc.constantFrom(-1, 5, 17.6, 64.98, 100, Number.NaN)) },
      { weight: 1, arbitrary: fc.constantFrom('10', '17.5', 'abc', null, true) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    )
    await fc.assert(
      fc.asyncProperty(banded, fc.array(value, { minLength: 1, maxLength: 6 }), async (rows, seen) => {
        const set: Rule[] = rows.map(([comparisons, nested, extra, priority], i) => {
          const bands: Condition[] = comparisons.map(([operator, v]) => ({ fact: 'p.n', operator, value: v }))
          return {
            id: `r${String(i).padStart(2, '0')}`,
            priority,
            conditions: { all: [...(nested ? [{ all: bands }] : bands), ...(extra ? [extra] : [])] },
            event: { type: i % 2 ? 'yes' : 'no' },
          }
        })
        for (const n of seen) {
          const f = n === undefined ? { p: {} } : { p: { n } }
          const [reference, compiled] = await both(set, { facts: f as Record<string, JsonValue>, now: NOW })
          expect(compiled).toBe(reference)
        }
      }),
      { numRuns: Math.ceil(RUNS / 3), seed: 18 },
    )
  })
})

const numberCell = fc.oneof(
  fc.constant('-'),
  fc.integer({ min: 0, max: 100 }).map(String),
  fc.integer({ min: 0, max: 100 }).map((n) => `< ${n}`),
  fc.integer({ min: 0, max: 100 }).map((n) => `>= ${n}`),
  fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 })).map(([a, b]) => `[${a}..${a + b}]`),
  fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 50 })).map(([a, b]) => `(${a}..${a + b})`),
  fc.constantFrom('1, 2, 3', 'not(5)', 'not(< 10)', 'in [18, 65]'),
)
const textCell = fc.oneof(
  fc.constant('-'),
  fc.constantFrom('MA', 'NY', '"E11.9"', 'MA, NY', 'not(MA)', 'not(MA, NY)', 'in ["MA", "NH"]', '10'),
)
const table: fc.Arbitrary<DecisionTable> = fc
  .record({
    hitPolicy: fc.constantFrom('first', 'unique', 'priority', 'collect'),
    aggregation: fc.option(fc.constantFrom('count', 'sum', 'min', 'max'), { nil: undefined }),
    rows: fc.array(fc.tuple(numberCell, textCell, fc.constantFrom('low', 'mid', 'high'), fc.integer({ max: 9 })), {
      minLength: 1,
      maxLength: 40,
    }),
  })
  .map(({ hitPolicy, aggregation, rows }): DecisionTable => ({
    inputs: [{ fact: 'p.n' }, { fact: 'p.s' }],
    outputs: [{ name: 'level', priority: ['high', 'mid', 'low'] }, { fact: 'out.points' }],
    hitPolicy,
    ...(hitPolicy === 'collect' && aggregation ? { aggregation } : {}),
    rows: rows.map(([n, s, level, points]) => ({ cells: [n, s], outputs: [level, points] })),
  }))
const schema = {
  type: 'object',
  properties: {
    p: { type: 'object', properties: { n: { type: 'number' }, s: { type: 'string' } } },
    out: { type: 'object', properties: { points: { type: 'number' } } },
  },
} as const

describe('compiled decision tables = json-rules-engine (property-based)', () => {
  it('gives byte-identical decisions for every hit policy, cell form and missing input', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.array(facts, { minLength: 1, maxLength: 4 }), async (t, inputs) => {
        const reference = compileDecisionTable(t, schema)
        const compiled = compileDecisionTable(t, schema, compileClosureRules)
        for (const f of inputs) {
          const input = { facts: f, now: NOW }
          const a = JSON.stringify(await reference.decide(input))
          expect(JSON.stringify(compiled.decideLazily?.(input))).toBe(a)
          expect(JSON.stringify(await compiled.decide(input))).toBe(a)
        }
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: 18 },
    )
  })

  it('compiles a table to rules the compiled evaluator indexes (same rows fire)', () => {
    const t: DecisionTable = {
      inputs: [{ fact: 'p.s' }],
      outputs: [{ name: 'level' }],
      hitPolicy: 'first',
      rows: Array.from({ length: 20 }, (_, i) => ({ cells: [i % 2 ? `S${i}` : `S${i}, X`], outputs: ['x'] })),
    }
    const rules = compileTable(t, schema)
    const result = compileClosureRules(rules).evaluateLazily({ facts: { p: { s: 'X' } }, now: NOW })
    expect(result.fired).toEqual([
      'row-01',
      'row-03',
      'row-05',
      'row-07',
      'row-09',
      'row-11',
      'row-13',
      'row-15',
      'row-17',
      'row-19',
    ])
  })
})
