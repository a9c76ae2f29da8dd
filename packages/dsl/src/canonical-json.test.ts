import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from './canonical-json.ts'

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    )
  })

  it('writes numbers in one form', () => {
    expect(canonicalJson([1.0, -0, 1e21, 0.1 + 0.2, 2.5e-7])).toBe('[1,0,1e+21,0.30000000000000004,2.5e-7]')
  })

  it('keeps array order and nulls, escapes strings like JSON', () => {
    expect(canonicalJson([null, 'a"b\n', true, undefined])).toBe('[null,"a\\"b\\n",true,null]')
  })

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/)
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/plain objects/)
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/)
  })

  it('parses back to the same value and ignores key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
        const reordered = JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ) as unknown
        expect(canonicalJson(reordered)).toBe(text)
      }),
    )
  })
})
