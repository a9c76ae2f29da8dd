import { valueAtPath, type JsonValue } from '@carepath/dsl'

type JsonRecord = { [key: string]: JsonValue }

function isRecord(value: JsonValue | undefined): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The value at a dotted fact path, or undefined when any segment is absent (the DSL's `valueAtPath`). */
export { valueAtPath as getFact }

/**
 * A copy of `facts` with `value` at `path`; objects on the way are copied, never mutated, so a
 * snapshot handed to a node (or kept in a report) never changes under it.
 */
export function setFact(facts: Readonly<JsonRecord>, path: string, value: JsonValue): JsonRecord {
  return setAt(facts, path.split('.'), 0, value)
}

function setAt(node: Readonly<JsonRecord>, segments: readonly string[], index: number, value: JsonValue): JsonRecord {
  const key = segments[index] as string
  const copy: JsonRecord = { ...node }
  if (index === segments.length - 1) putMember(copy, key, value)
  else {
    const child = Object.hasOwn(node, key) ? node[key] : undefined
    putMember(copy, key, setAt(isRecord(child) ? child : {}, segments, index + 1, value))
  }
  return copy
}

/** Set an own member; `__proto__` from outside data stays a plain key, never a prototype. */
export function putMember(target: JsonRecord, key: string, value: JsonValue): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A copy of `facts` without the value at `path` (objects on the way copied, never mutated). */
export function deleteFact(facts: Readonly<JsonRecord>, path: string): JsonRecord {
  const [head, ...rest] = path.split('.') as [string, ...string[]]
  if (!Object.hasOwn(facts, head)) return facts as JsonRecord
  const copy: JsonRecord = { ...facts }
  if (rest.length === 0) delete copy[head]
  else {
    const child = facts[head]
    if (isRecord(child)) copy[head] = deleteFact(child, rest.join('.'))
  }
  return copy
}

/** Apply every `path → value` of a facts.set, in key order (already canonical in the log). */
export function applyFacts(facts: Readonly<JsonRecord>, set: Readonly<JsonRecord>): JsonRecord {
  let next: JsonRecord = facts as JsonRecord
  for (const path of Object.keys(set).sort()) next = setFact(next, path, set[path] as JsonValue)
  return next
}

/** Whether a write to `path` is covered by a declared path (the path itself or one of its parents). */
export function isDeclaredWrite(path: string, declared: readonly string[]): boolean {
  return declared.some((d) => path === d || path.startsWith(`${d}.`))
}

/** Every leaf as `path → value` (arrays are leaves), for diffs of written facts. */
export function flattenFacts(
  value: JsonValue,
  prefix = '',
  out: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  if (isRecord(value)) {
    const keys = Object.keys(value).sort()
    if (keys.length === 0 && prefix) putMember(out, prefix, {})
    for (const key of keys) flattenFacts(value[key] as JsonValue, prefix ? `${prefix}.${key}` : key, out)
  } else if (prefix) putMember(out, prefix, value)
  return out
}

export { isRecord as isJsonRecord }

/** Freeze a JSON tree in place (facts handed to nodes must not change under the run). */
export function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child as JsonValue)
  }
  return value
}
