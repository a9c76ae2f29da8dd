// The data cipher for callers still on the runtime's SQLite connection (store/README.md):
// settings read synchronously, the inbound HL7 store, dead letters, message events and hl7-out.
// The same sealed format and keys as `createDataCipher`, with the key lookup on better-sqlite3.
// When the last of them moves to the store, this file goes.
import { randomBytes } from 'node:crypto'
import type { Db } from '../db/open-db.ts'
import { CACHE, openWithKey, PREFIX, SealedDataError, sealedParts, sealWithKey } from './data-cipher.ts'
import type { KeyStore } from './key-store.ts'

export interface SyncDataCipher {
  seal(keyId: string, plaintext: string, aad: string): string
  open(stored: string, aad: string): string
  sealBytes(keyId: string, plaintext: Uint8Array, aad: string): string
  openBytes(stored: string, aad: string): Buffer
}

/** No encryption (a store's own tests). */
export const SYNC_PLAINTEXT: SyncDataCipher = {
  seal: (_k, plaintext) => plaintext,
  open: (stored) => {
    if (stored.startsWith(PREFIX)) throw new SealedDataError('A sealed value was read without the key store.')
    return stored
  },
  sealBytes: () => {
    throw new Error('Bytes can only be stored sealed: this store has no cipher.')
  },
  openBytes: (stored) => Buffer.from(SYNC_PLAINTEXT.open(stored, ''), 'utf8'),
}

export function createSyncDataCipher(db: Db, keys: KeyStore, now: () => Date = () => new Date()): SyncDataCipher {
  const sql = db.$client
  const get = sql.prepare<[string], { wrapped: string; shredded_at: string | null }>(
    'SELECT wrapped, shredded_at FROM data_keys WHERE id = ?',
  )
  const insert = sql.prepare('INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?)')
  const cache = new Map<string, Buffer>()

  // Never cached while a transaction is open (it could roll back), and a shredded key is read
  // again each time: retention shreds through the store's cipher, not this one.
  function keyFor(id: string, create: boolean): Buffer {
    const cached = cache.get(id)
    if (cached) return cached
    const row = get.get(id)
    if (row) {
      if (row.shredded_at !== null)
        throw new SealedDataError(`The data of ${id} was deleted for retention (its key is shredded).`, 'shredded')
      const key = keys.unwrapDataKey(row.wrapped)
      if (!sql.inTransaction && !id.startsWith('run:')) {
        if (cache.size >= CACHE) cache.delete(cache.keys().next().value as string)
        cache.set(id, key)
      }
      return key
    }
    if (!create) throw new SealedDataError(`No data key ${id}: the sealed data cannot be read.`, 'no-key')
    const key = randomBytes(32)
    insert.run(id, keys.wrapDataKey(key), now().toISOString())
    return key
  }

  const sealBytes = (keyId: string, plaintext: Uint8Array, aad: string) =>
    sealWithKey(keyFor(keyId, true), keyId, plaintext, aad)
  const openBytes = (stored: string, aad: string) => {
    if (!stored.startsWith(PREFIX)) return Buffer.from(stored, 'utf8')
    const parts = sealedParts(stored)
    return openWithKey(keyFor(parts.keyId, false), parts, aad)
  }
  return {
    seal: (keyId, plaintext, aad) => sealBytes(keyId, Buffer.from(plaintext, 'utf8'), aad),
    sealBytes,
    open: (stored, aad) => (stored.startsWith(PREFIX) ? openBytes(stored, aad).toString('utf8') : stored),
    openBytes,
  }
}
