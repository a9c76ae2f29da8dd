import type { JsonObject, JsonValue } from './json.ts'

// The one JSON rule set of Carepath: content hashes, audit chain hashes, run event logs and the
// simulator's comparisons all go through this file. What JSON cannot hold (NaN, ±Infinity,
// functions, symbols, bigints, class instances such as Date or Map, cycles) is refused with a
// TypeError naming it, never written as null or {}: a value that cannot be stored faithfully
// must not get a hash.

/** Thrown for a value JSON cannot hold; `path` names where it sits, filled in on the way out. */
class NotJsonError extends TypeError {
  readonly path: (string | number)[] = []
}

/** Runs `work` at the top of a value; a refusal then names where it was found. */
function located<T>(work: () => T): T {
  try {
    return work()
  } catch (error) {
    if (error instanceof NotJsonError && error.path.length > 0) error.message += ` (at ${error.path.join('.')})`
    throw error
  }
}

/** Adds the member or index a refusal came through (called once per level, only on the way out). */
function through(error: unknown, key: string | number): never {
  if (error instanceof NotJsonError) error.path.unshift(key)
  throw error
}

const kindOf = (value: unknown): string => (value === undefined ? 'undefined' : `a ${typeof value}`)

/** The number as JSON writes it (`-0` is `0`), or a refusal for NaN and ±Infinity. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new NotJsonError(`JSON cannot hold the number ${value}`)
  return value === 0 ? '0' : String(value)
}

/**
 * Refuses a cycle and anything but an array or a plain object (prototype Object.prototype or null).
 * `ancestors` is the path of containers from the top: a short array (JSON nests a few levels),
 * cheaper to search than a Set is to update for every object of every logged event.
 */
function checkContainer(value: object, ancestors: object[]): void {
  if (ancestors.includes(value)) throw new NotJsonError('JSON cannot hold a cycle')
  if (Array.isArray(value)) return
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    const what = typeof name === 'string' && name ? `a ${name}` : 'a class instance'
    throw new NotJsonError(`JSON cannot hold ${what}: it only holds plain objects`)
  }
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
  return located(() => write(value, []))
}

// Plain loops appending to one string (no per-level map/join arrays): every audited run step and
// every logged event goes through here.
function write(value: unknown, ancestors: object[]): string {
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
      throw new NotJsonError(`JSON cannot hold ${kindOf(value)}`)
  }
  checkContainer(value, ancestors)
  ancestors.push(value)
  let out: string
  if (Array.isArray(value)) {
    out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      const item: unknown = value[i]
      try {
        out += item === undefined ? 'null' : write(item, ancestors)
      } catch (error) {
        through(error, i)
      }
    }
    out += ']'
  } else {
    const record = value as Record<string, unknown>
    // The default sort compares UTF-16 code units: the key order canonical JSON has always had.
    const keys = Object.keys(record).sort()
    out = '{'
    for (const key of keys) {
      const item = record[key]
      if (item === undefined) continue
      if (out.length > 1) out += ','
      try {
        out += JSON.stringify(key) + ':' + write(item, ancestors)
      } catch (error) {
        through(error, key)
      }
    }
    out += '}'
  }
  ancestors.pop()
  return out
}

/**
 * A deep copy that is plain JSON, for values entering a log: undefined members dropped,
 * undefined array items become null, -0 becomes 0, a `__proto__` key stays a plain member.
 * Refuses what JSON cannot hold with the same TypeError as `canonicalJson`.
 */
export function toJson(value: unknown): JsonValue {
  return located(() => copy(value, []))
}

function copy(value: unknown, ancestors: object[]): JsonValue {
  if (value === null) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      numberText(value)
      return value === 0 ? 0 : value
    case 'object':
      break
    default:
      throw new NotJsonError(`JSON cannot hold ${kindOf(value)}`)
  }
  checkContainer(value, ancestors)
  ancestors.push(value)
  let out: JsonValue
  if (Array.isArray(value)) {
    const items = new Array<JsonValue>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      try {
        items[i] = item === undefined ? null : copy(item, ancestors)
      } catch (error) {
        through(error, i)
      }
    }
    out = items
  } else {
    const record: JsonObject = {}
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key]
      if (member === undefined) continue
      let item: JsonValue
      try {
        item = copy(member, ancestors)
      } catch (error) {
        through(error, key)
      }
      // Outside data may carry a "__proto__" key: it stays data, never a prototype.
      if (key === '__proto__')
        Object.defineProperty(record, key, { value: item, enumerable: true, writable: true, configurable: true })
      else record[key] = item
    }
    out = record
  }
  ancestors.pop()
  return out
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
  const keysA = Object.keys(ra).filter((key) => ra[key] !== undefined)
  const keysB = Object.keys(rb).filter((key) => rb[key] !== undefined)
  if (keysA.length !== keysB.length) return false
  for (const key of keysA) {
    if (!Object.hasOwn(rb, key) || !jsonEqual(ra[key], rb[key])) return false
  }
  return true
}
