// Encryption at rest: AES-256-GCM under data keys, each wrapped by the installation's
// key-encryption key (outside the database). The one seam the stores use: `seal` a text under a
// named data key (made on first use, inside the caller's transaction) and bound to where it is
// stored (the AAD), `open` it back. A sealed value is `enc1:<key id>:<iv>:<tag>:<ciphertext>`. A
// sealed value moved to another row, edited, or sealed under a shredded key is refused whole;
// nothing decrypts partially. Keys are per flow and day (`run:<flow>:<day>`), so retention
// shreds a day of a flow's runs with one key and the hot path rarely makes one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { Db } from '../db/open-db.ts'
import type { KeyStore } from './key-store.ts'

const PREFIX = 'enc1:'
/** Unwrapped data keys kept in memory (a run's key is used by every read and write of that run). */
const CACHE = 4096

/** A sealed value that cannot be opened: its key was shredded or lost, or the value was damaged. */
export class SealedDataError extends Error {
  override readonly name = 'SealedDataError'
  constructor(
    message: string,
    /** `shredded`: deleted for retention, on purpose; `damaged`/`no-key`: something is wrong. */
    readonly reason: 'shredded' | 'damaged' | 'no-key' = 'damaged',
  ) {
    super(message)
  }
}

export interface DataCipher {
  /** Seal `plaintext` under the data key `keyId` (made on first use), bound to `aad` (where it is stored). */
  seal(keyId: string, plaintext: string, aad: string): string
  /** Open a sealed value; the key it names is used (a value stored before encryption passes through unchanged). */
  open(stored: string, aad: string): string
  /** `seal` for bytes (a packed run batch): the same sealed text, over bytes that need not be UTF-8. */
  sealBytes(keyId: string, plaintext: Uint8Array, aad: string): string
  /** `open` for bytes: what `sealBytes` sealed, or the UTF-8 bytes of a value stored before encryption. */
  openBytes(stored: string, aad: string): Buffer
  /** Destroy a data key: everything sealed under it is unreadable from now on. */
  shred(keyId: string, at: string): boolean
  /** Whether a key has been shredded. */
  shredded(keyId: string): boolean
  /** Re-wrap every data key under the current KEK (key rotation); returns how many. */
  rewrapAll(): number
}

/** No encryption: what a store uses when none is configured (the store's own tests). */
export const PLAINTEXT: DataCipher = {
  seal: (_k, plaintext) => plaintext,
  open: (stored) => {
    if (stored.startsWith(PREFIX)) throw new SealedDataError('A sealed value was read without the key store.')
    return stored
  },
  // Bytes have no plain text form: a store without a cipher keeps its values as text.
  sealBytes: () => {
    throw new Error('Bytes can only be stored sealed: this store has no cipher.')
  },
  openBytes: (stored) => Buffer.from(PLAINTEXT.open(stored, ''), 'utf8'),
  shred: () => false,
  shredded: () => false,
  rewrapAll: () => 0,
}

export const isSealed = (stored: string) => stored.startsWith(PREFIX)

/** The data key a sealed value names, or undefined for a plaintext one (the store's own tests). */
export function sealedKeyId(stored: string): string | undefined {
  if (!stored.startsWith(PREFIX)) return undefined
  const id = stored.slice(PREFIX.length, stored.indexOf(':', PREFIX.length))
  return id ? decodeURIComponent(id) : undefined
}

export function createDataCipher(db: Db, keys: KeyStore, now: () => Date = () => new Date()): DataCipher {
  const sql = db.$client
  const get = sql.prepare<[string], { wrapped: string; shredded_at: string | null }>(
    'SELECT wrapped, shredded_at FROM data_keys WHERE id = ?',
  )
  const insert = sql.prepare('INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?)')
  const cache = new Map<string, Buffer>()
  // A key made inside a transaction is not cached until that transaction is over (better-sqlite3's
  // transactions are synchronous, so a microtask runs after it): were it rolled back, a cached key
  // would seal data under a key no row holds.
  const fresh = new Set<string>()
  const remember = (id: string, key: Buffer) => {
    if (fresh.has(id)) return
    if (cache.size >= CACHE) cache.delete(cache.keys().next().value as string)
    cache.set(id, key)
  }

  function keyFor(id: string, create: boolean): Buffer {
    const cached = cache.get(id)
    if (cached) return cached
    const row = get.get(id)
    if (row) {
      if (row.shredded_at !== null)
        throw new SealedDataError(`The data of ${id} was deleted for retention (its key is shredded).`, 'shredded')
      const key = keys.unwrapDataKey(row.wrapped)
      remember(id, key)
      return key
    }
    if (!create) throw new SealedDataError(`No data key ${id}: the sealed data cannot be read.`, 'no-key')
    const key = randomBytes(32)
    insert.run(id, keys.wrapDataKey(key), now().toISOString())
    fresh.add(id)
    queueMicrotask(() => fresh.delete(id))
    return key
  }

  function sealBytes(keyId: string, plaintext: Uint8Array, aad: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', keyFor(keyId, true), iv)
    cipher.setAAD(Buffer.from(aad))
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    const parts = [encodeURIComponent(keyId), iv, cipher.getAuthTag(), body].map((p) =>
      typeof p === 'string' ? p : p.toString('base64'),
    )
    return PREFIX + parts.join(':')
  }

  function openBytes(stored: string, aad: string): Buffer {
    if (!stored.startsWith(PREFIX)) return Buffer.from(stored, 'utf8')
    const [id, iv, tag, body] = stored.slice(PREFIX.length).split(':')
    if (!id || !iv || !tag || body === undefined) throw new SealedDataError('A sealed value is damaged.')
    const keyId = decodeURIComponent(id)
    const key = keyFor(keyId, false)
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'))
      decipher.setAAD(Buffer.from(aad))
      decipher.setAuthTag(Buffer.from(tag, 'base64'))
      // final() authenticates before anything is returned: a damaged value yields nothing.
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()])
    } catch {
      throw new SealedDataError(`A sealed value of ${keyId} does not authenticate: it was damaged or moved.`)
    }
  }

  return {
    seal: (keyId, plaintext, aad) => sealBytes(keyId, Buffer.from(plaintext, 'utf8'), aad),
    sealBytes,
    open: (stored, aad) => (stored.startsWith(PREFIX) ? openBytes(stored, aad).toString('utf8') : stored),
    openBytes,
    shred(keyId, at) {
      cache.delete(keyId)
      return (
        sql
          .prepare("UPDATE data_keys SET wrapped = '', shredded_at = ? WHERE id = ? AND shredded_at IS NULL")
          .run(at, keyId).changes === 1
      )
    },
    shredded: (keyId) => get.get(keyId)?.shredded_at != null,
    rewrapAll() {
      const rows = sql
        .prepare<[], { id: string; wrapped: string }>('SELECT id, wrapped FROM data_keys WHERE shredded_at IS NULL')
        .all()
      const update = sql.prepare('UPDATE data_keys SET wrapped = ? WHERE id = ?')
      sql.transaction(() => {
        for (const row of rows) update.run(keys.wrapDataKey(keys.unwrapDataKey(row.wrapped)), row.id)
      })()
      return rows.length
    },
  }
}
