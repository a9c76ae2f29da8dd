import { describe, expect, it } from 'vitest'
import { adoptJson, isHandedOverJson, toJson, type FactSchema } from '@carepath/dsl'
import { generateCases } from './cases.ts'
import { explainRules } from './explain.ts'
import { compareEvaluators, compileClosureRules } from './compiled-rules.ts'
import { compileTable } from './decision-table/compile-table.ts'
import { compileParsedRules } from './evaluate.ts'
import { plainExplanation } from './lazy-traces.ts'
import { a1cTable } from './fixtures/a1c-table.fixture.ts'
import { eligibilityRules } from './fixtures/eligibility.fixture.ts'
import type { Rule } from './rule.schema.ts'

const now = '2026-11-22T11:00:00Z'
const schema: FactSchema = {
  type: 'object',
  properties: { labs: { type: 'object', properties: { a1c: { type: 'number' } } } },
}

describe('compileClosureRules, checked case by case against json-rules-engine', () => {
  it('gives byte-identical results on every generated case of the eligibility rules', async () => {
    const inputs = generateCases({ kind: 'rules', rules: eligibilityRules }, schema, { now }).map((facts) => ({
      facts,
      now,
    }))
    const report = await compareEvaluators(
      compileParsedRules(eligibilityRules),
      compileClosureRules(eligibilityRules),
      inputs,
    )
    expect(report.checked).toBeGreaterThan(50)
    expect(report.mismatches).toEqual([])
  })

  it('gives byte-identical results on a decision table, not(...) cells and catch-all rows included', async () => {
    const rules = compileTable(a1cTable, schema)
    const inputs = generateCases({ kind: 'table', table: a1cTable }, schema, { now }).map((facts) => ({ facts, now }))
    const report = await compareEvaluators(compileParsedRules(rules), compileClosureRules(rules), inputs)
    expect(report.mismatches).toEqual([])
  })

  it('reports a difference when the candidate decides otherwise (a changed threshold)', async () => {
    const changed: Rule[] = eligibilityRules.map((r) =>
      r.id === 'r04-diabetes-a1c-high'
        ? { ...r, conditions: { all: [{ fact: 'labs.a1c', operator: 'greaterThanInclusive', value: 9.5 }] } }
        : r,
    )
    const inputs = generateCases({ kind: 'rules', rules: eligibilityRules }, schema, { now }).map((facts) => ({
      facts,
      now,
    }))
    const report = await compareEvaluators(compileParsedRules(eligibilityRules), compileClosureRules(changed), inputs)
    expect(report.mismatches.length).toBeGreaterThan(0)
  })
})

describe('explanations of the compiled evaluator', () => {
  it('are handed over to the run log when built at once, and equal their checked copy', async () => {
    const evaluator = compileClosureRules(eligibilityRules)
    const input = { facts: { labs: { a1c: 7.1 } }, now }
    const eager = explainRules(await evaluator.evaluate(input), 'none').explanation
    expect(isHandedOverJson(eager)).toBe(true)
    expect(adoptJson(eager)).toBe(eager)
    expect(structuredClone(eager)).toEqual(JSON.parse(JSON.stringify(eager)))
    // Built lazily (the synchronous form), the rule traces are not handed over: a read builds them.
    const lazy = explainRules(evaluator.evaluateLazily(input), 'none').explanation
    expect(isHandedOverJson(lazy)).toBe(false)
    // The checked copy takes plain objects only: a lazy explanation is made plain first.
    expect(() => toJson(lazy)).toThrow(/LazyExplanation/)
    expect(toJson(plainExplanation(lazy))).toEqual(toJson(eager))
  })
})
