// A lazy result builds its rule traces on the first read only, and reads and serialises as the
// eager result does, byte for byte: rule sets and decision tables, every generated case.
import { describe, expect, it } from 'vitest'
import type { FactSchema } from '@carepath/dsl'
import { generateCases } from './cases.ts'
import { compileClosureRules } from './compiled-rules.ts'
import { compileDecisionTable } from './decision-table/evaluate-table.ts'
import { explainRules } from './explain.ts'
import { a1cTable } from './fixtures/a1c-table.fixture.ts'
import { eligibilityRules } from './fixtures/eligibility.fixture.ts'
import { LazyExplanation, LazyRulesResult, plainExplanation, plainResult, type TraceBuilder } from './lazy-traces.ts'

const now = '2026-11-22T11:00:00Z'
const schema: FactSchema = {
  type: 'object',
  properties: {
    labs: { type: 'object', properties: { a1c: { type: 'number' } } },
    patient: { type: 'object', properties: { state: { type: 'string' } } },
  },
}

function counted(): { builder: TraceBuilder; builds: () => number } {
  let builds = 0
  const builder: TraceBuilder = {
    traces: (firedAt) => {
      builds++
      return firedAt.map((i) => ({ id: `r${i}`, fired: true, conditions: [] }))
    },
  }
  return { builder, builds: () => builds }
}

describe('LazyRulesResult', () => {
  it('builds the traces on the first read only, and keeps them', () => {
    const { builder, builds } = counted()
    const result = new LazyRulesResult(['r1'], [{ ruleId: 'r1', type: 'yes' }], builder, [1], [], now)
    expect(builds()).toBe(0)
    expect(result.rules).toEqual([{ id: 'r1', fired: true, conditions: [] }])
    expect(result.rules).toBe(result.rules)
    expect(builds()).toBe(1)
  })

  it('serialises and copies as a plain result, members in the eager order', () => {
    const { builder } = counted()
    const result = new LazyRulesResult(['r1'], [{ ruleId: 'r1', type: 'yes' }], builder, [1], [], now)
    const plain = {
      fired: ['r1'],
      events: [{ ruleId: 'r1', type: 'yes' }],
      rules: [{ id: 'r1', fired: true, conditions: [] }],
    }
    expect(JSON.stringify(result)).toBe(JSON.stringify(plain))
    expect(Object.getPrototypeOf(plainResult(result))).toBe(Object.prototype)
    expect(structuredClone(plainResult(result))).toEqual(plain)
    // A spread of the lazy object itself leaves the traces out: the documented reason for plainResult.
    expect({ ...result }).not.toHaveProperty('rules')
  })

  it('takes an assignment of its traces before they are built', () => {
    const { builder, builds } = counted()
    const result = new LazyRulesResult([], [], builder, [], [], now)
    result.rules = [{ id: 'set', fired: false, conditions: [] }]
    expect(result.rules).toEqual([{ id: 'set', fired: false, conditions: [] }])
    expect(builds()).toBe(0)
  })
})

describe('lazy and eager decisions', () => {
  it('give the same bytes for every generated case of a rule set, result and explanation', async () => {
    const evaluator = compileClosureRules(eligibilityRules)
    const cases = generateCases({ kind: 'rules', rules: eligibilityRules }, schema, { now })
    expect(cases.length).toBeGreaterThan(50)
    for (const facts of cases) {
      const eager = await evaluator.evaluate({ facts, now })
      const lazy = evaluator.evaluateLazily({ facts, now })
      expect(lazy).toBeInstanceOf(LazyRulesResult)
      expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager))
      const eagerWhy = explainRules(eager, 'none').explanation
      const lazyWhy = explainRules(lazy, 'none').explanation
      expect(lazyWhy).toBeInstanceOf(LazyExplanation)
      expect(JSON.stringify(lazyWhy)).toBe(JSON.stringify(eagerWhy))
      expect(plainExplanation(lazyWhy)).toEqual(eagerWhy)
    }
  })

  it('give the same bytes for a decision table, its outputs after the traces', async () => {
    const compiled = compileDecisionTable(a1cTable, schema, compileClosureRules)
    const lazily = compiled.decideLazily
    expect(lazily).toBeDefined()
    for (const facts of generateCases({ kind: 'table', table: a1cTable }, schema, { now })) {
      const eager = await compiled.decide({ facts, now })
      const lazy = lazily?.({ facts, now })
      expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager))
      expect(Object.keys(JSON.parse(JSON.stringify(lazy?.explanation)))).toEqual([
        'outcome',
        'fired',
        'rules',
        'outputs',
      ])
    }
  })
})
