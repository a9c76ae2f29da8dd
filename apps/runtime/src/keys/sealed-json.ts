// JSON columns that hold credentials or case data (connector settings, test suites) are stored
// as `{ sealed }`: one AES-256-GCM value under a data key, bound to where it is stored, so a copy
// of the database file gives nothing away. Values stored before sealing pass through unchanged.
import type { JsonValue } from '@carepath/dsl'
import type { DataCipher } from './data-cipher.ts'

/** The stored form of `value`: sealed under the data key `keyId`, bound to `aad`. */
export function sealJson(cipher: DataCipher, keyId: string, aad: string, value: JsonValue): JsonValue {
  return { sealed: cipher.seal(keyId, JSON.stringify(value), aad) }
}

/** The value as saved, from its stored form (a value from before sealing is returned as it is). */
export function openJson<T extends JsonValue | null | undefined>(
  cipher: DataCipher,
  aad: string,
  stored: T,
): T | JsonValue {
  if (stored === null || stored === undefined || typeof stored !== 'object' || Array.isArray(stored)) return stored
  const sealed = stored['sealed']
  if (typeof sealed !== 'string' || Object.keys(stored).length !== 1) return stored
  const opened: JsonValue = JSON.parse(cipher.open(sealed, aad))
  return opened
}
