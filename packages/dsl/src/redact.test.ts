import { describe, expect, it } from 'vitest'
import type { DecisionExplanation } from './explanation.ts'
import type { FactSchema } from './facts-schema.ts'
import type { JsonValue } from './json.ts'
import { REDACTED, redactExplanation, redactFacts } from './redact.ts'

const SSN = '999-12-3456'
const NAME = 'Jane Canary'
const DIAGNOSIS = 'F32.9 canary depression'

const schema: FactSchema = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      'x-phi': 'demographic',
      properties: {
        name: { type: 'string' },
        ssn: { type: 'string', 'x-phi': 'identifier' },
        language: { type: 'string', 'x-phi': 'none' },
      },
    },
    visits: {
      type: 'array',
      'x-phi': 'clinical',
      items: {
        type: 'object',
        properties: { code: { type: 'string', 'x-phi': 'none' }, diagnosis: { type: 'string', 'x-phi': 'sensitive' } },
      },
    },
    amount: { type: 'number', 'x-phi': 'financial' },
    flag: { type: 'boolean', 'x-phi': 'none' },
    notes: { type: 'string' },
  },
}

const facts: JsonValue = {
  patient: { name: NAME, ssn: SSN, language: 'es' },
  visits: [{ code: 'A1', diagnosis: DIAGNOSIS }],
  amount: 120,
  flag: true,
  notes: `call ${NAME}`,
  extra: SSN,
}

const leaks = (value: unknown, ...canaries: string[]) => canaries.filter((c) => JSON.stringify(value).includes(c))

describe('redactFacts', () => {
  it('a role with no PHI classes sees only fields marked none', () => {
    expect(redactFacts(facts, schema, [])).toEqual({
      patient: { name: REDACTED, ssn: REDACTED, language: 'es' },
      visits: [{ code: 'A1', diagnosis: REDACTED }],
      amount: REDACTED,
      flag: true,
      notes: REDACTED,
      extra: REDACTED,
    })
  })

  it('never lets the SSN canary through to a role without identifier access, at any depth', () => {
    const demographic = redactFacts(facts, schema, ['demographic', 'clinical', 'financial'])
    expect(leaks(demographic, SSN, DIAGNOSIS)).toEqual([])
    expect(demographic).toMatchObject({ patient: { name: NAME }, amount: 120 })
  })

  it('fails closed on unclassified fields and fields not in the schema, whatever the role', () => {
    const everything = redactFacts(facts, schema, [
      'identifier',
      'demographic',
      'contact',
      'coverage',
      'clinical',
      'financial',
      'sensitive',
    ])
    expect(everything).toMatchObject({
      patient: { name: NAME, ssn: SSN },
      visits: [{ diagnosis: DIAGNOSIS }],
      notes: REDACTED,
      extra: REDACTED,
    })
  })

  it('redacts values whose shape does not fit the schema', () => {
    expect(
      redactFacts({ patient: SSN, amount: { hidden: SSN }, flag: [SSN] }, schema, ['demographic', 'financial']),
    ).toEqual({
      patient: REDACTED,
      amount: REDACTED,
      flag: REDACTED,
    })
  })

  it('redacts a sub-tree given its base path', () => {
    expect(redactFacts({ name: NAME, ssn: SSN }, schema, ['demographic'], 'patient')).toEqual({
      name: NAME,
      ssn: REDACTED,
    })
    expect(redactFacts(SSN, schema, ['demographic'], 'patient.ssn')).toBe(REDACTED)
    expect(redactFacts(SSN, schema, ['identifier'], 'patient.ssn')).toBe(SSN)
    expect(redactFacts(SSN, schema, ['identifier'], 'patient.unknown')).toBe(REDACTED)
  })

  it('does not resolve Object.prototype members as schema fields', () => {
    const open: FactSchema = { type: 'object', 'x-phi': 'none', properties: {} }
    expect(redactFacts({ constructor: SSN, toString: NAME }, open, [])).toEqual({
      constructor: REDACTED,
      toString: REDACTED,
    })
    expect(redactFacts(SSN, open, [], 'constructor')).toBe(REDACTED)
  })

  it('does not change its input', () => {
    const copy = structuredClone(facts)
    redactFacts(facts, schema, [])
    expect(facts).toEqual(copy)
  })
})

describe('redactExplanation', () => {
  const explanation: DecisionExplanation = {
    outcome: 'review',
    fired: ['same-person'],
    rules: [
      {
        id: 'same-person',
        fired: true,
        conditions: [
          {
            path: 'all.0',
            fact: 'patient.ssn',
            operator: 'equal',
            expected: SSN,
            expectedFact: 'patient.ssn',
            seen: SSN,
            result: true,
          },
          { path: 'all.1', fact: 'amount', operator: 'greaterThan', expected: 100, seen: 120, result: true },
          {
            path: 'all.2',
            fact: 'patient.name',
            operator: 'equal',
            expected: 'literal in the flow',
            seen: NAME,
            result: false,
          },
        ],
      },
    ],
    outputs: { amount: 120, 'patient.name': NAME, unknownOutput: SSN },
  }

  it('redacts seen values and fact-to-fact expected values by the class of their fact', () => {
    const forScheduler = redactExplanation(explanation, schema, ['demographic'])
    expect(leaks(forScheduler, SSN)).toEqual([])
    const [ssn, amount, name] = forScheduler.rules[0]!.conditions
    expect(ssn).toMatchObject({ seen: REDACTED, expected: REDACTED, result: true })
    expect(amount).toMatchObject({ seen: REDACTED, expected: 100 })
    expect(name).toMatchObject({ seen: NAME, expected: 'literal in the flow' })
    expect(forScheduler.outputs).toEqual({ amount: REDACTED, 'patient.name': NAME, unknownOutput: REDACTED })
    expect(forScheduler.fired).toEqual(['same-person'])
  })

  it('a role with no PHI classes sees neither canary anywhere', () => {
    expect(leaks(redactExplanation(explanation, schema, []), SSN, NAME)).toEqual([])
  })

  it('leaves values the role may see', () => {
    const billing = redactExplanation(explanation, schema, ['identifier', 'financial'])
    expect(billing.rules[0]!.conditions[0]).toMatchObject({ seen: SSN, expected: SSN })
    expect(billing.rules[0]!.conditions[1]).toMatchObject({ seen: 120 })
  })
})
