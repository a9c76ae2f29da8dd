import { describe, expect, it } from 'vitest'
import { factAt } from '@carepath/dsl'
import { checkRules, parseRules } from './check-rules.ts'
import { compileClosureRules } from './compiled-rules.ts'
import { compileParsedRules } from './evaluate.ts'
import { factPathsOf } from './rule-walk.ts'
import { eligibilityRules } from './fixtures/eligibility.fixture.ts'

describe('checkRules', () => {
  it('accepts the example decision', () => {
    expect(checkRules(eligibilityRules)).toEqual([])
  })
  it('reports malformed rules with the JSON path inside the config', () => {
    const problems = checkRules([
      { id: 'a', conditions: { all: [{ fact: 'x.y', operator: 'nope', value: 1 }] }, event: { type: 'ok' } },
      { id: 'a', conditions: { all: [] }, event: { type: 'ok' } },
      { id: 'c', conditions: { fact: 'x', operator: 'equal', value: 1 }, event: { type: 'ok' } },
      {
        id: 'd',
        conditions: { any: [{ fact: 'x', operator: 'matches', value: '(a+)+$' }] },
        event: { type: 'bad type!' },
      },
      { id: 'e', conditions: { not: [{ fact: 'x', operator: 'equal', value: 1 }] }, event: { type: 'ok' } },
      {
        id: 'f',
        conditions: { all: [{ fact: 'x', path: '$..y[*]', operator: 'equal', value: 1 }] },
        event: { type: 'ok' },
      },
      { id: 'g', conditions: { all: [{ condition: 'shared' }] }, event: { type: 'ok' } },
      {
        id: 'h',
        conditions: { all: [{ fact: 'x', operator: 'between', value: { fact: 'y' } }] },
        event: { type: 'ok' },
      },
      {
        id: 'i',
        priority: 0,
        conditions: { all: [{ fact: 'x', operator: 'equal', value: null }] },
        event: { type: 'ok' },
      },
    ])
    const where = problems.map((p) => p.path)
    expect(problems.every((p) => p.code === 'malformed-rule')).toBe(true)
    expect(where).toEqual(
      expect.arrayContaining([
        'rules.0.conditions.all.0.operator',
        'rules.1.id',
        'rules.1.conditions.all',
        'rules.2.conditions',
        'rules.3.conditions.any.0.value',
        'rules.3.event.type',
        'rules.4.conditions.not',
        'rules.5.conditions.all.0.path',
        'rules.6.conditions.all.0.condition',
        'rules.7.conditions.all.0.value',
        'rules.8.priority',
        'rules.8.conditions.all.0.value',
      ]),
    )
  })
  it('never echoes fact values into messages and refuses a non-list', () => {
    expect(checkRules({ not: 'a list' }, 'config.rules')).toEqual([
      { code: 'malformed-rule', severity: 'error', path: 'config.rules', message: 'The rules must be a list.' },
    ])
  })
})

describe('checkRules with a facts schema', () => {
  it('warns where "not" wraps an optional fact, unless exists guards it', () => {
    const schema = {
      type: 'object' as const,
      required: ['patient'],
      properties: {
        patient: {
          type: 'object' as const,
          required: ['mrn'],
          properties: { mrn: { type: 'string' as const }, state: { type: 'string' as const } },
        },
      },
    }
    const rule = (all: unknown[]) => [{ id: 'x', conditions: { all }, event: { type: 'ok' } }]
    const notState = { not: { fact: 'patient.state', operator: 'equal', value: 'NH' } }
    expect(checkRules(rule([notState]), 'rules', schema)).toEqual([
      expect.objectContaining({ code: 'malformed-rule', severity: 'warning', path: 'rules.0.conditions.all.0.not' }),
    ])
    expect(
      checkRules(rule([{ fact: 'patient.state', operator: 'exists', value: true }, notState]), 'rules', schema),
    ).toEqual([])
    expect(
      checkRules(rule([{ not: { fact: 'patient.mrn', operator: 'equal', value: 'x' } }]), 'rules', schema),
    ).toEqual([])
  })
})

describe('parity gaps with json-rules-engine', () => {
  const indexed = [
    {
      id: 'first-code',
      conditions: { all: [{ fact: 'labs', path: '$.results.0.code', operator: 'equal', value: 'A1C' }] },
      event: { type: 'yes' },
    },
  ]
  const schema = {
    type: 'object',
    properties: {
      labs: {
        type: 'object',
        properties: {
          results: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' } } } },
        },
      },
    },
  } as const

  it('accepts a path with an array index and reads that item, on both evaluators', async () => {
    expect(checkRules(indexed, 'rules', schema)).toEqual([])
    expect(factPathsOf(parseRules(indexed))).toEqual(['labs.results.0.code'])
    expect(factAt(schema, 'labs.results.0.code')).toEqual({ type: 'string' })
    const facts = { labs: { results: [{ code: 'A1C' }, { code: 'LDL' }] } }
    for (const evaluator of [compileParsedRules(parseRules(indexed)), compileClosureRules(parseRules(indexed))])
      expect((await evaluator.evaluate({ facts, now: '2026-01-01T00:00:00Z' })).fired).toEqual(['first-code'])
  })

  it('accepts a numeric string as a comparison value and compares as json-rules-engine does', async () => {
    const rules = [
      {
        id: 'small',
        conditions: { all: [{ fact: 'n', operator: 'lessThan', value: '10' }] },
        event: { type: 'yes' },
      },
    ]
    expect(checkRules(rules)).toEqual([])
    const parsed = parseRules(rules)
    for (const [n, fired] of [
      [5, true], // 5 < "10": compared as numbers
      [12, false],
      ['5', false], // "5" < "10": both text, compared as text, as in json-rules-engine
    ] as const) {
      const facts = { n }
      const reference = await compileParsedRules(parsed).evaluate({ facts, now: '2026-01-01T00:00:00Z' })
      const compiled = await compileClosureRules(parsed).evaluate({ facts, now: '2026-01-01T00:00:00Z' })
      expect(reference.fired.length > 0).toBe(fired)
      expect(JSON.stringify(compiled)).toBe(JSON.stringify(reference))
    }
    expect(
      checkRules([{ ...rules[0], conditions: { all: [{ fact: 'n', operator: 'lessThan', value: 'ten' }] } }]),
    ).toEqual([expect.objectContaining({ code: 'malformed-rule', path: 'rules.0.conditions.all.0.value' })])
  })
})
