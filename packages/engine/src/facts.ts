import { pathSegments, valueAtPath, type JsonValue } from '@carepath/dsl'

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
  const root: JsonRecord = { ...facts }
  writeAt(root, pathSegments(path), value)
  return root
}

/**
 * Put `value` at `segments` under `root` (a copy this call owns), copying each object on the way
 * unless `copied` says this call already copied it (several paths written at once).
 */
function writeAt(root: JsonRecord, segments: readonly string[], value: JsonValue, copied?: Set<JsonRecord>): void {
  let node = root
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i] as string
    const child = Object.hasOwn(node, key) ? node[key] : undefined
    if (isRecord(child) && copied?.has(child)) node = child
    else {
      const fresh: JsonRecord = isRecord(child) ? { ...child } : {}
      copied?.add(fresh)
      putMember(node, key, fresh)
      node = fresh
    }
  }
  putMember(node, segments[segments.length - 1] as string, value)
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

/**
 * Apply every `path → value` of a facts.set, in key order (already canonical in the log): the
 * same result as `setFact` path after path, but each object on the way is copied once, however
 * many paths go through it.
 */
export function applyFacts(facts: Readonly<JsonRecord>, set: Readonly<JsonRecord>): JsonRecord {
  const paths = sortedKeys(set)
  if (paths.length === 0) return facts as JsonRecord
  const root: JsonRecord = { ...facts }
  // One path copies its way down regardless: only several need to know what was copied already.
  const copied = paths.length > 1 ? new Set<JsonRecord>([root]) : undefined
  for (const path of paths) writeAt(root, pathSegments(path), set[path] as JsonValue, copied)
  return root
}

/**
 * The keys of a record in code-unit order. Logged sets are built in that order already, and
 * sorting a sorted array would still allocate the sort's work space, so it sorts only when needed.
 */
export function sortedKeys(record: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.keys(record)
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort()
  }
  return keys
}

const DOT = '.'.charCodeAt(0)

/** Whether a write to `path` is covered by a declared path (the path itself or one of its parents). */
export function isDeclaredWrite(path: string, declared: readonly string[]): boolean {
  for (const d of declared) {
    // `path` is `d` or starts with `d.` (checked without building the string `d.` per call).
    if (path.startsWith(d) && (path.length === d.length || path.charCodeAt(d.length) === DOT)) return true
  }
  return false
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
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  Object.freeze(value)
  // An array is walked in place (Object.values would copy it); a record's own members only.
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i] as JsonValue)
  else for (const child of Object.values(value)) deepFreeze(child)
  return value
}
