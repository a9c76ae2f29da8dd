import { z } from 'zod'

/** A JSON value: what documents, facts, event logs and traces are made of. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }

/** Any JSON value, as a zod schema: the one rule schemas, node configs and suites validate literals with. */
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
)

/**
 * The value at a dotted fact path (`patient.birthDate`), or undefined when any segment is absent:
 * what `ExecuteContext.get` means. Walks own members of objects only (no array indexes), so the
 * engine and the node-test fake context answer alike.
 */
export function valueAtPath(facts: Readonly<JsonObject>, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = facts as JsonObject
  for (const segment of pathSegments(path)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined
    node = Object.hasOwn(node, segment) ? node[segment] : undefined
  }
  return node
}

/** Split paths by the path itself: a flow reads the same few paths on every run. */
const segmentsByPath = new Map<string, readonly string[]>()
/** Bounded, so paths that come from data rather than from flows cannot grow it without end. */
const SEGMENT_CACHE_LIMIT = 10_000

/** The segments of a dotted path (`a.b` → `['a', 'b']`), shared between calls: never mutate them. */
export function pathSegments(path: string): readonly string[] {
  let segments = segmentsByPath.get(path)
  if (segments === undefined) {
    segments = path.split('.')
    if (segmentsByPath.size >= SEGMENT_CACHE_LIMIT) segmentsByPath.clear()
    segmentsByPath.set(path, segments)
  }
  return segments
}
