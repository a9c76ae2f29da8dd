import { canonicalJson, type JsonValue } from '@carepath/dsl'

/**
 * A deep copy that is plain JSON, for values entering a log: undefined members dropped (as
 * JSON.stringify does), undefined array items become null, -0 becomes 0; anything JSON cannot
 * hold (NaN, functions, class instances, cycles) is refused with a TypeError.
 */
export function toJson(value: unknown, stack: object[] = []): JsonValue {
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
  const object = value as object
  if (stack.includes(object)) throw new TypeError('JSON cannot hold a cycle')
  stack.push(object)
  let out: JsonValue
  if (Array.isArray(object)) out = object.map((item: unknown) => (item === undefined ? null : toJson(item, stack)))
  else {
    const proto = Object.getPrototypeOf(object) as unknown
    if (proto !== Object.prototype && proto !== null) throw new TypeError('JSON only holds plain objects')
    const record: { [key: string]: JsonValue } = {}
    for (const key of Object.keys(object)) {
      const member = (object as Record<string, unknown>)[key]
      if (member !== undefined) record[key] = toJson(member, stack)
    }
    out = record
  }
  stack.pop()
  return out
}

/** Whether two JSON values are equal (by canonical form). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

export { canonicalJson }
