// A decision's rule traces are built only when read (lazyMember), yet every reader of the
// result sees a plain value, and every result shares one getter (so V8 keeps one hidden class).
import { describe, expect, it } from 'vitest'
import { canonicalJson, jsonEqual } from '@carepath/dsl'
import { forwardMember, lazyMember } from './lazy-member.ts'

interface Result {
  fired: string[]
  rules?: { id: string }[]
}

function lazyResult(builds: { count: number }): Result {
  const result: Result = { fired: ['a'] }
  lazyMember(result, 'rules', () => {
    builds.count++
    return [{ id: 'a' }]
  })
  return result
}

describe('lazyMember', () => {
  it('computes on the first read only, and keeps the member order of a literal', () => {
    const builds = { count: 0 }
    const result = lazyResult(builds)
    expect(builds.count).toBe(0)
    expect(Object.keys(result)).toEqual(['fired', 'rules'])
    // The pending computation is held privately: no key, symbol or otherwise, and a plain object.
    expect(Reflect.ownKeys(result)).toEqual(['fired', 'rules'])
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect(result.rules).toEqual([{ id: 'a' }])
    expect(result.rules).toBe(result.rules)
    expect(builds.count).toBe(1)
  })

  it('reads as a plain value to JSON, structuredClone, spreads and equality', () => {
    const builds = { count: 0 }
    const plain = { fired: ['a'], rules: [{ id: 'a' }] }
    expect(JSON.stringify(lazyResult(builds))).toBe(JSON.stringify(plain))
    expect(structuredClone(lazyResult(builds))).toEqual(plain)
    expect({ ...lazyResult(builds) }).toEqual(plain)
    expect(jsonEqual(lazyResult(builds), plain)).toBe(true)
    expect(canonicalJson(lazyResult(builds))).toBe(canonicalJson(plain))
    // A copy holds the value itself, not the computation.
    expect(Object.getOwnPropertyDescriptor({ ...lazyResult(builds) }, 'rules')?.get).toBeUndefined()
  })

  it('takes an assignment before or after the first read', () => {
    const builds = { count: 0 }
    const before = lazyResult(builds)
    before.rules = [{ id: 'b' }]
    expect(before.rules).toEqual([{ id: 'b' }])
    expect(builds.count).toBe(0)
    const after = lazyResult(builds)
    expect(after.rules).toEqual([{ id: 'a' }])
    after.rules = []
    expect(after.rules).toEqual([])
  })

  it('gives every object the same getter, however many are made', () => {
    const builds = { count: 0 }
    const getters = new Set(
      [lazyResult(builds), lazyResult(builds)].map((r) => Object.getOwnPropertyDescriptor(r, 'rules')?.get),
    )
    expect(getters.size).toBe(1)
  })

  it('forwardMember passes a lazy member on unread and a plain one as it is', () => {
    const builds = { count: 0 }
    const source = lazyResult(builds)
    const target: Result = { fired: [] }
    forwardMember(target, 'rules', source)
    expect(builds.count).toBe(0)
    expect(target.rules).toEqual([{ id: 'a' }])
    expect(builds.count).toBe(1)
    // Forwarded from a copy (which holds the value), or after the member was replaced by a value.
    const copied: Result = { fired: [] }
    forwardMember(copied, 'rules', { ...lazyResult(builds) })
    expect(Object.getOwnPropertyDescriptor(copied, 'rules')?.value).toEqual([{ id: 'a' }])
    const replaced = lazyResult(builds)
    Object.defineProperty(replaced, 'rules', { value: [{ id: 'r' }], enumerable: true })
    const fromReplaced: Result = { fired: [] }
    forwardMember(fromReplaced, 'rules', replaced)
    expect(fromReplaced.rules).toEqual([{ id: 'r' }])
    const plainTarget: Result = { fired: [] }
    forwardMember(plainTarget, 'rules', { fired: [], rules: [{ id: 'p' }] })
    expect(Object.getOwnPropertyDescriptor(plainTarget, 'rules')).toMatchObject({
      value: [{ id: 'p' }],
      enumerable: true,
    })
  })
})
