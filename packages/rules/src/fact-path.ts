import {
  CONDITION_FACT_ROOT_PATTERN as FACT_ROOT,
  CONDITION_SEGMENT_PATTERN as SEGMENT,
  type JsonValue,
} from '@carepath/dsl'

/**
 * How a condition names the value it reads.
 *
 * Carepath writes one dotted fact path (`patient.birthDate`), the same paths the facts schema
 * lists. json-rules-engine splits it into a top-level `fact` and a JSONPath `path`. A condition
 * may use either spelling; both mean the same canonical dotted path:
 *   { fact: 'patient.birthDate' }                     → patient.birthDate
 *   { fact: 'patient', path: '$.birthDate' }          → patient.birthDate
 * Only plain member paths are allowed (`$.a.b.0`): no wildcards, filters or brackets, because
 * they are resolved by `resolvePath` below, not by jsonpath-plus. The segment syntax is the
 * DSL's (names.ts), beside the fact-path syntax node configs write.
 */

/** The canonical dotted fact path of a condition, or an error sentence when it is not plain. */
export function canonicalFactPath(
  fact: string,
  path?: string,
): { ok: true; path: string } | { ok: false; message: string } {
  const factSegments = fact.split('.')
  if (!FACT_ROOT.test(factSegments[0] ?? '') || !factSegments.every((s) => SEGMENT.test(s))) {
    return { ok: false, message: `"${fact}" is not a plain dotted fact path like "patient.birthDate".` }
  }
  if (path === undefined || path === '' || path === '$') return { ok: true, path: fact }
  const rest = path.startsWith('$.') ? path.slice(2) : path
  const pathSegments = rest.split('.')
  if (!pathSegments.every((s) => SEGMENT.test(s))) {
    return {
      ok: false,
      message: `"${path}" is not a plain path like "$.birthDate" (no wildcards, filters or brackets).`,
    }
  }
  return { ok: true, path: `${fact}.${rest}` }
}

/** Split a canonical dotted path into json-rules-engine's top-level fact and `$.rest` path. */
export function splitFactPath(dotted: string): { fact: string; path?: string } {
  const dot = dotted.indexOf('.')
  return dot < 0 ? { fact: dotted } : { fact: dotted.slice(0, dot), path: `$.${dotted.slice(dot + 1)}` }
}

/**
 * The plain resolver json-rules-engine calls (its documented `pathResolver` option) instead of
 * jsonpath-plus, which builds and throws an Error per lookup and was a third of its run time.
 * Semantics: `$.a.b` walks members; a numeric segment indexes an array; any other segment on an
 * array maps over its items and flattens (so `results.code` is "the code of each result", as in
 * the facts schema). Anything absent resolves to undefined.
 */
export function resolvePath(value: unknown, path: string): unknown {
  const rest = path.startsWith('$.') ? path.slice(2) : path === '$' ? '' : path
  if (rest === '') return value
  let current: unknown = value
  let start = 0
  while (start <= rest.length) {
    const end = rest.indexOf('.', start)
    const segment = end < 0 ? rest.slice(start) : rest.slice(start, end)
    current = step(current, segment)
    if (current === undefined) return undefined
    if (end < 0) break
    start = end + 1
  }
  return current
}

/**
 * `resolvePath` for one dotted path, split once: the compiled evaluator resolves each path it
 * reads per evaluation, and the split (and its strings) would otherwise be paid every time.
 * Same semantics as resolvePath, member by member.
 */
export function compilePath(path: string): (value: unknown) => unknown {
  const rest = path.startsWith('$.') ? path.slice(2) : path === '$' ? '' : path
  if (rest === '') return (value) => value
  const steps = rest.split('.').map(memberStep)
  // Most fact paths have one or two segments (`patient.age`): no loop for them.
  if (steps.length === 1) return steps[0] as Step
  if (steps.length === 2) {
    const [first, second] = steps as [Step, Step]
    return (value) => {
      const parent = first(value)
      return parent === undefined ? undefined : second(parent)
    }
  }
  const n = steps.length
  return (value) => {
    let current = value
    for (let i = 0; i < n; i++) {
      current = (steps[i] as Step)(current)
      if (current === undefined) return undefined
    }
    return current
  }
}

type Step = (current: unknown) => unknown

/**
 * `step` with its segment bound in. A segment that names nothing on Object.prototype is read
 * from a plain object directly: facts are JSON, so such a member is either the object's own or
 * absent, and the own-member check is needed only for names like `constructor` or `__proto__`.
 */
function memberStep(segment: string): Step {
  if (segment in Object.prototype) return (current) => step(current, segment)
  return (current) => {
    if (current === null || typeof current !== 'object') return undefined
    if (Array.isArray(current)) return step(current, segment)
    return (current as Record<string, unknown>)[segment]
  }
}

function step(current: unknown, segment: string): unknown {
  if (current === null || typeof current !== 'object') return undefined
  if (Array.isArray(current)) {
    const code = segment.charCodeAt(0)
    if (code >= 48 && code <= 57) return current[Number(segment)]
    const out: unknown[] = []
    for (const item of current) {
      const next = step(item, segment)
      if (next === undefined) continue
      if (Array.isArray(next)) out.push(...next)
      else out.push(next)
    }
    return out
  }
  return Object.prototype.hasOwnProperty.call(current, segment)
    ? (current as Record<string, unknown>)[segment]
    : undefined
}

/** Put `value` at a dotted path inside `target`, creating objects on the way (case snapshots, subflow input). */
export function setPath(target: Record<string, JsonValue>, dotted: string, value: JsonValue): void {
  const segments = dotted.split('.')
  let node: Record<string, JsonValue> = target
  segments.slice(0, -1).forEach((segment) => {
    // Own members only: a path segment named `__proto__` or `constructor` from a flow document
    // must name a plain key, never reach Object.prototype.
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined
    if (next === null || next === undefined || typeof next !== 'object' || Array.isArray(next))
      putOwn(node, segment, {})
    node = node[segment] as Record<string, JsonValue>
  })
  putOwn(node, segments[segments.length - 1] as string, value)
}

/** Set an own, enumerable member, even for the key `__proto__` (plain assignment would set the prototype). */
function putOwn(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
