import { describe, expect, it } from 'vitest'
import { jsonEqual } from './index.ts'
import { toJson } from './canonical-json.ts'

describe('jsonEqual', () => {
  it('ignores key order and undefined members, but not array order or types', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true)
    expect(jsonEqual({ a: 1, gone: undefined }, { a: 1 })).toBe(true)
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false)
    expect(jsonEqual({ a: '1' }, { a: 1 })).toBe(false)
    expect(jsonEqual({ a: null }, {})).toBe(false)
    expect(jsonEqual([], {})).toBe(false)
  })
})

describe('toJson', () => {
  it('copies plain JSON, dropping undefined members, and refuses what JSON cannot hold', () => {
    const source = { a: 1, b: undefined, c: [undefined, -0], d: { e: 'x' } }
    const copy = toJson(source)
    expect(copy).toEqual({ a: 1, c: [null, 0], d: { e: 'x' } })
    expect((copy as { d: unknown }).d).not.toBe(source.d)
    expect(() => toJson({ n: Number.NaN })).toThrow(TypeError)
    expect(() => toJson({ when: new Date(0) })).toThrow('plain objects')
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => toJson(cycle)).toThrow('cycle')
  })
})

describe('outside data', () => {
  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const copy = toJson(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.keys(copy)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
