// JSON columns that hold credentials or case data (connector settings, test suites) are stored
// as `{ sealed }`: one AES-256-GCM value under a data key, bound to where it is stored, so a copy
// of the database file gives nothing away. Values stored before sealing pass through unchanged.
import type { JsonValue } from '@carepath/dsl'
import type { DataCipher } from './data-cipher.ts'

/** The stored form of `value`: sealed under the data key `keyId`, bound to `aad`. */
export async function sealJson(cipher: DataCipher, keyId: string, aad: string, value: JsonValue): Promise<JsonValue> {
  return { sealed: await cipher.seal(keyId, JSON.stringify(value), aad) }
}

/** The value as saved, from its stored form (a value from before sealing is returned as it is). */
export async function openJson<T extends JsonValue | null | undefined>(
  cipher: DataCipher,
  aad: string,
  stored: T,
): Promise<T | JsonValue> {
  const sealed = sealedText(stored)
  if (sealed === undefined) return stored
  const opened: JsonValue = JSON.parse(await cipher.open(sealed, aad))
  return opened
}

function sealedText(stored: JsonValue | null | undefined): string | undefined {
  if (stored === null || stored === undefined || typeof stored !== 'object' || Array.isArray(stored)) return undefined
  const sealed = stored['sealed']
  return typeof sealed === 'string' && Object.keys(stored).length === 1 ? sealed : undefined
}
