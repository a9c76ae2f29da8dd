// Launch tokens: short-lived, signed, single-use permissions for a registered host application
// to open the embedded agent view for one agent, one patient and one context.
//
// Why HS256 (HMAC-SHA256 over a compact JWS) with node:crypto and not Ed25519 or a library:
// Carepath is both the issuer and the only verifier (hosts pass the token through, they never
// check it), so a public key buys nothing; a symmetric key kept outside the database does the
// job with no new dependency. The key is derived (HKDF) from the installation's key file, so it
// is never stored in the database and a copied database cannot mint launches. The format is a
// plain JWS so a host can still read the claims it was given (audience, expiry) with any library.
import { createHmac, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { jsonValueSchema } from '@carepath/dsl'

/** The one issuer name launch tokens carry. */
export const LAUNCH_ISSUER = 'carepath'
/** A launch is for opening the view now, not later: at most this long. */
export const MAX_LAUNCH_SECONDS = 300

/** What a launch is for: the caller's patient and the script to walk with their context. */
export const launchContextSchema = z
  .object({
    /** The flow whose published version the launch starts (a guided script), if any. */
    flowId: z.string().min(1).max(100).optional(),
    /** The caller's facts the run starts with (the host already holds them). */
    facts: z.record(z.string(), jsonValueSchema).optional(),
  })
  .strict()
export type LaunchContext = z.infer<typeof launchContextSchema>

export const launchClaimsSchema = z
  .object({
    iss: z.literal(LAUNCH_ISSUER),
    /** The host application's audience: a token signed for one host opens nothing in another. */
    aud: z.string().min(1),
    /** The agent the launch opens a session for. */
    sub: z.string().min(1),
    /** The nonce: exchanged at most once. */
    jti: z.string().min(16),
    iat: z.number().int(),
    exp: z.number().int(),
    /** The patient the launch is for (a FHIR Patient id or reference). */
    patient: z.string().min(1).max(200),
    ctx: launchContextSchema,
  })
  .strict()
export type LaunchClaims = z.infer<typeof launchClaimsSchema>

const headerSchema = z.object({ alg: z.literal('HS256'), typ: z.literal('JWT') })
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')

/** The launch signing key, derived from (never equal to) a key of the installation's key file. */
export function launchKeyFrom(installationKey: KeyObject): Buffer {
  return Buffer.from(hkdfSync('sha256', installationKey.export(), 'carepath', 'carepath/launch-token/v1', 32))
}

const mac = (key: Buffer, signingInput: string) => createHmac('sha256', key).update(signingInput).digest()

export function signLaunchToken(claims: LaunchClaims, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  const signingInput = `${HEADER}.${payload}`
  return `${signingInput}.${mac(key, signingInput).toString('base64url')}`
}

/** Why a token was not accepted, in words for the agent and the audit trail. */
export type LaunchRefusal = 'malformed' | 'bad-signature' | 'other-host' | 'expired' | 'replayed'

function decode(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

/**
 * The claims of a token signed with `key` for `audience` and unexpired at `nowSeconds`, or why
 * not. (Single use is the store's job: this is the pure part.)
 */
export function verifyLaunchToken(
  token: string,
  key: Buffer,
  audience: string,
  nowSeconds: number,
): { claims: LaunchClaims } | { refusal: LaunchRefusal; claims?: LaunchClaims } {
  const parts = token.split('.')
  if (parts.length !== 3 || !headerSchema.safeParse(decode(parts[0]!)).success) return { refusal: 'malformed' }
  const expected = mac(key, `${parts[0]}.${parts[1]}`)
  const given = Buffer.from(parts[2]!, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refusal: 'bad-signature' }
  const parsed = launchClaimsSchema.safeParse(decode(parts[1]!))
  if (!parsed.success) return { refusal: 'malformed' }
  const claims = parsed.data
  if (claims.aud !== audience) return { refusal: 'other-host', claims }
  if (claims.exp <= nowSeconds) return { refusal: 'expired', claims }
  return { claims }
}
