// Integration settings hold credentials (SMTP passwords, webhook signing keys, API tokens in
// headers). Nobody reads them back: the settings query shows each one as "set" (or null when
// empty), and saving the masked view again keeps the stored value instead of writing "set".
import type { JsonValue } from '@carepath/dsl'

/** What a stored secret reads as. */
export const SECRET_MASK = 'set'

// Every value under these keys is a credential: header values (Authorization, x-api-key, ...)
// and webhook signing secrets by name.
const SECRET_MAPS = new Set(['headers', 'secrets'])
// Leaves with these names are credentials wherever they are (the settings object is loose).
const SECRET_LEAF =
  /^(pass|password|passphrase|secret|token|apikey|api_key|api-key|clientsecret|client_secret|privatekey|private_key)$/i

type Json = JsonValue | undefined
const isObject = (v: Json): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Whether the setting at `path` (keys from the root) is a credential. */
export function isSecret(path: readonly string[]): boolean {
  const key = path[path.length - 1] ?? ''
  const parent = path[path.length - 2]
  return SECRET_LEAF.test(key) || (parent !== undefined && SECRET_MAPS.has(parent))
}

function walk(value: JsonValue, path: string[], leaf: (value: JsonValue, path: string[]) => JsonValue): JsonValue {
  if (path.length > 0 && isSecret(path) && !isObject(value)) return leaf(value, path)
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, String(i)], leaf))
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], leaf)]))
  return value
}

/** The settings as anyone may read them: every credential replaced by "set", or null when empty. */
export function maskSecrets(settings: { [key: string]: JsonValue }): { [key: string]: JsonValue } {
  return walk(settings, [], (value) => (value === null || value === '' ? null : SECRET_MASK)) as {
    [key: string]: JsonValue
  }
}

function at(value: Json, path: string[]): Json {
  let current = value
  for (const key of path)
    current = isObject(current) ? current[key] : Array.isArray(current) ? current[Number(key)] : undefined
  return current
}

/**
 * Settings about to be saved, with each credential still reading "set" replaced by the stored
 * one. A "set" with nothing stored behind it is an error (the dotted path says where), so a
 * masked value is never saved as the password.
 */
export function keepStoredSecrets(
  input: { [key: string]: JsonValue },
  stored: { [key: string]: JsonValue },
): { ok: true; value: { [key: string]: JsonValue } } | { ok: false; path: string } {
  let missing: string | undefined
  const value = walk(input, [], (leaf, path) => {
    if (leaf !== SECRET_MASK) return leaf
    const previous = at(stored, path)
    if (typeof previous === 'string' && previous !== '') return previous
    missing ??= path.join('.')
    return leaf
  })
  return missing ? { ok: false, path: missing } : { ok: true, value: value as { [key: string]: JsonValue } }
}
