import { ageInYears, compareDates, parseDate, type ParsedDate } from './dates.ts'
import { unsafePatternReason } from './safe-pattern.ts'

/**
 * Every operator a Carepath rule may use: json-rules-engine's built-ins (same semantics) plus
 * Carepath's own. Each pooled engine gets its own instances bound to its own clock slot, which
 * the evaluator sets before a run (an engine serves one run at a time, see evaluate.ts).
 *
 * Missing values: when the fact value (or the value of a compared fact) is absent (`undefined`
 * or `null`), every operator except `exists` is false, the negative ones (`notEqual`, `notIn`,
 * `doesNotContain`) included. An absent optional field is neither an error nor silently true.
 */
/** Whether a value seen is absent (`undefined` or `null`): the missing-value rule above. */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null
}

export interface ClockSlot {
  /** The injected clock, ISO-8601. */
  now: string
}

export interface OperatorSpec {
  name: string
  /** May `value` be `{ fact }` (compare two facts)? */
  factValue: boolean
  /** An error sentence when a literal value does not fit the operator. */
  checkValue(value: unknown): string | undefined
  /** The test itself; `fact` and `value` are never null/undefined here except for `exists`. */
  test(fact: unknown, value: unknown, clock: ClockSlot): boolean
}

const isNumberLike = (v: unknown): boolean => Number.parseFloat(v as string).toString() !== 'NaN'
const anyValue = (): undefined => undefined
const arrayValue = (v: unknown): string | undefined => (Array.isArray(v) ? undefined : 'The value must be a list.')
/**
 * A number, or a numeric string as json-rules-engine accepts it (`"10"`): the comparison is then
 * JavaScript's own, so a numeric fact compares by number and a text fact compares as text.
 */
const numberValue = (v: unknown): string | undefined =>
  (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))
    ? undefined
    : 'The value must be a number.'

/** A relative or absolute date: `"2026-01-31"`, an offset date-time, or `{ "daysFromNow": -30 }`. */
export function dateOperand(value: unknown, clock: ClockSlot): ParsedDate | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'daysFromNow' in value) {
    const now = parseDate(clock.now)
    const days = (value as { daysFromNow: unknown }).daysFromNow
    if (!now || typeof days !== 'number') return undefined
    return { ms: now.ms + days * 86_400_000, day: now.day + days, hasTime: false }
  }
  return parseDate(value)
}
function checkDateValue(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value)
    const days = (value as { daysFromNow?: unknown }).daysFromNow
    return keys.length === 1 && Number.isInteger(days)
      ? undefined
      : 'A relative date is written { "daysFromNow": <whole number> }.'
  }
  return parseDate(value) ? undefined : 'The value must be an ISO date (2026-01-31) or a date-time with an offset.'
}
function dateCompare(want: (c: number) => boolean) {
  return (fact: unknown, value: unknown, clock: ClockSlot): boolean => {
    const a = parseDate(fact)
    const b = dateOperand(value, clock)
    return a !== undefined && b !== undefined && want(compareDates(a, b))
  }
}

/** `{ years, at? }` or a bare number of years; the age is taken at `at` or the injected clock. */
function ageOperand(value: unknown, clock: ClockSlot): { years: number; at: ParsedDate | undefined } {
  if (typeof value === 'number') return { years: value, at: parseDate(clock.now) }
  const v = value as { years: number; at?: string }
  return { years: v.years, at: v.at === undefined ? parseDate(clock.now) : parseDate(v.at) }
}
function checkAgeValue(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return undefined
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>
    const okKeys = Object.keys(v).every((k) => k === 'years' || k === 'at')
    if (okKeys && Number.isInteger(v.years) && (v.years as number) >= 0 && (v.at === undefined || parseDate(v.at)))
      return undefined
  }
  return 'The value must be a whole number of years, or { "years": n, "at": "2026-01-31" }.'
}
function age(want: (age: number, years: number) => boolean) {
  return (fact: unknown, value: unknown, clock: ClockSlot): boolean => {
    const birth = parseDate(fact)
    const { years, at } = ageOperand(value, clock)
    return birth !== undefined && at !== undefined && want(ageInYears(birth, at), years)
  }
}

const patternCache = new Map<string, RegExp>()
function compiled(pattern: string): RegExp | undefined {
  let re = patternCache.get(pattern)
  if (!re) {
    if (unsafePatternReason(pattern)) return undefined
    re = new RegExp(pattern, 'u')
    if (patternCache.size < 1000) patternCache.set(pattern, re)
  }
  return re
}

