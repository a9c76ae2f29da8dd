// WebAuthn passkeys as a second factor (@simplewebauthn/server): registration and authentication
// ceremonies, each audited. The relying party is this server: its id is the host name people
// reach it by (or `webauthn.rpId` when set), and only its own origin is accepted. A credential's
// public key and signature counter are kept (never a secret: there is none on this side); a
// counter that goes backwards means a cloned authenticator and is refused.
import { randomUUID } from 'node:crypto'
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { and, eq, isNotNull, isNull } from 'drizzle-orm'
import { z } from 'zod'
import { mfaEnrolled, type AuditActor } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import type { Store } from '../store/store.ts'
import { mfaFactors } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { MfaUser } from './mfa.service.ts'

/** Where the ceremony happens: the relying party id (a host name) and the origins accepted. */
export interface RelyingParty {
  rpId: string
  origins: string[]
  name: string
}

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const
const storedCredentialSchema = z
  .object({
    credentialId: z.string(),
    publicKey: z.string(),
    transports: z.array(z.enum(TRANSPORTS)).default([]),
  })
  .strict()
const pendingSchema = z.object({ registrationChallenge: z.string() }).strict()

/** A browser's answer to navigator.credentials.create / get, as JSON (checked by the library). */
export const registrationResponseSchema = z.custom<RegistrationResponseJSON>(
  (v) => typeof v === 'object' && v !== null && 'id' in v && 'response' in v,
  'a WebAuthn registration response',
)
export const authenticationResponseSchema = z.custom<AuthenticationResponseJSON>(
  (v) => typeof v === 'object' && v !== null && 'id' in v && 'response' in v,
  'a WebAuthn authentication response',
)

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'))

