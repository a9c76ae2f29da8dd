import { describe, expect, it } from 'vitest'
import { factKind, parseValue } from './rule-model.ts'
import { newFlowDocument } from '../../screens/new-flow-template.ts'

describe('the condition builder value input', () => {
  const facts = newFlowDocument('x', 'x', 'visit-scheduling').facts
  it('knows the kind of each fact from the facts schema', () => {
    expect(factKind(facts, 'coverage.copay')).toBe('number')
    expect(factKind(facts, 'patient.birthDate')).toBe('date')
    expect(factKind(facts, 'coverage.active')).toBe('boolean')
    expect(factKind(facts, 'nope.nothing')).toBe('any')
  })
  it('keeps text as text for text facts and reads numbers and lists otherwise', () => {
    expect(parseValue('123', 'string')).toBe('123')
    expect(parseValue('50', 'number')).toBe(50)
    expect(parseValue('["a","b"]', 'string')).toEqual(['a', 'b'])
    expect(parseValue('procedure', 'any')).toBe('procedure')
  })
})
