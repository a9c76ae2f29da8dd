/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers in their shortest
 * round-trip form (`1.0` and `1` are the same, `-0` is `0`), `undefined` members dropped.
 * Two values that mean the same JSON give the same string, so its hash identifies content.
 * Throws on values JSON cannot hold (NaN, Infinity, functions, class instances, cycles).
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set())
}

function write(value: unknown, stack: Set<object>): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold the number ${value}`)
      return Object.is(value, -0) ? '0' : JSON.stringify(value)
    case 'object':
      break
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`)
  }
  const object = value as object
  if (stack.has(object)) throw new TypeError('canonical JSON cannot hold a cycle')
  stack.add(object)
  let out: string
  if (Array.isArray(object)) {
    // As in JSON.stringify, a hole or undefined inside an array is null: positions matter.
    out = `[${object.map((item: unknown) => (item === undefined ? 'null' : write(item, stack))).join(',')}]`
  } else {
    const proto = Object.getPrototypeOf(object) as unknown
    if (proto !== Object.prototype && proto !== null) throw new TypeError('canonical JSON only holds plain objects')
    const record = object as Record<string, unknown>
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    out = `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], stack)}`).join(',')}}`
  }
  stack.delete(object)
  return out
}
