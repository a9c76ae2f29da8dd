import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { applyFacts, deepFreeze, isDeclaredWrite, sortedKeys } from './facts.ts'

type JsonRecord = { [key: string]: JsonValue }

const segment = fc.constantFrom('a', 'b', 'c', 'patient', 'coverage')
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join('.'))
const facts = fc.dictionary(segment, fc.jsonValue({ maxDepth: 2 })) as fc.Arbitrary<JsonRecord>
const writes = fc.dictionary(path, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }) as fc.Arbitrary<JsonRecord>

/** What writing each path in key order means, written the plainest way: on a deep copy, in place. */
function reference(facts: JsonRecord, set: JsonRecord): JsonRecord {
  const out = structuredClone(facts)
  for (const key of Object.keys(set).sort()) {
    const segments = key.split('.')
    let node = out
    for (const segment of segments.slice(0, -1)) {
      const child = node[segment]
      if (typeof child !== 'object' || child === null || Array.isArray(child)) node[segment] = {}
      node = node[segment] as JsonRecord
    }
    node[segments[segments.length - 1] as string] = structuredClone(set[key] as JsonValue)
  }
  return out
}

describe('applyFacts', () => {
  it('gives what setting each path in key order gives, and changes neither the facts nor the set', () => {
    fc.assert(
      fc.property(facts, writes, (before, set) => {
        const frozen = deepFreeze(structuredClone(before))
        const setCopy = structuredClone(set)
        const expected = reference(before, set)
        expect(applyFacts(frozen, set)).toEqual(expected)
        expect(frozen).toEqual(before)
        expect(set).toEqual(setCopy)
      }),
    )
  })

  it('copies each object on the way once, leaving the values written untouched', () => {
    const value = { kept: true }
    const next = applyFacts(deepFreeze({ patient: { age: 40 } }), {
      'patient.plan': value,
      'patient.plan.tier': 'gold',
    })
    expect(next).toEqual({ patient: { age: 40, plan: { kept: true, tier: 'gold' } } })
    expect(value).toEqual({ kept: true })
  })

  it('keeps a "__proto__" path segment a plain member', () => {
    const next = applyFacts({}, { '__proto__.polluted': true, 'a.b': 1 })
    expect(Object.keys(next)).toEqual(['__proto__', 'a'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('sortedKeys', () => {
  it('orders keys by code unit, as the default sort does', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (record) => {
        expect(sortedKeys(record)).toEqual(Object.keys(record).sort())
      }),
    )
  })
})

describe('isDeclaredWrite', () => {
  it('covers a declared path and what lies under it, not a sibling that shares its prefix', () => {
    expect(isDeclaredWrite('coverage', ['coverage'])).toBe(true)
    expect(isDeclaredWrite('coverage.active', ['coverage'])).toBe(true)
    expect(isDeclaredWrite('coverageNote', ['coverage'])).toBe(false)
    expect(isDeclaredWrite('cover', ['coverage'])).toBe(false)
    expect(isDeclaredWrite('coverage', [])).toBe(false)
  })
})