export function createWebAuthn(deps: { store: Store; audit: AuditRecorder; now: () => Date }) {
  const { store, audit, now } = deps
  const { db } = store

  const passkeys = async (userId: string) =>
    (
      await db
        .select()
        .from(mfaFactors)
        .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.kind, 'webauthn'), isNotNull(mfaFactors.confirmedAt)))
        .all()
    ).map((row) => ({ row, credential: storedCredentialSchema.parse(JSON.parse(row.secret)) }))

  /** Registration, step one: options for navigator.credentials.create, its challenge kept on a pending factor. */
  async function registrationOptions(user: MfaUser, rp: RelyingParty) {
    const options = await generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.rpId,
      userName: user.username,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: (await passkeys(user.id)).map(({ credential }) => ({
        id: credential.credentialId,
        transports: credential.transports,
      })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    })
    await store.transaction(async () => {
      await db
        .delete(mfaFactors)
        .where(and(eq(mfaFactors.userId, user.id), eq(mfaFactors.kind, 'webauthn'), isNull(mfaFactors.confirmedAt)))
      await db.insert(mfaFactors).values({
        id: randomUUID(),
        userId: user.id,
        kind: 'webauthn',
        label: 'Passkey',
        secret: JSON.stringify({ registrationChallenge: options.challenge }),
        createdAt: now().toISOString(),
      })
    })
    // No client extensions are asked for, so none are sent (their binary types do not survive JSON).
    const { challenge, rp: relyingParty, user: account, pubKeyCredParams, timeout, attestation } = options
    return {
      challenge,
      rp: relyingParty,
      user: account,
      pubKeyCredParams,
      timeout,
      attestation,
      excludeCredentials: options.excludeCredentials,
      authenticatorSelection: options.authenticatorSelection,
    }
  }

  /** Registration, step two: check the authenticator's answer; the passkey becomes a confirmed factor. */
  async function register(
    user: MfaUser,
    response: RegistrationResponseJSON,
    rp: RelyingParty,
    actor: AuditActor,
    label = 'Passkey',
  ): Promise<{ factorId: string }> {
    const pending = await db
      .select()
      .from(mfaFactors)
      .where(and(eq(mfaFactors.userId, user.id), eq(mfaFactors.kind, 'webauthn'), isNull(mfaFactors.confirmedAt)))
      .get()
    const challenge = pending ? pendingSchema.safeParse(JSON.parse(pending.secret)) : undefined
    if (!pending || !challenge?.success)
      throw new AppError('not-found', 'No passkey enrolment is in progress; start again.')
    const refuse = async (reason: string) => {
      await audit.record(
        mfaEnrolled(actor, user.username, { method: 'webauthn', factor: pending.id, reason }, 'failure'),
      )
      return new AppError('unauthenticated', 'The passkey could not be registered; try again.', { path: 'response' })
    }
    let verification
    try {
      verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge.data.registrationChallenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        requireUserVerification: false,
      })
    } catch {
      throw await refuse('the authenticator answer did not verify')
    }
    if (!verification.verified) throw await refuse('the authenticator answer did not verify')
    const { credential } = verification.registrationInfo
    const stored = {
      credentialId: credential.id,
      publicKey: b64url(credential.publicKey),
      transports: (credential.transports ?? []).filter((t): t is (typeof TRANSPORTS)[number] =>
        TRANSPORTS.some((known) => known === t),
      ),
    }
    await store.transaction(async () => {
      // Conditional on still pending: the same answer sent twice registers the passkey once.
      const confirmed = await db
        .update(mfaFactors)
        .set({
          secret: JSON.stringify(stored),
          counter: credential.counter,
          label: label.slice(0, 60) || 'Passkey',
          confirmedAt: now().toISOString(),
        })
        .where(and(eq(mfaFactors.id, pending.id), isNull(mfaFactors.confirmedAt)))
        .returning({ id: mfaFactors.id })
      if (confirmed.length !== 1) throw new AppError('not-found', 'No passkey enrolment is in progress; start again.')
      await audit.record(mfaEnrolled(actor, user.username, { method: 'webauthn', factor: pending.id }))
    })
    return { factorId: pending.id }
  }

  /** Authentication, step one: options for navigator.credentials.get naming the person's passkeys. */
  async function authenticationOptions(user: MfaUser, rp: RelyingParty) {
    const keys = await passkeys(user.id)
    if (keys.length === 0) throw new AppError('conflict', 'No passkey is enrolled for this person.')
    const options = await generateAuthenticationOptions({
      rpID: rp.rpId,
      userVerification: 'preferred',
      allowCredentials: keys.map(({ credential }) => ({
        id: credential.credentialId,
        transports: credential.transports,
      })),
    })
    const { challenge, timeout, rpId, allowCredentials, userVerification } = options
    return { challenge, timeout, rpId, allowCredentials, userVerification }
  }

  /**
   * Authentication, step two: the assertion must come from one of the person's passkeys, over
   * the challenge issued, from this origin, with a counter that moved on. Answers the factor used.
   */
  async function authenticate(
    user: MfaUser,
    response: AuthenticationResponseJSON,
    expectedChallenge: string,
    rp: RelyingParty,
  ): Promise<{ ok: true; factorId: string } | { ok: false; reason: string }> {
    const match = (await passkeys(user.id)).find(({ credential }) => credential.credentialId === response.id)
    if (!match) return { ok: false, reason: 'a passkey not enrolled for this person' }
    let verification
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        requireUserVerification: false,
        credential: {
          id: match.credential.credentialId,
          publicKey: bytesOf(match.credential.publicKey),
          counter: match.row.counter,
          transports: match.credential.transports,
        },
      })
    } catch {
      return { ok: false, reason: 'the passkey signature did not verify' }
    }
    if (!verification.verified) return { ok: false, reason: 'the passkey signature did not verify' }
    const { newCounter } = verification.authenticationInfo
    // Conditional on the old counter: a replayed or concurrent assertion cannot win twice.
    const won = await db
      .update(mfaFactors)
      .set({ counter: newCounter, lastUsedAt: now().toISOString() })
      .where(and(eq(mfaFactors.id, match.row.id), eq(mfaFactors.counter, match.row.counter)))
      .returning({ id: mfaFactors.id })
    if (won.length !== 1) return { ok: false, reason: 'a passkey assertion already used (replayed)' }
    return { ok: true, factorId: match.row.id }
  }

  return { registrationOptions, register, authenticationOptions, authenticate }
}
export type WebAuthnService = ReturnType<typeof createWebAuthn>

/** The relying party for a request: configured, or this server's own host and origin as the browser sees them. */
export function relyingPartyFor(
  configured: Partial<RelyingParty> | undefined,
  origin: string | undefined,
): RelyingParty {
  const url = origin ? new URL(origin) : undefined
  const rpId = configured?.rpId ?? url?.hostname
  const origins = configured?.origins ?? (url ? [url.origin] : [])
  if (!rpId || origins.length === 0)
    throw new AppError('bad-input', 'Passkeys need the address this server is reached at (set webauthn.rpId).')
  return { rpId, origins, name: configured?.name ?? 'Carepath' }
}
