import { canonicalJson, type JsonValue } from '@carepath/dsl'
import { putMember } from './facts.ts'

/** Deeper than any fact tree or explanation: a value nested this far is taken for a cycle. */
const MAX_DEPTH = 512

/**
 * A deep copy that is plain JSON, for values entering a log: undefined members dropped (as
 * JSON.stringify does), undefined array items become null, -0 becomes 0; anything JSON cannot
 * hold (NaN, functions, class instances, cycles) is refused with a TypeError.
 */
export function toJson(value: unknown, depth = 0): JsonValue {
  if (value === null) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`JSON cannot hold the number ${value}`)
      return value === 0 ? 0 : value
    case 'object':
      break
    default:
      throw new TypeError(`JSON cannot hold a ${typeof value}`)
  }
  if (depth > MAX_DEPTH) throw new TypeError('JSON cannot hold a cycle (or a value nested this deep)')
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array<JsonValue>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = value[i] === undefined ? null : toJson(value[i], depth + 1)
    return out
  }
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) throw new TypeError('JSON only holds plain objects')
  const record: { [key: string]: JsonValue } = {}
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key]
    if (member !== undefined) putMember(record, key, toJson(member, depth + 1))
  }
  return record
}

/**
 * Whether two JSON values are equal, key order aside (what equal canonical JSON means, without
 * building the strings: the simulator asks this for every case).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  const keysA = Object.keys(ra).filter((key) => ra[key] !== undefined)
  const keysB = Object.keys(rb).filter((key) => rb[key] !== undefined)
  if (keysA.length !== keysB.length) return false
  for (const key of keysA) {
    if (!Object.hasOwn(rb, key) || !jsonEqual(ra[key], rb[key])) return false
  }
  return true
}

export { canonicalJson }
