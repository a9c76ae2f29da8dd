// Rotating the key-encryption key without downtime: a new KEK goes in front in the key file, every
// data key (and every TOTP secret) is re-wrapped under it, then the old KEK is dropped. The data
// itself is never re-encrypted, and the running runtime switches keys in place: the services hold
// a key store that delegates to the current one.
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { keysRotated } from '../audit/audit-entries.ts'
import type { Store } from '../store/store.ts'
import type { DataCipher } from './data-cipher.ts'
import { keyStoreOf, readKeyFile, withNewKek, withOnlyCurrentKek, writeKeyFile, type KeyStore } from './key-store.ts'

/** A key store whose keys can be replaced in place (rotation), for the services that hold it. */
export function swappableKeyStore(initial: KeyStore): KeyStore & { replace(next: KeyStore): void } {
  let current = initial
  return {
    replace: (next) => {
      current = next
    },
    get installation() {
      return current.installation
    },
    get auditChainKey() {
      return current.auditChainKey
    },
    get legacyAuditThrough() {
      return current.legacyAuditThrough
    },
    get signingKeyId() {
      return current.signingKeyId
    },
    get verifyKeyPem() {
      return current.verifyKeyPem
    },
    get phiReferenceSecret() {
      return current.phiReferenceSecret
    },
    get currentKekId() {
      return current.currentKekId
    },
    signCheckpoint: (data) => current.signCheckpoint(data),
    verifyCheckpoint: (data, signature) => current.verifyCheckpoint(data, signature),
    wrapDataKey: (key) => current.wrapDataKey(key),
    unwrapDataKey: (wrapped) => current.unwrapDataKey(wrapped),
  }
}

/** Rotate the KEK of the key file `file` for the runtime holding `keys`; audited. */
export async function rotateKek(deps: {
  file: string
  keys: ReturnType<typeof swappableKeyStore>
  store: Store
  cipher: DataCipher
  audit: AuditRecorder
  actor: { who: string; role: string }
}): Promise<{ kek: string; dataKeys: number; secrets: number }> {
  const { file, keys, store, cipher, audit } = deps
  const withBoth = withNewKek(readKeyFile(file))
  writeKeyFile(file, withBoth)
  keys.replace(keyStoreOf(withBoth))
  const dataKeys = await cipher.rewrapAll()
  const totp = await store.transaction(async () => {
    const rows = await store.sql.all<{ id: string; secret: string }>(
      "SELECT id, secret FROM mfa_factors WHERE kind = 'totp'",
    )
    for (const row of rows)
      await store.sql.run('UPDATE mfa_factors SET secret = ? WHERE id = ?', [
        keys.wrapDataKey(keys.unwrapDataKey(row.secret)),
        row.id,
      ])
    return rows
  })
  const final = withOnlyCurrentKek(withBoth)
  writeKeyFile(file, final)
  keys.replace(keyStoreOf(final))
  const kek = final.keks[0]!.id
  await audit.record(keysRotated(deps.actor, { kek, dataKeys, secrets: totp.length }))
  return { kek, dataKeys, secrets: totp.length }
}
