// The installation's keys, kept outside the database: the audit chain's HMAC key, the Ed25519 key
// that signs audit checkpoints, the HMAC secret for PHI references in the trail, and the
// key-encryption keys (KEKs) that wrap the data keys of encryption at rest. Someone holding a copy
// of the database file alone can neither rebuild the audit chain nor read encrypted PHI.
//
// `KeyStore` is the interface the runtime uses; `openFileKeyStore` implements it over a JSON file
// (mode 0600). A KMS-backed store can implement the same interface later.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'

/** Refused at start or on a key operation, with a plain sentence for the operator. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError'
}

export interface KeyStore {
  /** A random id made with the keys; the database records it, so a key file of another installation is refused. */
  readonly installation: string
  /** HMAC-SHA256 key of the audit hash chain (its genesis is keyed by it too). */
  readonly auditChainKey: KeyObject
  /** Records 1..n were chained before the keyed chain existed (plain sha256 from the all-zero start). */
  readonly legacyAuditThrough: number
  /** Short id of the checkpoint signing key (sha256 of its public key). */
  readonly signingKeyId: string
  /** The checkpoint verification key (SPKI PEM), safe to hand to an offline verifier. */
  readonly verifyKeyPem: string
  /** Ed25519 signature (base64) of `data` with the installation's checkpoint key. */
  signCheckpoint(data: string): string
  /** True when `signature` over `data` was made with this installation's checkpoint key. */
  verifyCheckpoint(data: string, signature: string): boolean
  /** The HMAC secret for references to patient values in the audit trail. */
  readonly phiReferenceSecret: string
  /** Wrap a data key under the current KEK: `kekId:iv:tag:ciphertext` (base64url parts). */
  wrapDataKey(dataKey: Buffer): string
  /** Unwrap a data key; refuses a wrapping it cannot authenticate. */
  unwrapDataKey(wrapped: string): Buffer
  /** Id of the KEK new wrappings use. */
  readonly currentKekId: string
}

const keyFileSchema = z
  .object({
    carepathKeys: z.literal(1),
    installation: z.string().min(1),
    createdAt: z.string(),
    legacyAuditThrough: z.number().int().min(0),
    auditChainKey: z.string().min(40),
    auditSigningKey: z.string().includes('PRIVATE KEY'),
    phiReferenceKey: z.string().min(16),
    /** Newest first: the first wraps new data keys, every one still unwraps. */
    keks: z.array(z.object({ id: z.string().min(1), key: z.string().min(40), createdAt: z.string() })).min(1),
  })
  .strict()
type KeyFile = z.infer<typeof keyFileSchema>

const b64 = (buffer: Buffer) => buffer.toString('base64')
const b64url = (buffer: Buffer) => buffer.toString('base64url')

function newKek(now: Date): KeyFile['keks'][number] {
  return { id: 'kek-' + randomBytes(4).toString('hex'), key: b64(randomBytes(32)), createdAt: now.toISOString() }
}

/** Make a new key file's contents. `legacyAuditThrough` counts audit records chained before it. */
export function generateKeyFile(options: {
  legacyAuditThrough: number
  phiReferenceKey?: string
  now?: Date
}): KeyFile {
  const now = options.now ?? new Date()
  const { privateKey } = generateKeyPairSync('ed25519')
  return {
    carepathKeys: 1,
    installation: randomUUID(),
    createdAt: now.toISOString(),
    legacyAuditThrough: options.legacyAuditThrough,
    auditChainKey: b64(randomBytes(32)),
    auditSigningKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    phiReferenceKey: options.phiReferenceKey ?? randomBytes(32).toString('hex'),
    keks: [newKek(now)],
  }
}

/** Write a key file readable by its owner only, replacing atomically (never half-written). */
export function writeKeyFile(file: string, contents: KeyFile, options: { exclusive?: boolean } = {}): void {
  mkdirSync(dirname(file), { recursive: true })
  const json = JSON.stringify(contents, null, 2) + '\n'
  if (options.exclusive) {
    writeFileSync(file, json, { mode: 0o600, flag: 'wx' })
    return
  }
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, json, { mode: 0o600, flag: 'w' })
  chmodSync(temp, 0o600)
  renameSync(temp, file)
}

/** Read and check a key file; a missing or damaged one is refused with a plain sentence. */
export function readKeyFile(file: string): KeyFile {
  if (!existsSync(file)) throw new KeyStoreError(`The key file ${file} does not exist.`)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new KeyStoreError(`The key file ${file} cannot be read as a Carepath key file (it may be damaged).`)
  }
  const parsed = keyFileSchema.safeParse(raw)
  if (!parsed.success)
    throw new KeyStoreError(`The key file ${file} is not a Carepath key file (${parsed.error.issues[0]?.message}).`)
  return parsed.data
}

/** The key store over a key file's contents. */
export function keyStoreOf(contents: KeyFile): KeyStore {
  const privateKey = createPrivateKey(contents.auditSigningKey)
  const publicKey = createPublicKey(privateKey)
  const verifyKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString()
  const signingKeyId = createHash('sha256').update(verifyKeyPem).digest('hex').slice(0, 16)
  const keks = new Map(contents.keks.map((k) => [k.id, Buffer.from(k.key, 'base64')]))
  const current = contents.keks[0]!
  return {
    installation: contents.installation,
    auditChainKey: createSecretKey(Buffer.from(contents.auditChainKey, 'base64')),
    legacyAuditThrough: contents.legacyAuditThrough,
    signingKeyId,
    verifyKeyPem,
    signCheckpoint: (data) => b64(sign(null, Buffer.from(data, 'utf8'), privateKey)),
    verifyCheckpoint: (data, signature) => {
      try {
        return verify(null, Buffer.from(data, 'utf8'), publicKey, Buffer.from(signature, 'base64'))
      } catch {
        return false
      }
    },
    phiReferenceSecret: contents.phiReferenceKey,
    currentKekId: current.id,
    wrapDataKey(dataKey) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', keks.get(current.id)!, iv)
      cipher.setAAD(Buffer.from(current.id))
      const body = Buffer.concat([cipher.update(dataKey), cipher.final()])
      return [current.id, b64url(iv), b64url(cipher.getAuthTag()), b64url(body)].join(':')
    },
    unwrapDataKey(wrapped) {
      const [id, iv, tag, body] = wrapped.split(':')
      const kek = id ? keks.get(id) : undefined
      if (!kek || !iv || !tag || !body)
        throw new KeyStoreError(`A data key is wrapped by key ${id ?? '?'}, which this key file does not hold.`)
      try {
        const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'))
        decipher.setAAD(Buffer.from(id!))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()])
      } catch {
        throw new KeyStoreError(`A data key wrapped by key ${id} does not authenticate (damaged or wrong key).`)
      }
    },
  }
}

/**
 * Add a new KEK in front (new data keys are wrapped by it); the older ones stay to unwrap until
 * every data key has been re-wrapped (`carepath keys rotate` does both).
 */
export function withNewKek(contents: KeyFile, now = new Date()): KeyFile {
  return { ...contents, keks: [newKek(now), ...contents.keks] }
}

/** Drop every KEK but the current one (after every data key was re-wrapped under it). */
export function withOnlyCurrentKek(contents: KeyFile): KeyFile {
  return { ...contents, keks: [contents.keks[0]!] }
}

export type { KeyFile }
