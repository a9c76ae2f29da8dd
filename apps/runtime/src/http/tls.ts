// TLS for what `carepath serve` listens on: HTTPS for the UI and API, MLLPS for HL7 v2. TLS 1.2
// is the floor, ciphers are the AEAD suites with forward secrecy (TLS 1.3's are always on), and
// a certificate or key that cannot be read is refused at start with a plain sentence.
import { readFileSync } from 'node:fs'
import { createSecureContext, type SecureContextOptions } from 'node:tls'

/** TLS 1.2 suites kept: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305 (no CBC, no RSA key exchange). */
export const MODERN_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':')

/** Sent on every HTTPS response: browsers use HTTPS for this host for a year. */
export const HSTS = 'max-age=31536000; includeSubDomains'

export interface TlsFiles {
  cert: string
  key: string
  /** CA bundle whose client certificates are accepted (MLLPS: mutual TLS). */
  clientCa?: string | undefined
}

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError'
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file)
  } catch {
    throw new TlsConfigError(`The TLS ${what} ${file} cannot be read.`)
  }
}

/** Server options for https.createServer / tls.createServer from certificate and key files. */
export function tlsServerOptions(files: TlsFiles) {
  const options = {
    cert: read(files.cert, 'certificate'),
    key: read(files.key, 'private key'),
    ...(files.clientCa ? { ca: read(files.clientCa, 'client CA bundle'), requestCert: true } : {}),
    minVersion: 'TLSv1.2' as const,
    ciphers: MODERN_CIPHERS,
    honorCipherOrder: true,
  } satisfies SecureContextOptions & { requestCert?: boolean }
  try {
    createSecureContext(options) // a key that does not match its certificate fails here, not on the first client
  } catch (error) {
    throw new TlsConfigError(
      `The TLS certificate ${files.cert} and key ${files.key} cannot be used together (${error instanceof Error ? error.message : 'unreadable'}).`,
    )
  }
  return options
}
