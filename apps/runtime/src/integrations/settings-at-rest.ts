// Connector settings hold credentials (client secrets, API keys, SMTP passwords): stored sealed
// with the runtime's cipher, like run data, so a copy of the database file does not give them away.
import type { JsonValue } from '@carepath/dsl'
import type { DataCipher } from '../keys/data-cipher.ts'

/** The data key settings are sealed under, and what each sealed value is bound to. */
const SETTINGS_KEY = 'settings'
const AAD = 'settings|integrations'

/** The stored form: `{ sealed }`, one sealed JSON text. */
export function sealSettings(cipher: DataCipher, value: JsonValue): JsonValue {
  return { sealed: cipher.seal(SETTINGS_KEY, JSON.stringify(value), AAD) }
}

/** The settings as saved; a value stored before sealing existed passes through unchanged. */
export function openSettings(cipher: DataCipher, stored: JsonValue | undefined): JsonValue | undefined {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return stored
  const sealed = stored['sealed']
  if (typeof sealed !== 'string' || Object.keys(stored).length !== 1) return stored
  const opened: JsonValue = JSON.parse(cipher.open(sealed, AAD))
  return opened
}
