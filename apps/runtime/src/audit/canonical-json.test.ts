import { describe, expect, it } from 'vitest'
import { canonicalJson } from './canonical-json.ts'

// The form audit records have always been hashed in (stored chains must keep verifying).
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null'
    return JSON.stringify(value) ?? 'null'
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`).join(',')}}`
}

describe('canonicalJson', () => {
  it('sorts keys, drops undefined members, writes undefined array items and non-finite numbers as null', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, Infinity], c: 'x"y' }, u: undefined })).toBe(
      '{"a":{"c":"x\\"y","d":[1,null,null]},"b":1}',
    )
    expect(canonicalJson({ z: undefined })).toBe('{}')
    expect(canonicalJson(undefined)).toBe('null')
  })

  it('writes exactly the form stored audit chains were hashed in', () => {
    let seed = 7
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n
    const leaf = (): unknown => [null, true, false, -0, 3.25, -17, NaN, 'é\u2028"\\', '', undefined][next(10)]
    const build = (depth: number): unknown => {
      if (depth === 0 || next(3) === 0) return leaf()
      if (next(2) === 0) return Array.from({ length: next(4) }, () => build(depth - 1))
      return Object.fromEntries(
        Array.from({ length: next(5) }, () => [
          ['b', 'a', 'B', '10', '9', 'ä', '__proto_', 'k"'][next(8)] as string,
          build(depth - 1),
        ]),
      )
    }
    for (let i = 0; i < 500; i++) {
      const value = build(4)
      expect(canonicalJson(value)).toBe(reference(value))
    }
  })
})
