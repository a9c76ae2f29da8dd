import { describe, expect, it } from 'vitest'
import type { FactSchema } from '@carepath/dsl'
import { generateCases } from './cases.ts'
import { samplePattern } from './pattern-sample.ts'
import { compileRules } from './evaluate.ts'
import { compileDecisionTable } from './decision-table/evaluate-table.ts'
import type { DecisionTable } from './decision-table/table.schema.ts'
import { eligibilityRules } from './fixtures/eligibility.fixture.ts'

const now = '2026-11-22T11:00:00Z'
const schema: FactSchema = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      properties: {
        birthDate: { type: 'string', format: 'date' },
        state: { type: 'string', enum: ['MA', 'NH', 'RI', 'CT', 'NY'] },
        consentOnFile: { type: 'boolean' },
      },
    },
    labs: { type: 'object', properties: { a1c: { type: 'number' }, a1cTarget: { type: 'number' } } },
  },
}

describe('generateCases for rules', () => {
  const cases = generateCases({ kind: 'rules', rules: eligibilityRules }, schema, { now })
  it('makes every rule fire and not fire somewhere', async () => {
    const evaluator = compileRules(eligibilityRules)
    const fired = new Set<string>()
    const missed = new Set<string>()
    for (const facts of cases) {
      const result = await evaluator.evaluate({ facts, now })
      for (const rule of result.rules) (rule.fired ? fired : missed).add(rule.id)
    }
    const ids = eligibilityRules.map((r) => r.id)
    expect([...fired].sort()).toEqual(ids)
    expect([...missed].sort()).toEqual(ids)
  })
  it('hits below, at and above numeric and date thresholds, each listed code, and a missing value', () => {
    const a1c = cases.map((c) => (c.labs as { a1c?: number } | undefined)?.a1c)
    expect(a1c).toEqual(expect.arrayContaining([8, 9, 10]))
    const births = cases.map((c) => (c.patient as { birthDate?: string } | undefined)?.birthDate)
    expect(births).toEqual(expect.arrayContaining(['2008-11-23', '2008-11-22', '2008-11-21', '1961-11-22']))
    const diagnoses = cases.map((c) => (c.encounter as { diagnosis?: string } | undefined)?.diagnosis)
    expect(diagnoses).toEqual(expect.arrayContaining(['I10', 'E11.9', 'E10.9', 'J45.909', 'not-listed']))
    expect(cases.some((c) => c.labs !== undefined && (c.labs as Record<string, unknown>).a1c === undefined)).toBe(true)
    const states = cases.map((c) => (c.patient as { state?: string } | undefined)?.state)
    expect(states).toContain('NY')
  })
  it('is deterministic and free of repeats', () => {
    const again = generateCases({ kind: 'rules', rules: eligibilityRules }, schema, { now })
    expect(JSON.stringify(again)).toBe(JSON.stringify(cases))
    expect(new Set(cases.map((c) => JSON.stringify(c))).size).toBe(cases.length)
  })
})

describe('generateCases for tables', () => {
  it('reaches every row and the noMatch port', async () => {
    const table: DecisionTable = {
      inputs: [{ fact: 'labs.a1c' }, { fact: 'patient.state' }],
      outputs: [{ fact: 'out.level' }],
      rows: [
        { cells: ['>= 9', '-'], outputs: ['high'] },
        { cells: ['[6.5..9)', 'not(NY)'], outputs: ['mid'] },
        { cells: ['< 6.5', 'MA, NH'], outputs: ['low'] },
      ],
      hitPolicy: 'first',
    }
    const compiled = compileDecisionTable(table, schema)
    const outcomes = new Set<string>()
    for (const facts of generateCases({ kind: 'table', table }, schema, { now })) {
      const d = await compiled.decide({ facts, now })
      outcomes.add(d.outcome === 'noMatch' ? 'noMatch' : String(d.outputs['out.level']))
    }
    expect([...outcomes].sort()).toEqual(['high', 'low', 'mid', 'noMatch'])
  })
})

describe('samplePattern', () => {
  it('finds a text a simple pattern matches, or says it cannot', () => {
    expect(samplePattern('^[A-Z]{3}\\d{6}$')).toBe('AAA000000')
    expect(samplePattern('^E1[01](\\.\\d{1,2})?$')).toBe('E10')
    expect(samplePattern('^\\D+$')).toBeUndefined()
  })
})

describe('generateCases: each condition decides its rule on its own (MC/DC-style)', () => {
  it('moves the heart rate around its threshold with spo2 < 90 false, under any and under all', () => {
    const vitals: FactSchema = {
      type: 'object',
      properties: { vitals: { type: 'object', properties: { hr: { type: 'integer' }, spo2: { type: 'integer' } } } },
    }
    const rules = [
      {
        id: 'unstable',
        conditions: {
          all: [
            { fact: 'vitals.hr', operator: 'exists', value: true },
            {
              any: [
                { fact: 'vitals.spo2', operator: 'lessThan', value: 90 },
                { fact: 'vitals.hr', operator: 'greaterThan', value: 120 },
              ],
            },
          ],
        },
        event: { type: 'urgent' },
      },
    ]
    const cases = generateCases({ kind: 'rules', rules }, vitals, { now })
    const alone = cases.filter((c) => (c.vitals as { spo2?: number } | undefined)?.spo2 === 90)
    expect(alone.map((c) => (c.vitals as { hr: number }).hr).sort()).toEqual(expect.arrayContaining([119, 120, 121]))
  })
})
