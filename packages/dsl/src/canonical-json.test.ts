import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { adoptJson, canonicalJson, handOverJson, isHandedOverJson, jsonEqual, toJson } from './canonical-json.ts'

// The form flow content hashes and audit chains have always been computed over, written the
// simplest way: stored hashes must keep verifying, so canonicalJson must match it byte for byte.
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(record[k])}`).join(',')}}`
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    )
    expect(canonicalJson({ z: undefined })).toBe('{}')
  })

  it('writes numbers in one form', () => {
    expect(canonicalJson([1.0, -0, 1e21, 0.1 + 0.2, 2.5e-7])).toBe('[1,0,1e+21,0.30000000000000004,2.5e-7]')
  })

  it('keeps array order and nulls, escapes strings like JSON', () => {
    expect(canonicalJson([null, 'a"b\n', true, undefined])).toBe('[null,"a\\"b\\n",true,null]')
  })

  it('writes exactly the form stored flow hashes and audit chains were computed over', () => {
    let seed = 7
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n
    const leaf = (): unknown => [null, true, false, -0, 3.25, -17, 1e21, 'é\u2028"\\', '', undefined][next(10)]
    const build = (depth: number): unknown => {
      if (depth === 0 || next(3) === 0) return leaf()
      if (next(2) === 0) return Array.from({ length: next(4) }, () => build(depth - 1))
      return Object.fromEntries(
        Array.from({ length: next(5) }, () => [
          ['b', 'a', 'B', '10', '9', 'ä', '__proto_', 'k"', '\u{1F600}', '\uFF5E'][next(10)] as string,
          build(depth - 1),
        ]),
      )
    }
    for (let i = 0; i < 500; i++) {
      const value = build(4)
      if (value === undefined) continue
      expect(canonicalJson(value)).toBe(reference(value))
    }
  })

  it('parses back to the same value and ignores key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value)
        expect(text).toBe(reference(value))
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
        const reordered = JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ) as unknown
        expect(canonicalJson(reordered)).toBe(text)
      }),
    )
  })
})

// The one rule for what JSON cannot hold, shared by the hash form (canonicalJson) and the log
// copy (toJson): refused with a TypeError that says what and where, never written as null or {}.
describe('values JSON cannot hold', () => {
  const cyclic: Record<string, unknown> = { ok: 1 }
  cyclic['self'] = cyclic
  const cases: [string, unknown, RegExp][] = [
    ['NaN', { a: { b: Number.NaN } }, /^JSON cannot hold the number NaN \(at a\.b\)$/],
    ['Infinity', [1, -Infinity], /^JSON cannot hold the number -Infinity \(at 1\)$/],
    ['a function', { f: () => 1 }, /^JSON cannot hold a function \(at f\)$/],
    ['a bigint', { n: 1n }, /^JSON cannot hold a bigint \(at n\)$/],
    ['a symbol', [Symbol('s')], /^JSON cannot hold a symbol \(at 0\)$/],
    ['a Date', { when: new Date(0) }, /^JSON cannot hold a Date: it only holds plain objects \(at when\)$/],
    ['a Map', new Map(), /^JSON cannot hold a Map: it only holds plain objects$/],
    ['a cycle', { list: [cyclic] }, /^JSON cannot hold a cycle \(at list\.0\.self\)$/],
    ['undefined at the top', undefined, /^JSON cannot hold undefined$/],
  ]
  it.each(cases)('refuses %s in canonicalJson and toJson alike', (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(TypeError)
    expect(() => canonicalJson(value)).toThrow(message)
    expect(() => toJson(value)).toThrow(TypeError)
    expect(() => toJson(value)).toThrow(message)
  })

  it('accepts the same object twice when it is shared, not cyclic', () => {
    const shared = { x: 1 }
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}')
    expect(toJson({ a: shared, b: [shared] })).toEqual({ a: { x: 1 }, b: [{ x: 1 }] })
  })

  it('tells a value nested past 512 levels from a cycle', () => {
    let deep: unknown = 'bottom'
    for (let i = 0; i < 600; i++) deep = { down: deep }
    expect(() => canonicalJson(deep)).toThrow(/nested deeper than 512 levels/)
    expect(() => toJson(deep)).toThrow(/nested deeper than 512 levels/)
    let shallow: unknown = 'bottom'
    for (let i = 0; i < 500; i++) shallow = [shallow]
    expect(toJson(shallow)).toEqual(shallow)
  })
})

describe('toJson', () => {
  it('copies plain JSON, dropping undefined members, and never shares the source objects', () => {
    const source = { a: 1, b: undefined, c: [undefined, -0], d: { e: 'x' } }
    const copy = toJson(source)
    expect(copy).toEqual({ a: 1, c: [null, 0], d: { e: 'x' } })
    expect(Object.is((copy as { c: unknown[] }).c[1], 0)).toBe(true)
    expect((copy as { d: unknown }).d).not.toBe(source.d)
  })

  it('keeps a "__proto__" key from outside data as data, never as a prototype', () => {
    const copy = toJson(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.keys(copy)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('jsonEqual', () => {
  it('ignores key order and undefined members, but not array order or types', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true)
    expect(jsonEqual({ a: 1, gone: undefined }, { a: 1 })).toBe(true)
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false)
    expect(jsonEqual({ a: '1' }, { a: 1 })).toBe(false)
    expect(jsonEqual({ a: null }, {})).toBe(false)
    expect(jsonEqual([], {})).toBe(false)
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false)
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false)
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(true)
  })

  it('answers as comparing canonical JSON does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(jsonEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b))
        expect(jsonEqual(a, JSON.parse(JSON.stringify(a)))).toBe(true)
      }),
    )
  })
})

describe('handOverJson', () => {
  it('lets adoptJson keep a handed-over value, while copies of it are plain values again', () => {
    const explanation = handOverJson({ outcome: 'eligible', fired: ['r1'] })
    expect(adoptJson(explanation)).toBe(explanation)
    expect(toJson(explanation)).toEqual(explanation)
    expect(Object.keys(explanation)).toEqual(['outcome', 'fired'])
    // The mark is invisible: no key of any kind, and still a plain object.
    expect(Reflect.ownKeys(explanation)).toEqual(['outcome', 'fired'])
    expect(Object.getPrototypeOf(explanation)).toBe(Object.prototype)
    expect(handOverJson(explanation)).toBe(explanation)
    expect(JSON.stringify(explanation)).toBe('{"outcome":"eligible","fired":["r1"]}')
    const spread = { ...explanation }
    expect(isHandedOverJson(spread)).toBe(false)
    expect(adoptJson(spread)).not.toBe(spread)
    expect(isHandedOverJson(structuredClone(explanation))).toBe(false)
  })

  it('leaves values that were not handed over to the checked copy', () => {
    const value = { a: [1, 2] }
    expect(isHandedOverJson(value)).toBe(false)
    expect(adoptJson(value)).not.toBe(value)
    expect(adoptJson(value)).toEqual(value)
  })
})
