// Encryption at rest: AES-256-GCM under data keys, each wrapped by the installation's
// key-encryption key (outside the database). The one seam the stores use: `seal` a text under a
// named data key (made on first use, inside the caller's transaction) and bound to where it is
// stored (the AAD), `open` it back. A sealed text is `enc1:<key id>:<iv>:<tag>:<ciphertext>`;
// sealed bytes (a run's batches, the bulk of what is stored) are the same parts without base64,
// a third smaller (see `sealedBytes`). A sealed value moved to another row, edited, or sealed
// under a shredded key is refused whole; nothing decrypts partially. Keys are per flow and day
// (`run:<flow>:<day>`), so retention shreds a day of a flow's runs with one key and the hot path
// rarely makes one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { pooledRandomBytes } from './random-pool.ts'
import type { Store } from '../store/store.ts'
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
  /** Seal `plaintext` under the data key `keyId` (made on first use, in the caller's store transaction), bound to `aad`. */
  seal(keyId: string, plaintext: string, aad: string): Promise<string>
  /** Open a sealed value; the key it names is used (a value stored before encryption passes through unchanged). */
  open(stored: string, aad: string): Promise<string>
  /** `seal` for bytes (a packed run batch), sealed as bytes. */
  sealBytes(keyId: string, plaintext: Uint8Array, aad: string): Promise<Buffer>
  /**
   * `open` for bytes: what `sealBytes` sealed; a sealed text (a value stored before sealed bytes,
   * as text or as its UTF-8 bytes) is opened too, and a value stored before encryption is returned
   * as its bytes.
   */
  openBytes(stored: string | Buffer, aad: string): Promise<Buffer>
  /** Destroy a data key: everything sealed under it is unreadable from now on. */
  shred(keyId: string, at: string): Promise<boolean>
  /** Whether a key has been shredded. */
  shredded(keyId: string): Promise<boolean>
  /** Re-wrap every data key under the current KEK (key rotation); returns how many. */
  rewrapAll(): Promise<number>
}

/** No encryption: what a store uses when none is configured (the store's own tests). */
export const PLAINTEXT: DataCipher = {
  seal: async (_k, plaintext) => plaintext,
  open: async (stored) => {
    if (stored.startsWith(PREFIX)) throw new SealedDataError('A sealed value was read without the key store.')
    return stored
  },
  // Bytes have no plain text form: a store without a cipher keeps its values as text.
  sealBytes: () => Promise.reject(new Error('Bytes can only be stored sealed: this store has no cipher.')),
  openBytes: async (stored) => {
    if (Buffer.isBuffer(stored) ? isSealedBytes(stored) || startsWithPrefix(stored) : stored.startsWith(PREFIX))
      throw new SealedDataError('A sealed value was read without the key store.')
    return Buffer.isBuffer(stored) ? stored : Buffer.from(stored, 'utf8')
  },
  shred: async () => false,
  shredded: async () => false,
  rewrapAll: async () => 0,
}

export const isSealed = (stored: string) => stored.startsWith(PREFIX)

const PREFIX_BYTES = Buffer.from(PREFIX)
const startsWithPrefix = (stored: Buffer) => stored.subarray(0, PREFIX_BYTES.length).equals(PREFIX_BYTES)

/**
 * Sealed bytes: a format byte (1: neither a sealed text, which starts `e`, nor JSON can start
 * with it), the key id's UTF-8 length (2 bytes, big-endian) and bytes, the 12-byte IV, the
 * 16-byte tag, then the ciphertext.
 */
const SEALED_BYTES = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const isSealedBytes = (stored: Buffer) => stored[0] === SEALED_BYTES

/** The data key a sealed value names, or undefined for a plaintext one (the store's own tests). */
export function sealedKeyId(stored: string | Buffer): string | undefined {
  if (Buffer.isBuffer(stored)) {
    if (isSealedBytes(stored)) return sealedBytesParts(stored).keyId
    if (!startsWithPrefix(stored)) return undefined
    return sealedKeyId(stored.toString('utf8'))
  }
  if (!stored.startsWith(PREFIX)) return undefined
  const id = stored.slice(PREFIX.length, stored.indexOf(':', PREFIX.length))
  return id ? decodeURIComponent(id) : undefined
}

/** AES-256-GCM under `key`, written as the sealed text that names `keyId`. */
function sealWithKey(key: Buffer, keyId: string, plaintext: Uint8Array, aad: string): string {
  const iv = pooledRandomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const parts = [encodeURIComponent(keyId), iv, cipher.getAuthTag(), body].map((p) =>
    typeof p === 'string' ? p : p.toString('base64'),
  )
  return PREFIX + parts.join(':')
}

/** `plaintext` sealed as bytes (the layout above). */
function sealBytesWithKey(key: Buffer, keyId: string, plaintext: Uint8Array, aad: string): Buffer {
  const id = Buffer.from(keyId, 'utf8')
  if (id.length > 0xffff) throw new RangeError('A data key id is longer than 65,535 bytes.')
  const iv = pooledRandomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const body = [cipher.update(plaintext), cipher.final()]
  const head = Buffer.alloc(3)
  head[0] = SEALED_BYTES
  head.writeUInt16BE(id.length, 1)
  return Buffer.concat([head, id, iv, cipher.getAuthTag(), ...body])
}

interface SealedParts {
  keyId: string
  iv: Buffer
  tag: Buffer
  body: Buffer
}

