import { canonicalJson, type JsonValue } from '@carepath/dsl'

/** A deep copy that is plain JSON (undefined members dropped), for values entering a log. */
export function toJson(value: unknown): JsonValue {
  return JSON.parse(canonicalJson(value)) as JsonValue
}

/** Whether two JSON values are equal (by canonical form). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

export { canonicalJson }
