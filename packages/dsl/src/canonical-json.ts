import { Adopt } from './adopt.ts'
import type { JsonObject, JsonValue } from './json.ts'

// The one JSON rule set of Carepath: content hashes, audit chain hashes, run event logs and the
// simulator's comparisons all go through this file. What JSON cannot hold (NaN, ±Infinity,
// functions, symbols, bigints, class instances such as Date or Map, cycles) is refused with a
// TypeError naming it, never written as null or {}: a value that cannot be stored faithfully
// must not get a hash.

/** Thrown for a value JSON cannot hold. */
class NotJsonError extends TypeError {}

/**
 * Deeper than any fact tree, explanation or event: the fast walks take a value nested this far
 * for a cycle and let `refusal` find out what it really is.
 */
const MAX_DEPTH = 512

// The walks below are on the hot path (every logged event, every audited step, every simulated
// case), so they carry no path bookkeeping: no try/catch per member, no ancestor list. When one
// refuses a value, `refusal` walks it again, slowly and precisely, to say what and where.

/** Runs a fast walk; a refusal is replaced by the located one. */
function refusingPlainly<T>(value: unknown, walk: (value: unknown, depth: number) => T): T {
  try {
    return walk(value, 0)
  } catch (error) {
    // Found nothing wrong on the slow walk: the fast one stopped at MAX_DEPTH on a value that is
    // only deep, not cyclic.
    if (error instanceof NotJsonError)
      throw refusal(value, [], []) ?? new NotJsonError(`JSON here holds nothing nested deeper than ${MAX_DEPTH} levels`)
    throw error
  }
}

/** Why a plain value cannot be JSON, or undefined when it can (containers are checked apart). */
function scalarFault(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `JSON cannot hold the number ${value}`
    default:
      return `JSON cannot hold ${value === undefined ? 'undefined' : `a ${typeof value}`}`
  }
}

/** Why a container cannot be JSON (not an array or a plain object), or undefined. */
function containerFault(value: object): string | undefined {
  if (Array.isArray(value)) return undefined
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto === Object.prototype || proto === null) return undefined
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  const what = typeof name === 'string' && name ? `a ${name}` : 'a class instance'
  return `JSON cannot hold ${what}: it only holds plain objects`
}

/** The first thing in `value` JSON cannot hold, as an error naming where it sits (the slow path). */
function refusal(value: unknown, path: (string | number)[], ancestors: object[]): NotJsonError | undefined {
  const where = () => (path.length > 0 ? ` (at ${path.join('.')})` : '')
  if (value === null) return undefined
  const scalar = scalarFault(value)
  if (scalar) return new NotJsonError(scalar + where())
  if (typeof value !== 'object') return undefined
  if (ancestors.includes(value)) return new NotJsonError('JSON cannot hold a cycle' + where())
  const container = containerFault(value)
  if (container) return new NotJsonError(container + where())
  ancestors.push(value)
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item: unknown, i) => [i, item ?? null])
    : Object.keys(value)
        .sort()
        .map((key) => [key, (value as Record<string, unknown>)[key]])
  for (const [key, item] of entries) {
    if (item === undefined) continue
    const found = refusal(item, [...path, key], ancestors)
    if (found) return found
  }
  ancestors.pop()
  return undefined
}

/** The number as JSON writes it (`-0` is `0`), or a refusal for NaN and ±Infinity. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new NotJsonError(`JSON cannot hold the number ${value}`)
  return value === 0 ? '0' : String(value)
}

/** Refuses a value nested past MAX_DEPTH (a cycle, as good as always) and anything but a plain container. */
function checkContainer(value: object, depth: number): void {
  if (depth > MAX_DEPTH) throw new NotJsonError('JSON cannot hold a cycle')
  const fault = containerFault(value)
  if (fault) throw new NotJsonError(fault)
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers in their shortest
 * round-trip form (`1.0` and `1` are the same, `-0` is `0`), `undefined` members dropped and
 * `undefined` array items written as null (as JSON.stringify does). Two values that mean the
 * same JSON give the same string, so its hash identifies content: flow content hashes and the
 * audit chain are computed over this form, and tests pin it byte for byte.
 * Throws a TypeError on what JSON cannot hold (NaN, Infinity, functions, class instances, cycles).
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return refusingPlainly(value, write)
}

