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
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined
    node = Object.hasOwn(node, segment) ? node[segment] : undefined
  }
  return node
}
