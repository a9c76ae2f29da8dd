import { describe, expect, it } from 'vitest'
import { REDACTED, type FactSchema } from '@carepath/dsl'
import { decisionSentences } from './decision-sentence.ts'

const facts: FactSchema = {
  type: 'object',
  properties: {
    copay: { type: 'number', 'x-phi': 'none' },
    coverage: { type: 'object', 'x-phi': 'coverage', properties: { active: { type: 'boolean' } } },
    plan: { type: 'string', 'x-phi': 'none' },
  },
}

describe('a decision as sentences', () => {
  it('says which rule matched with the values it saw', () => {
    expect(
      decisionSentences(
        {
          outcome: 'review',
          fired: ['high-copay'],
          rules: [
            {
              id: 'high-copay',
              name: 'Copay above $50',
              fired: true,
              conditions: [
                { path: 'all.0', fact: 'copay', operator: 'greaterThan', expected: 50, seen: 75, result: true },
              ],
            },
            {
              id: 'gold',
              fired: false,
              conditions: [
                { path: 'all.0', fact: 'plan', operator: 'equal', expected: 'gold', seen: 'silver', result: false },
              ],
            },
          ],
        },
        facts,
      ),
    ).toEqual(['Copay above $50 matched: copay 75 > 50', 'gold did not match: plan “silver” = “gold”'])
  })

  it('names the PHI class of a value the viewer may not see, a boolean reference included', () => {
    const [line] = decisionSentences(
      {
        outcome: 'active',
        fired: ['active'],
        rules: [
          {
            id: 'active',
            name: 'Coverage active',
            fired: true,
            conditions: [
              {
                path: 'all.0',
                fact: 'coverage.active',
                operator: 'equal',
                expected: true,
                seen: 'hmac:3f9a',
                result: true,
              },
              {
                path: 'all.1',
                fact: 'coverage.active',
                operator: 'notEqual',
                expected: false,
                seen: REDACTED,
                result: true,
              },
            ],
          },
        ],
      },
      facts,
    )
    expect(line).toBe(
      'Coverage active matched: active hidden (PHI class: coverage) = true, active hidden (PHI class: coverage) ≠ false',
    )
  })
})
