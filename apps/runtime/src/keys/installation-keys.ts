// Binding a key file to its database. The database records only the installation id of its keys
// (never a key), so at start a missing key file, or one of another installation, is refused with
// a plain message rather than silently replaced by new keys that would orphan the audit chain and
// every encrypted value.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { SqlStore } from '../store/store.ts'
import { writeSetting } from '../review/stored-setting.ts'
import { generateKeyFile, KeyStoreError, keyStoreOf, readKeyFile, writeKeyFile, type KeyStore } from './key-store.ts'

/** Settings row naming the installation whose key file this database needs. */
export const KEYS_MARKER = 'keys.installation'
/** Where the PHI reference secret lived before the key file (moved out on first start). */
const LEGACY_REFERENCE_SECRET = 'secret.audit-reference'

/** The key file used when none is named: beside the database (name another with --keys / CAREPATH_KEY_FILE). */
export function defaultKeyFile(dbFile: string): string {
  return process.env.CAREPATH_KEY_FILE || join(dirname(dbFile), 'carepath.keys.json')
}

async function setting(store: SqlStore, key: string): Promise<unknown> {
  const row = await store.sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key])
  return row ? (JSON.parse(row.value) as unknown) : undefined
}

/**
 * Open the installation's keys for `db`. A database that has never had a key file (new, or made
 * before key files existed) gets one: its audit records so far are marked as the legacy chain,
 * and its PHI reference secret moves out of the database into the file. A database that has had
 * one refuses to start without it.
 */
export async function openInstallationKeys(
  store: SqlStore,
  file: string,
  options: { readonly?: boolean } = {},
): Promise<KeyStore> {
  const marker = await setting(store, KEYS_MARKER)
  if (existsSync(file)) {
    const contents = readKeyFile(file)
    if (typeof marker === 'string' && marker !== contents.installation)
      throw new KeyStoreError(
        `The key file ${file} belongs to another installation (${contents.installation}); this database needs the key file of installation ${marker}.`,
      )
    // A key file made before its database (or a marker lost): bind it. Should it belong to another
    // trail, `audit verify` says so, since that trail's keyed chain does not verify under it.
    if (marker === undefined && !options.readonly) await writeSetting(store, KEYS_MARKER, contents.installation)
    return keyStoreOf(contents)
  }
  if (typeof marker === 'string')
    throw new KeyStoreError(
      `The key file ${file} is missing. This database's audit trail and encrypted data need installation ${marker}'s key file: restore it from your backup, or name it with --keys FILE (or CAREPATH_KEY_FILE).`,
    )
  if (options.readonly)
    throw new KeyStoreError(`The key file ${file} does not exist; start the runtime once to make it.`)
  const legacySecret = await setting(store, LEGACY_REFERENCE_SECRET)
  const auditCount = Number((await store.sql.get<{ n: number | null }>('SELECT max(seq) AS n FROM audit_log'))?.n ?? 0)
  const contents = generateKeyFile({
    legacyAuditThrough: auditCount,
    ...(typeof legacySecret === 'string' ? { phiReferenceKey: legacySecret } : {}),
  })
  try {
    writeKeyFile(file, contents, { exclusive: true })
  } catch (error) {
    // Another process made it first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return openInstallationKeys(store, file, options)
    throw error
  }
  await store.transaction(async () => {
    await writeSetting(store, KEYS_MARKER, contents.installation)
    await store.sql.run('DELETE FROM settings WHERE key = ?', [LEGACY_REFERENCE_SECRET])
  })
  return keyStoreOf(contents)
}