// Plain loops appending to one string (no per-level map/join arrays).
function write(value: unknown, depth: number): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return numberText(value)
    case 'object':
      break
    default:
      throw new NotJsonError('JSON cannot hold this value')
  }
  checkContainer(value, depth)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      const item: unknown = value[i]
      out += item === undefined ? 'null' : write(item, depth + 1)
    }
    return out + ']'
  }
  const record = value as Record<string, unknown>
  // The default sort compares UTF-16 code units: the key order canonical JSON has always had.
  const keys = Object.keys(record).sort()
  let out = '{'
  for (const key of keys) {
    const item = record[key]
    if (item === undefined) continue
    if (out.length > 1) out += ','
    out += JSON.stringify(key) + ':' + write(item, depth + 1)
  }
  return out + '}'
}

/**
 * A deep copy that is plain JSON, for values entering a log: undefined members dropped,
 * undefined array items become null, -0 becomes 0, a `__proto__` key stays a plain member.
 * Refuses what JSON cannot hold with the same TypeError as `canonicalJson`.
 */
export function toJson(value: unknown): JsonValue {
  return refusingPlainly(value, copy)
}

/**
 * `value` itself when its builder handed it over (see `handOverJson`), else its `toJson` copy.
 * Asked only where handed-over values arrive (decision explanations): a symbol lookup on every
 * value copied would cost more than it saves.
 */
export function adoptJson<T extends object>(value: T): T {
  return isHandedOverJson(value) ? value : (toJson(value) as T)
}

/**
 * The mark of a handed-over value (see `handOverJson`): a private field given to the plain object
 * (adopt.ts), which JSON, key walks, spreads and structuredClone all leave out, so a copy is never
 * marked. (A WeakSet cost more than the copies it saved: its table grows with every decision until
 * a full GC; a hidden symbol member cost a `defineProperty` per value.)
 */
class HandedOver extends Adopt {
  readonly #handedOver = true

  static mark(value: object): void {
    if (!(#handedOver in value)) new HandedOver(value)
  }

  static has(value: object): boolean {
    return #handedOver in value
  }
}

/**
 * Hand over a value built fresh, for this call, from plain JSON parts (no undefined members, only
 * finite numbers), which its builder will not touch again: `adoptJson` then keeps it instead of
 * copying it. Parts it shares must not change either (frozen facts, a version's config). The
 * engine's compiled evaluators hand their explanations over: a run records one per decision, and
 * copying them was a tenth of a simulation's time.
 */
export function handOverJson<T extends object>(value: T): T {
  HandedOver.mark(value)
  return value
}

/** Whether `value` was handed over as plain JSON (see `handOverJson`). */
export function isHandedOverJson(value: object): boolean {
  return HandedOver.has(value)
}

function copy(value: unknown, depth: number): JsonValue {
  if (value === null) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      // Checked, not formatted: numberText's String() would cost a conversion per number copied.
      if (!Number.isFinite(value)) throw new NotJsonError(`JSON cannot hold the number ${value}`)
      return value === 0 ? 0 : value
    case 'object':
      break
    default:
      throw new NotJsonError('JSON cannot hold this value')
  }
  checkContainer(value, depth)
  if (Array.isArray(value)) {
    const items = new Array<JsonValue>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      items[i] = item === undefined ? null : copy(item, depth + 1)
    }
    return items
  }
  const record: JsonObject = {}
  const source = value as Record<string, unknown>
  // for-in (own members only) instead of Object.keys: no key array per copied object.
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue
    const member = source[key]
    if (member === undefined) continue
    const item = copy(member, depth + 1)
    // Outside data may carry a "__proto__" key: it stays data, never a prototype.
    if (key === '__proto__')
      Object.defineProperty(record, key, { value: item, enumerable: true, writable: true, configurable: true })
    else record[key] = item
  }
  return record
}

/**
 * Whether two JSON values are equal, key order aside: what equal canonical JSON means, without
 * building the strings (the simulator and replay ask this for every case and event).
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
  // for-in over plain objects walks V8's key cache; Object.keys would allocate two arrays per level.
  let definedInA = 0
  for (const key in ra) {
    if (!Object.hasOwn(ra, key)) continue
    const value = ra[key]
    if (value === undefined) continue
    definedInA++
    if (!Object.hasOwn(rb, key) || !jsonEqual(value, rb[key])) return false
  }
  let definedInB = 0
  for (const key in rb) if (Object.hasOwn(rb, key) && rb[key] !== undefined) definedInB++
  return definedInA === definedInB
  return true
}
