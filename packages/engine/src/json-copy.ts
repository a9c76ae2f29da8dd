import { toJson } from '@carepath/dsl'

/**
 * `toJson` for a value whose type is already JSON-shaped (an explanation, a task request): the
 * copy has the same members minus undefined ones, so it keeps the type of what was copied.
 */
export function jsonCopy<T extends object>(value: T): T {
  return toJson(value) as T
}
