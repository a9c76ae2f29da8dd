import { describe, expect, it } from 'vitest'
import type { FactSchema } from '@carepath/dsl'
import { checkTable } from './check-table.ts'
import { compileDecisionTable } from './evaluate-table.ts'
import type { DecisionTable } from './table.schema.ts'
import { parseCell } from './unary.ts'

const now = '2026-11-22T11:00:00Z'
const schema: FactSchema = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      properties: {
        age: { type: 'integer' },
        state: { type: 'string', enum: ['MA', 'NH', 'NY'] },
        visit: { type: 'string', format: 'date' },
      },
    },
    plan: { type: 'object', properties: { tier: { type: 'string' }, smoker: { type: 'boolean' } } },
    out: { type: 'object', properties: { level: { type: 'string' }, score: { type: 'number' } } },
  },
}
const base = (
  rows: DecisionTable['rows'],
  hitPolicy: DecisionTable['hitPolicy'],
  extra: Partial<DecisionTable> = {},
): DecisionTable => ({
  inputs: [{ fact: 'patient.age' }, { fact: 'patient.state' }],
  outputs: [{ fact: 'out.level' }, { fact: 'out.score' }],
  rows,
  hitPolicy,
  ...extra,
})
const decide = (table: DecisionTable, facts: Record<string, unknown>) =>
  compileDecisionTable(table, schema).decide({ facts: facts as never, now })

describe('unary tests', () => {
  it('parses the cell language', () => {
    expect(parseCell('-', 'number')).toEqual({ ok: true, cell: { kind: 'any' } })
    expect(parseCell('>= 18', 'number')).toMatchObject({
      ok: true,
      cell: { tests: [{ kind: 'cmp', op: '>=', value: { type: 'number', value: 18 } }] },
    })
    expect(parseCell('[1..5)', 'number')).toMatchObject({
      ok: true,
      cell: { tests: [{ kind: 'range', loIn: true, hiIn: false }] },
    })
    expect(parseCell('not(MA, NH)', 'string')).toMatchObject({ ok: true, cell: { negated: true, tests: [{}, {}] } })
    expect(parseCell('123', 'string')).toMatchObject({
      ok: true,
      cell: { tests: [{ value: { type: 'string', value: '123' } }] },
    })
    expect(parseCell('< abc', 'string').ok).toBe(false)
    expect(parseCell('[5..1]', 'number').ok).toBe(false)
    expect(parseCell('"unclosed', undefined).ok).toBe(false)
  })
})

describe('hit policies', () => {
  const rows: DecisionTable['rows'] = [
    { cells: ['< 18', '-'], outputs: ['minor', 1] },
    { cells: ['[18..64]', 'MA, NH'], outputs: ['local', 2] },
    { cells: ['>= 18', '-'], outputs: ['adult', 3] },
  ]
  it('first: the top matching row decides', async () => {
    const d = await decide(base(rows, 'first'), { patient: { age: 30, state: 'MA' } })
    expect(d).toMatchObject({
      outcome: 'matched',
      outputs: { 'out.level': 'local', 'out.score': 2 },
      matchedRows: [2, 3],
    })
    expect(d.explanation.fired).toEqual(['row-2', 'row-3'])
    const none = await decide(base(rows, 'first'), { patient: { state: 'MA' } })
    expect(none).toMatchObject({ outcome: 'noMatch', outputs: {}, matchedRows: [] })
  })
  it('unique: two matches are a violation, not a guess', async () => {
    const d = await decide(base(rows, 'unique'), { patient: { age: 30, state: 'MA' } })
    expect(d.violation).toMatch(/Rows 2, 3/)
    expect(d.outputs).toEqual({})
    const one = await decide(base(rows, 'unique'), { patient: { age: 70, state: 'NY' } })
    expect(one).toMatchObject({ outcome: 'matched', outputs: { 'out.level': 'adult' } })
  })
  it('priority: the output value earliest in the priority list wins', async () => {
    const table = base(rows, 'priority', {
      outputs: [{ fact: 'out.level', priority: ['adult', 'local', 'minor'] }, { fact: 'out.score' }],
    })
    const d = await decide(table, { patient: { age: 30, state: 'MA' } })
    expect(d.outputs).toEqual({ 'out.level': 'adult', 'out.score': 3 })
  })
  it('collect: lists, and count / sum / min / max', async () => {
    const facts = { patient: { age: 30, state: 'MA' } }
    expect((await decide(base(rows, 'collect'), facts)).outputs).toEqual({
      'out.level': ['local', 'adult'],
      'out.score': [2, 3],
    })
    expect((await decide(base(rows, 'collect', { aggregation: 'count' }), facts)).outputs).toMatchObject({
      'out.score': 2,
    })
    expect((await decide(base(rows, 'collect', { aggregation: 'sum' }), facts)).outputs).toMatchObject({
      'out.score': 5,
    })
    expect((await decide(base(rows, 'collect', { aggregation: 'min' }), facts)).outputs).toMatchObject({
      'out.score': 2,
    })
    expect((await decide(base(rows, 'collect', { aggregation: 'max' }), facts)).outputs).toMatchObject({
      'out.score': 3,
    })
    expect((await decide(base(rows, 'collect', { aggregation: 'max' }), {})).outputs).toMatchObject({
      'out.score': null,
    })
  })
  it('an outcome column names the port', async () => {
    const table = base(rows, 'first', { outcome: 'out.level' })
    expect((await decide(table, { patient: { age: 10 } })).outcome).toBe('minor')
    const named = base(rows, 'first', { outputs: [{ name: 'queue' }, { fact: 'out.score' }] })
    const d = await decide(named, { patient: { age: 70 } })
    expect(d).toMatchObject({ outcome: 'adult', outputs: { queue: 'adult', 'out.score': 3 } })
  })
  it('reads the "in [..]" list spelling and quoted text', async () => {
    const table = base(
      [
        { cells: ['-', 'in ["MA", "NH"]'], outputs: ['ne', 1] },
        { cells: ['-', '= "NY"'], outputs: ['ny', 2] },
      ],
      'first',
    )
    expect((await decide(table, { patient: { state: 'NH' } })).outputs['out.level']).toBe('ne')
    expect((await decide(table, { patient: { state: 'NY' } })).outputs['out.level']).toBe('ny')
  })
  it('not(...) never matches a missing value; "-" does', async () => {
    const table = base(
      [
        { cells: ['-', 'not(MA)'], outputs: ['x', 1] },
        { cells: ['-', '-'], outputs: ['any', 0] },
      ],
      'first',
    )
    expect((await decide(table, { patient: { state: 'NY' } })).outputs['out.level']).toBe('x')
    expect((await decide(table, { patient: {} })).outputs['out.level']).toBe('any')
  })
  it('compares dates by calendar day', async () => {
    const table: DecisionTable = {
      inputs: [{ fact: 'patient.visit' }],
      outputs: [{ fact: 'out.level' }],
      rows: [
        { cells: ['< 2026-01-01'], outputs: ['old'] },
        { cells: ['[2026-01-01..2026-12-31]'], outputs: ['this-year'] },
      ],
      hitPolicy: 'first',
    }
    expect((await decide(table, { patient: { visit: '2025-12-31' } })).outputs).toEqual({ 'out.level': 'old' })
    expect((await decide(table, { patient: { visit: '2026-12-31' } })).outputs).toEqual({ 'out.level': 'this-year' })
  })
})

