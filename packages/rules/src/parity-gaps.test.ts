// The two parity gaps the issue found, each checked against json-rules-engine itself (a plain
// Engine with its default JSONPath resolver, no Carepath adapter): a path with an array index,
// and a numeric string as the comparison value. Carepath's reference adapter and its compiled
// evaluator must fire exactly the rules json-rules-engine fires.
import { Engine, type TopLevelCondition } from 'json-rules-engine'
import type { JsonValue } from '@carepath/dsl'
import { describe, expect, it } from 'vitest'
import { checkRules, parseRules } from './check-rules.ts'
import { compileClosureRules } from './compiled-rules.ts'
import { compileParsedRules } from './evaluate.ts'

const NOW = '2026-01-01T00:00:00Z'

/** The rule ids json-rules-engine 7.3 fires, run as its own documentation shows. */
async function firedByJsonRulesEngine(
  rule: { id: string; conditions: TopLevelCondition },
  facts: Record<string, JsonValue>,
): Promise<string[]> {
  const engine = new Engine([], { allowUndefinedFacts: true })
  engine.addRule({ name: rule.id, conditions: rule.conditions, event: { type: rule.id } })
  const { events } = await engine.run(facts)
  return events.map((event) => event.type)
}

/** The rule ids Carepath fires, on the reference adapter and on the compiled evaluator. */
async function firedByCarepath(rules: unknown, facts: Record<string, JsonValue>): Promise<string[][]> {
  const parsed = parseRules(rules)
  const reference = await compileParsedRules(parsed).evaluate({ facts, now: NOW })
  const compiled = await compileClosureRules(parsed).evaluate({ facts, now: NOW })
  expect(JSON.stringify(compiled)).toBe(JSON.stringify(reference))
  return [reference.fired, compiled.fired]
}

describe('parity with json-rules-engine itself', () => {
  it('reads an array item by index in a path ($.results.0.code)', async () => {
    const rule: { id: string; conditions: TopLevelCondition } = {
      id: 'first-code',
      conditions: { all: [{ fact: 'labs', path: '$.results.0.code', operator: 'equal', value: 'A1C' }] },
    }
    const rules = [{ ...rule, event: { type: 'yes' } }]
    expect(checkRules(rules)).toEqual([])
    const cases: Record<string, JsonValue>[] = [
      { labs: { results: [{ code: 'A1C' }, { code: 'LDL' }] } }, // the first item matches
      { labs: { results: [{ code: 'LDL' }, { code: 'A1C' }] } }, // only the second does
      { labs: { results: [] } }, // no item
      { labs: {} }, // no list
    ]
    for (const facts of cases) {
      const expected = await firedByJsonRulesEngine(rule, facts)
      expect(await firedByCarepath(rules, facts)).toEqual([expected, expected])
    }
    expect(await firedByJsonRulesEngine(rule, { labs: { results: [{ code: 'A1C' }] } })).toEqual(['first-code'])
  })

  it('compares with a numeric string value ("10" with lessThan) as json-rules-engine does', async () => {
    const rule: { id: string; conditions: TopLevelCondition } = {
      id: 'small',
      conditions: { all: [{ fact: 'n', operator: 'lessThan', value: '10' }] },
    }
    const rules = [{ ...rule, event: { type: 'yes' } }]
    expect(checkRules(rules)).toEqual([])
    for (const n of [5, 9.5, 10, 12, '5', '12', '09']) {
      const expected = await firedByJsonRulesEngine(rule, { n })
      expect(await firedByCarepath(rules, { n })).toEqual([expected, expected])
    }
    // A number fact compares by number, a text fact as text: "5" < "10" is false in both.
    expect(await firedByJsonRulesEngine(rule, { n: 5 })).toEqual(['small'])
    expect(await firedByJsonRulesEngine(rule, { n: '5' })).toEqual([])
  })
})
