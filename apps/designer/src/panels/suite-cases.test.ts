import { describe, expect, it } from 'vitest'
import { casesFromText, isSuiteCase, storedCases } from './suite-cases.ts'

describe('suite cases', () => {
  it('reads the cases of stored suites, numbering those without an id and keeping only case members', () => {
    const cases = storedCases([
      {
        flow: 'eligibility-verification',
        cases: [
          { name: 'active', source: 'samples/active.json', input: { patient: { age: 40 } } },
          { id: 'inactive', input: {}, mocks: { payer: { status: 'inactive' } }, expect: { outcome: 'denied' } },
        ],
      },
      { cases: [{ id: 'other', input: { visit: { type: 'x' } }, answers: { call: { value: 'yes' } } }] },
    ])
    expect(cases).toEqual([
      { id: 'case-1', name: 'active', input: { patient: { age: 40 } } },
      { id: 'inactive', input: {}, mocks: { payer: { status: 'inactive' } }, expect: { outcome: 'denied' } },
      { id: 'other', input: { visit: { type: 'x' } }, answers: { call: { value: 'yes' } } },
    ])
  })

  it('leaves out what is not a suite or not a case', () => {
    expect(storedCases([null, 'text', [], { cases: 'none' }, { cases: [{ name: 'no input' }, 42] }])).toEqual([])
  })

  it('accepts an edited case only when it is a whole case with an id', () => {
    expect(isSuiteCase({ id: 'a', input: { x: 1 } })).toBe(true)
    expect(isSuiteCase({ input: { x: 1 } })).toBe(false)
    expect(isSuiteCase({ id: 'a' })).toBe(false)
    expect(isSuiteCase({ id: 'a', input: {}, typo: true })).toBe(false)
    expect(isSuiteCase([{ id: 'a', input: {} }])).toBe(false)
  })

  it('reads cases kept as text, and nothing from text that is not a list of cases', () => {
    expect(casesFromText('[{"id":"a","input":{}}]')).toEqual([{ id: 'a', input: {} }])
    expect(casesFromText('[{"input":{}}]')).toBeNull()
    expect(casesFromText('not json')).toBeNull()
  })
})