export const OPERATORS: readonly OperatorSpec[] = [
  // json-rules-engine built-ins, same semantics (numeric comparisons accept numeric strings).
  { name: 'equal', factValue: true, checkValue: anyValue, test: (a, b) => a === b },
  { name: 'notEqual', factValue: true, checkValue: anyValue, test: (a, b) => a !== b },
  { name: 'in', factValue: true, checkValue: arrayValue, test: (a, b) => Array.isArray(b) && b.indexOf(a) > -1 },
  { name: 'notIn', factValue: true, checkValue: arrayValue, test: (a, b) => Array.isArray(b) && b.indexOf(a) === -1 },
  { name: 'contains', factValue: true, checkValue: anyValue, test: (a, b) => Array.isArray(a) && a.indexOf(b) > -1 },
  {
    name: 'doesNotContain',
    factValue: true,
    checkValue: anyValue,
    test: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  },
  {
    name: 'lessThan',
    factValue: true,
    checkValue: numberValue,
    test: (a, b) => isNumberLike(a) && (a as number) < (b as number),
  },
  {
    name: 'lessThanInclusive',
    factValue: true,
    checkValue: numberValue,
    test: (a, b) => isNumberLike(a) && (a as number) <= (b as number),
  },
  {
    name: 'greaterThan',
    factValue: true,
    checkValue: numberValue,
    test: (a, b) => isNumberLike(a) && (a as number) > (b as number),
  },
  {
    name: 'greaterThanInclusive',
    factValue: true,
    checkValue: numberValue,
    test: (a, b) => isNumberLike(a) && (a as number) >= (b as number),
  },
  // Carepath operators.
  {
    name: 'exists',
    factValue: false,
    checkValue: (v) => (typeof v === 'boolean' ? undefined : 'The value must be true or false.'),
    test: (a, b) => (a !== undefined && a !== null) === b,
  },
  { name: 'dateBefore', factValue: true, checkValue: checkDateValue, test: dateCompare((c) => c < 0) },
  { name: 'dateAfter', factValue: true, checkValue: checkDateValue, test: dateCompare((c) => c > 0) },
  { name: 'dateOnOrBefore', factValue: true, checkValue: checkDateValue, test: dateCompare((c) => c <= 0) },
  { name: 'dateOnOrAfter', factValue: true, checkValue: checkDateValue, test: dateCompare((c) => c >= 0) },
  {
    // Within N days of the injected clock, either side, counted in UTC calendar days.
    name: 'withinDays',
    factValue: false,
    checkValue: (v) =>
      Number.isInteger(v) && (v as number) >= 0 ? undefined : 'The value must be a whole number of days, 0 or more.',
    test: (a, b, clock) => {
      const date = parseDate(a)
      const now = parseDate(clock.now)
      return date !== undefined && now !== undefined && Math.abs(date.day - now.day) <= (b as number)
    },
  },
  { name: 'ageAtLeast', factValue: false, checkValue: checkAgeValue, test: age((a, y) => a >= y) },
  { name: 'ageBelow', factValue: false, checkValue: checkAgeValue, test: age((a, y) => a < y) },
  {
    // Inclusive at both ends; numbers with numbers, dates with dates.
    name: 'between',
    factValue: false,
    checkValue: (v) => {
      if (!Array.isArray(v) || v.length !== 2) return 'The value must be a pair [low, high].'
      const [lo, hi] = v as [unknown, unknown]
      if (typeof lo === 'number' && typeof hi === 'number')
        return lo <= hi ? undefined : 'The low end is above the high end.'
      const a = parseDate(lo)
      const b = parseDate(hi)
      if (a && b) return compareDates(a, b) <= 0 ? undefined : 'The low end is after the high end.'
      return 'Both ends must be numbers, or both ISO dates.'
    },
    test: (a, b) => {
      const [lo, hi] = b as [unknown, unknown]
      if (typeof lo === 'number') return typeof a === 'number' && a >= lo && a <= (hi as number)
      const d = parseDate(a)
      const l = parseDate(lo)
      const h = parseDate(hi)
      return d !== undefined && l !== undefined && h !== undefined && compareDates(d, l) >= 0 && compareDates(d, h) <= 0
    },
  },
  {
    // A code (or any of a list of codes) is in the value set.
    name: 'inValueSet',
    factValue: false,
    checkValue: (v) =>
      Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string' || typeof c === 'number')
        ? undefined
        : 'The value must be a non-empty list of codes.',
    test: (a, b) => {
      const codes = b as (string | number)[]
      return Array.isArray(a) ? a.some((c) => codes.includes(c as string)) : codes.includes(a as string)
    },
  },
  {
    name: 'startsWith',
    factValue: false,
    checkValue: (v) => (typeof v === 'string' && v !== '' ? undefined : 'The value must be a non-empty text.'),
    test: (a, b) => typeof a === 'string' && a.startsWith(b as string),
  },
  {
    name: 'matches',
    factValue: false,
    checkValue: (v) => (typeof v === 'string' ? unsafePatternReason(v) : 'The value must be a pattern (text).'),
    test: (a, b) => {
      const re = compiled(b as string)
      return typeof a === 'string' && re !== undefined && re.test(a)
    },
  },
]

export const OPERATOR_NAMES = OPERATORS.map((o) => o.name) as [string, ...string[]]
const byName = new Map(OPERATORS.map((o) => [o.name, o]))

/** The operator spec by name, or undefined. */
export function operatorSpec(name: string): OperatorSpec | undefined {
  return byName.get(name)
}

/** Run an operator with Carepath's missing-value semantics (see the comment at the top). */
export function applyOperator(spec: OperatorSpec, fact: unknown, value: unknown, clock: ClockSlot): boolean {
  if (spec.name === 'exists') return spec.test(fact, value, clock)
  if (fact === undefined || fact === null || value === undefined || value === null) return false
  return spec.test(fact, value, clock)
}