/** The parts of a sealed text (refused whole when one is missing). */
function sealedParts(sealed: string): SealedParts {
  const [id, iv, tag, body] = sealed.slice(PREFIX.length).split(':')
  if (!id || !iv || !tag || body === undefined) throw new SealedDataError('A sealed value is damaged.')
  return {
    keyId: decodeURIComponent(id),
    iv: Buffer.from(iv, 'base64'),
    tag: Buffer.from(tag, 'base64'),
    body: Buffer.from(body, 'base64'),
  }
}

/** The parts of sealed bytes (refused whole when they are too short to hold them). */
function sealedBytesParts(sealed: Buffer): SealedParts {
  const idEnd = 3 + (sealed.length >= 3 ? sealed.readUInt16BE(1) : 0)
  const tagEnd = idEnd + IV_BYTES + TAG_BYTES
  if (sealed.length < tagEnd) throw new SealedDataError('A sealed value is damaged.')
  return {
    keyId: sealed.toString('utf8', 3, idEnd),
    iv: sealed.subarray(idEnd, idEnd + IV_BYTES),
    tag: sealed.subarray(idEnd + IV_BYTES, tagEnd),
    body: sealed.subarray(tagEnd),
  }
}

/**
 * A text sealed under a key the caller holds rather than a data key (single sign-on's rows,
 * sealed under a key derived from the browser's one-time value), in the same sealed form.
 */
export const sealTextUnderKey = (key: Buffer, keyId: string, text: string, aad: string): string =>
  sealWithKey(key, keyId, Buffer.from(text, 'utf8'), aad)

/** The text `sealTextUnderKey` sealed; a SealedDataError when it is damaged or under another key. */
export const openTextUnderKey = (key: Buffer, sealed: string, aad: string): string =>
  openWithKey(key, sealedParts(sealed), aad).toString('utf8')

/** The bytes a sealed value holds; authenticated before anything is returned, so a damaged value yields nothing. */
function openWithKey(key: Buffer, parts: SealedParts, aad: string): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv)
    decipher.setAAD(Buffer.from(aad))
    decipher.setAuthTag(parts.tag)
    return Buffer.concat([decipher.update(parts.body), decipher.final()])
  } catch {
    throw new SealedDataError(`A sealed value of ${parts.keyId} does not authenticate: it was damaged or moved.`)
  }
}

export function createDataCipher(store: Store, keys: KeyStore, now: () => Date = () => new Date()): DataCipher {
  const cache = new Map<string, Buffer>()
  const remember = (id: string, key: Buffer) => {
    if (cache.size >= CACHE) cache.delete(cache.keys().next().value as string)
    cache.set(id, key)
  }
  const stored = (id: string) =>
    store.sql.get<{ wrapped: string; shredded_at: string | null }>(
      'SELECT wrapped, shredded_at FROM data_keys WHERE id = ?',
      [id],
    )

  async function keyFor(id: string, create: boolean): Promise<Buffer> {
    const cached = cache.get(id)
    if (cached) return cached
    const row = await stored(id)
    if (row) {
      if (row.shredded_at !== null)
        throw new SealedDataError(`The data of ${id} was deleted for retention (its key is shredded).`, 'shredded')
      const key = keys.unwrapDataKey(row.wrapped)
      remember(id, key)
      return key
    }
    if (!create) throw new SealedDataError(`No data key ${id}: the sealed data cannot be read.`, 'no-key')
    const key = randomBytes(32)
    // Another process may make the same key at once: the first row wins and both use it. Cached
    // only once committed: were the transaction rolled back, a cached key would seal data under
    // a key no row holds.
    const { changes: made } = await store.sql.run(
      'INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [id, keys.wrapDataKey(key), now().toISOString()],
    )
    if (made === 0) return keyFor(id, false)
    store.sql.afterCommit(() => remember(id, key))
    return key
  }

  async function openParts(parts: SealedParts, aad: string): Promise<Buffer> {
    return openWithKey(await keyFor(parts.keyId, false), parts, aad)
  }

  return {
    seal: async (keyId, plaintext, aad) =>
      sealWithKey(await keyFor(keyId, true), keyId, Buffer.from(plaintext, 'utf8'), aad),
    sealBytes: async (keyId, plaintext, aad) => sealBytesWithKey(await keyFor(keyId, true), keyId, plaintext, aad),
    open: async (sealed, aad) =>
      sealed.startsWith(PREFIX) ? (await openParts(sealedParts(sealed), aad)).toString('utf8') : sealed,
    openBytes: async (stored, aad) => {
      if (Buffer.isBuffer(stored)) {
        if (isSealedBytes(stored)) return openParts(sealedBytesParts(stored), aad)
        if (!startsWithPrefix(stored)) return stored
        stored = stored.toString('utf8')
      }
      return stored.startsWith(PREFIX) ? openParts(sealedParts(stored), aad) : Buffer.from(stored, 'utf8')
    },
    async shred(keyId, at) {
      cache.delete(keyId)
      const { changes } = await store.sql.run(
        "UPDATE data_keys SET wrapped = '', shredded_at = ? WHERE id = ? AND shredded_at IS NULL",
        [at, keyId],
      )
      return changes === 1
    },
    shredded: async (keyId) => (await stored(keyId))?.shredded_at != null,
    rewrapAll: () =>
      store.transaction(async () => {
        const rows = await store.sql.all<{ id: string; wrapped: string }>(
          'SELECT id, wrapped FROM data_keys WHERE shredded_at IS NULL',
        )
        for (const row of rows)
          await store.sql.run('UPDATE data_keys SET wrapped = ? WHERE id = ?', [
            keys.wrapDataKey(keys.unwrapDataKey(row.wrapped)),
            row.id,
          ])
        return rows.length
      }),
  }
}