describe('checkTable', () => {
  const codes = (t: unknown) => checkTable(t, schema).map((p) => `${p.code}@${p.path}`)
  it('reports overlapping rows of a unique table', () => {
    expect(
      codes(
        base(
          [
            { cells: ['< 18', '-'], outputs: ['a', 1] },
            { cells: ['>= 18', '-'], outputs: ['b', 2] },
          ],
          'unique',
        ),
      ),
    ).toEqual([])
    expect(
      codes(
        base(
          [
            { cells: ['< 18', '-'], outputs: ['a', 1] },
            { cells: ['[10..20]', 'NY'], outputs: ['b', 2] },
            { cells: ['>= 21', '-'], outputs: ['c', 3] },
          ],
          'unique',
        ),
      ),
    ).toEqual(['table-overlap@rows.1', 'table-gap@rows'])
  })
  it('reports unreachable rows of a first table, also when several rows cover one together', () => {
    const table = base(
      [
        { cells: ['< 18', '-'], outputs: ['a', 1] },
        { cells: ['>= 18', '-'], outputs: ['b', 2] },
        { cells: ['30', 'MA'], outputs: ['c', 3] },
      ],
      'first',
    )
    expect(codes(table)).toEqual(['table-unreachable-row@rows.2'])
  })
  it('finds gaps in integer and enum inputs, and none when covered', () => {
    const gap = checkTable(
      base(
        [
          { cells: ['< 18', '-'], outputs: ['a', 1] },
          { cells: ['> 18', '-'], outputs: ['b', 2] },
        ],
        'first',
      ),
      schema,
    )
    expect(gap).toEqual([
      expect.objectContaining({
        code: 'table-gap',
        severity: 'warning',
        message: expect.stringContaining('patient.age = 18'),
      }),
    ])
    const enumGap = checkTable(base([{ cells: ['-', 'MA, NH'], outputs: ['a', 1] }], 'first'), schema)
    expect(enumGap[0]?.message).toContain('patient.state = "NY"')
    expect(
      codes(
        base(
          [
            { cells: ['<= 17', '-'], outputs: ['a', 1] },
            { cells: ['>= 18', 'not(MA)'], outputs: ['b', 2] },
            { cells: ['>= 18', 'MA'], outputs: ['b', 2] },
          ],
          'unique',
        ),
      ),
    ).toEqual([])
  })
  it('reports type mismatches against the facts schema, with row numbers', () => {
    const problems = checkTable(base([{ cells: ['adult', 'TX'], outputs: [3, 'x'] }], 'first'), schema)
    expect(problems.map((p) => `${p.code}@${p.path}`)).toEqual([
      'table-type-mismatch@rows.0.cells.0',
      'table-type-mismatch@rows.0.cells.1',
      'table-type-mismatch@rows.0.outputs.0',
      'table-type-mismatch@rows.0.outputs.1',
    ])
    expect(problems[0]?.message).toMatch(/^Row 1, input 1/)
  })
  it('reports malformed shapes and cells', () => {
    const problems = codes({
      ...base(
        [
          { cells: ['> 1'], outputs: ['a', 1] },
          { cells: ['[1..', '-'], outputs: ['a', 1] },
        ],
        'priority',
      ),
      aggregation: 'sum',
    })
    expect(problems).toEqual(
      expect.arrayContaining([
        'malformed-rule@rows.0.cells',
        'malformed-rule@rows.1.cells.0',
        'malformed-rule@aggregation',
        'malformed-rule@hitPolicy',
      ]),
    )
    expect(codes({ inputs: [] })[0]).toMatch(/^malformed-rule@/)
    const clash = base(
      [
        { id: 'row-2', cells: ['< 18', '-'], outputs: ['a', 1] },
        { cells: ['>= 18', '-'], outputs: ['b', 2] },
      ],
      'first',
    )
    expect(codes(clash)).toEqual(['malformed-rule@rows.1'])
  })
})
