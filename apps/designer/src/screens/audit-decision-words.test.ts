import { describe, expect, it } from 'vitest'
import type { DecisionExplanation, FlowDocument } from '@carepath/dsl'
import { stepTitle, withRuleNames } from './audit-decision-words.ts'

const document: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'eligibility',
  version: 1,
  title: 'Eligibility',
  facts: { type: 'object' },
  roles: {},
  start: 'cost-check',
  nodes: {
    'cost-check': {
      type: 'decision.rules',
      typeVersion: 1,
      title: 'Patient cost above threshold?',
      config: { rules: [{ id: 'high-copay', name: 'Copay above $50' }, { id: 'unnamed' }] },
      next: {},
    },
    table: { type: 'decision.table', typeVersion: 1, config: { rows: [] }, next: {} },
  },
}

const explanation: DecisionExplanation = {
  outcome: 'estimate',
  fired: ['high-copay'],
  rules: [
    { id: 'high-copay', fired: true, conditions: [] },
    { id: 'unnamed', fired: false, conditions: [] },
    { id: 'gone', fired: false, conditions: [] },
  ],
}

describe("a run record's decisions in the version's words", () => {
  it('names the step by its title, one without a title by its type and number, and by its id without the version', () => {
    expect(stepTitle(document, 'cost-check')).toBe('Patient cost above threshold?')
    expect(stepTitle(document, 'table')).toBe('Decision table 1')
    expect(stepTitle(null, 'cost-check')).toBe('cost-check')
  })

  it("names each rule from the step's rules, and leaves the rest as they were", () => {
    expect(withRuleNames(explanation, document, 'cost-check').rules.map((r) => r.name ?? r.id)).toEqual([
      'Copay above $50',
      'unnamed',
      'gone',
    ])
    expect(withRuleNames(explanation, null, 'cost-check')).toBe(explanation)
    expect(withRuleNames(explanation, document, 'table')).toBe(explanation)
  })
})
