import { describe, expect, it } from 'vitest'
import { applyOperator, operatorSpec, type ClockSlot } from './operators.ts'
import { unsafePatternReason } from './safe-pattern.ts'

const clock: ClockSlot = { now: '2026-11-22T11:00:00Z' }
const op = (name: string, fact: unknown, value: unknown): boolean => {
  const spec = operatorSpec(name)
  if (!spec) throw new Error(`no operator ${name}`)
  return applyOperator(spec, fact, value, clock)
}
const valueProblem = (name: string, value: unknown): string | undefined => operatorSpec(name)?.checkValue(value)

describe('missing values', () => {
  it('make every operator false, the negative ones included, except exists', () => {
    for (const name of [
      'equal',
      'notEqual',
      'notIn',
      'doesNotContain',
      'lessThan',
      'dateBefore',
      'ageBelow',
      'matches',
    ]) {
      expect(op(name, undefined, name === 'notIn' ? ['a'] : 1)).toBe(false)
      expect(op(name, null, name === 'notIn' ? ['a'] : 1)).toBe(false)
    }
    expect(op('exists', undefined, false)).toBe(true)
    expect(op('exists', 0, true)).toBe(true)
    expect(op('exists', null, true)).toBe(false)
  })
})

describe('built-ins keep json-rules-engine semantics', () => {
  it('compares numeric strings as numbers and needs lists for in', () => {
    expect(op('lessThan', '5', 10)).toBe(true)
    expect(op('greaterThanInclusive', 10, 10)).toBe(true)
    expect(op('lessThan', 'abc', 10)).toBe(false)
    expect(op('in', 'a', ['a', 'b'])).toBe(true)
    expect(op('notIn', 'c', ['a', 'b'])).toBe(true)
    expect(op('contains', ['x', 'y'], 'y')).toBe(true)
    expect(op('contains', 'xyz', 'y')).toBe(false)
  })
})

describe('date operators', () => {
  it('dateBefore / dateAfter compare calendar days unless both sides carry a time', () => {
    expect(op('dateBefore', '2026-01-01', '2026-01-02')).toBe(true)
    expect(op('dateBefore', '2026-01-02', '2026-01-02')).toBe(false)
    expect(op('dateOnOrBefore', '2026-01-02', '2026-01-02T23:00:00Z')).toBe(true)
    expect(op('dateAfter', '2026-01-02T10:00:00Z', '2026-01-02T09:00:00+00:00')).toBe(true)
    expect(op('dateAfter', 'not a date', '2026-01-02')).toBe(false)
    expect(op('dateBefore', '2026-02-30', '2027-01-01')).toBe(false)
  })
  it('accept a date relative to the injected clock', () => {
    expect(op('dateAfter', '2026-11-01', { daysFromNow: -30 })).toBe(true)
    expect(op('dateAfter', '2026-10-23', { daysFromNow: -30 })).toBe(false)
    expect(op('dateOnOrAfter', '2026-10-23', { daysFromNow: -30 })).toBe(true)
  })
  it('withinDays counts calendar days either side of the injected clock', () => {
    expect(op('withinDays', '2026-11-12', 10)).toBe(true)
    expect(op('withinDays', '2026-11-11', 10)).toBe(false)
    expect(op('withinDays', '2026-12-02', 10)).toBe(true)
    expect(op('withinDays', '2026-12-03', 10)).toBe(false)
  })
  it('refuse date-times without an offset (they would depend on the machine time zone)', () => {
    expect(op('dateBefore', '2026-01-01T10:00:00', '2027-01-01')).toBe(false)
    expect(valueProblem('dateBefore', '2026-01-01T10:00:00')).toBeDefined()
    expect(valueProblem('dateBefore', { daysFromNow: 1.5 })).toBeDefined()
    expect(valueProblem('dateBefore', '2026-01-01')).toBeUndefined()
  })
})

describe('age operators', () => {
  it('count whole years at the injected clock', () => {
    expect(op('ageAtLeast', '2008-11-22', 18)).toBe(true)
    expect(op('ageAtLeast', '2008-11-23', 18)).toBe(false)
    expect(op('ageBelow', '2008-11-23', 18)).toBe(true)
  })
  it('count at a given date, and a Feb 29 birthday turns over on Mar 1', () => {
    expect(op('ageAtLeast', '2008-02-29', { years: 18, at: '2026-02-28' })).toBe(false)
    expect(op('ageAtLeast', '2008-02-29', { years: 18, at: '2026-03-01' })).toBe(true)
    expect(valueProblem('ageAtLeast', -1)).toBeDefined()
    expect(valueProblem('ageAtLeast', { years: 2, when: 'x' })).toBeDefined()
  })
})

describe('between, inValueSet, startsWith', () => {
  it('between is inclusive for numbers and dates', () => {
    expect(op('between', 10, [10, 20])).toBe(true)
    expect(op('between', 20, [10, 20])).toBe(true)
    expect(op('between', 20.5, [10, 20])).toBe(false)
    expect(op('between', '2026-05-01', ['2026-01-01', '2026-12-31'])).toBe(true)
    expect(op('between', '2027-01-01', ['2026-01-01', '2026-12-31'])).toBe(false)
    expect(valueProblem('between', [20, 10])).toBeDefined()
  })
  it('inValueSet matches a code or any code of a list', () => {
    expect(op('inValueSet', 'E11.9', ['E11.9', 'E10.9'])).toBe(true)
    expect(op('inValueSet', ['I10', 'E10.9'], ['E11.9', 'E10.9'])).toBe(true)
    expect(op('inValueSet', 'I10', ['E11.9'])).toBe(false)
    expect(valueProblem('inValueSet', [])).toBeDefined()
  })
  it('startsWith tests a text prefix', () => {
    expect(op('startsWith', 'E11.9', 'E11')).toBe(true)
    expect(op('startsWith', 'E10.9', 'E11')).toBe(false)
    expect(op('startsWith', 11, '1')).toBe(false)
  })
})

describe('matches', () => {
  it('tests safe patterns', () => {
    expect(op('matches', 'E11.9', '^[A-Z]\\d{2}(\\.\\d{1,4})?$')).toBe(true)
    expect(op('matches', 'e11', '^[A-Z]\\d{2}(\\.\\d{1,4})?$')).toBe(false)
  })
  it('refuses catastrophic, backreferencing, lookaround and overlong patterns', () => {
    for (const bad of ['(a+)+$', '(a|aa)*', '(\\d{2})*x', '(x+x+)+y', '(a)\\1', '(?=a)a', 'a'.repeat(201), '(']) {
      expect(unsafePatternReason(bad), bad).toBeDefined()
      expect(op('matches', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', bad)).toBe(false)
    }
    expect(unsafePatternReason('^(ab)*$')).toBeUndefined()
    expect(unsafePatternReason('^[a-z]+(-[a-z]+)?$')).toBeUndefined()
  })
})
