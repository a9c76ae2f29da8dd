import { describe, expect, it } from 'vitest'
import { draftOf, emptyRule, plainError, ruleOf } from './rules-editor.tsx'

describe('alert rules as a form', () => {
  it('turns each kind of rule into its form and back unchanged', () => {
    const rules = [
      {
        id: 'fhir-down',
        kind: 'connector-failure-rate',
        connector: 'fhir',
        threshold: 0.25,
        windowMinutes: 15,
        minCalls: 3,
      },
      { id: 'held', kind: 'incident-age', minutes: 30, flowId: 'intake' },
      { id: 'letters', kind: 'dead-letter' },
      { id: 'late', kind: 'task-overdue', minutes: 0 },
      { id: 'hl7', kind: 'listener-down', minutes: 2 },
    ] as const
    for (const rule of rules) expect(ruleOf(draftOf(rule))).toEqual(rule)
  })

  it('sends what is not a number as typed, so the runtime says what is wrong; percent becomes a share', () => {
    const draft = { ...emptyRule(1), id: 'fhir-down', threshold: '50', windowMinutes: '5m', minCalls: '' }
    expect(ruleOf(draft)).toEqual({
      id: 'fhir-down',
      kind: 'connector-failure-rate',
      threshold: 0.5,
      windowMinutes: '5m',
    })
  })

  it('names a refused field by its rule row from 1', () => {
    const rules = [emptyRule(1), { ...emptyRule(2), id: 'fhir-down' }]
    expect(plainError('rules.1.windowMinutes: windowMinutes must be a number of minutes', rules)).toEqual({
      text: 'Rule 2 (fhir-down): windowMinutes must be a number of minutes',
      row: 1,
      field: 'windowMinutes',
    })
    expect(plainError('owners.x.process.0.email: Invalid email address', rules)).toBeNull()
  })
})
