// Second factors: TOTP (RFC 6238 through otpauth; the secret wrapped by the installation's
// key-encryption key, a code never accepted twice), one-time recovery codes (stored hashed), and
// the admin's policy saying which roles must use one. WebAuthn passkeys live in webauthn.ts.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { and, eq, isNotNull, isNull } from 'drizzle-orm'
import * as OTPAuth from 'otpauth'
import QRCode from 'qrcode'
import { z } from 'zod'
import type { AuditActor } from '../audit/audit-entries.ts'
import { mfaEnrolled, mfaPolicySet, mfaRemoved, recoveryCodesIssued } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import type { Store } from '../store/store.ts'
import { mfaFactors, mfaRecoveryCodes, settings, USER_ROLES, type UserRole } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { KeyStore } from '../keys/key-store.ts'

export const mfaPolicySchema = z
  .object({
    /** Roles whose people must show a second factor at log-in. */
    required: z.array(z.enum(USER_ROLES)),
    /** People who log in with a password alone whatever their role (the demo's users). */
    passwordOnly: z.array(z.string().max(100)).max(1000),
    /** Accept an identity provider's MFA (`amr` holding mfa/otp/hwk…, or an `acr` listed here) in place of a local factor. */
    acceptIdpMfa: z.boolean().default(true),
  })
  .strict()
export type MfaPolicy = z.infer<typeof mfaPolicySchema>

/** On for every role until an admin says otherwise. */
export const DEFAULT_MFA_POLICY: MfaPolicy = { required: [...USER_ROLES], passwordOnly: [], acceptIdpMfa: true }
const POLICY_KEY = 'auth.mfa-policy'
// Hand-written: drizzle names the conflict target with its table ("settings"."key"), which
// PostgreSQL does not accept.
const UPSERT_SETTING =
  'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
const RECOVERY_CODES = 10
const TOTP = { issuer: 'Carepath', algorithm: 'SHA1', digits: 6, period: 30 } as const

/** A person as the factor functions need them. */
export interface MfaUser {
  id: string
  username: string
  role: UserRole
}

export interface FactorInfo {
  id: string
  kind: 'totp' | 'webauthn'
  label: string
  createdAt: string
  lastUsedAt: string | null
}

// Recovery codes carry 50 random bits each, so a plain sha256 is enough to store them (as with
// session tokens): there is no dictionary to try, unlike a password.
const hashCode = (code: string) =>
  createHash('sha256')
    .update(code.replace(/[^a-z0-9]/gi, '').toLowerCase())
    .digest('hex')
const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789' // no l, o, 0, 1: read back without confusion
function recoveryCode(): string {
  const bytes = randomBytes(10)
  const chars = [...bytes].map((b) => BASE32[b % 32]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5, 10)}`
}

export function createMfaService(deps: { store: Store; audit: AuditRecorder; now: () => Date; keys: KeyStore }) {
  const { store, audit, now, keys } = deps
  const { db } = store

  /** Read from the database each time: an admin's change at any process holds at once. */
  async function policy(): Promise<MfaPolicy> {
    const row = await db.select().from(settings).where(eq(settings.key, POLICY_KEY)).get()
    const parsed = mfaPolicySchema.safeParse(row?.value)
    return parsed.success ? parsed.data : DEFAULT_MFA_POLICY
  }

  async function setPolicy(value: MfaPolicy, actor: AuditActor) {
    const next = {
      ...value,
      required: [...new Set(value.required)].sort(),
      passwordOnly: [...new Set(value.passwordOnly)].sort(),
    }
    await store.transaction(async () => {
      await store.sql.run(UPSERT_SETTING, [POLICY_KEY, JSON.stringify(next)])
      await audit.record(mfaPolicySet(actor, { required: next.required, passwordOnly: next.passwordOnly }))
    })
    return next
  }

  /**
   * Add people to the policy's password-only list (the demo's people, tests' fixtures), audited.
   * Read and written under one lock: two processes adding at once both keep their names.
   */
  async function exempt(usernames: string[], actor: AuditActor) {
    await store.transaction(async () => {
      await store.sql.serialize(`settings:${POLICY_KEY}`)
      const current = await policy()
      await setPolicy({ ...current, passwordOnly: [...current.passwordOnly, ...usernames] }, actor)
    })
  }

  /** Whether this person must show a second factor to log in. */
  async function requiredFor(user: { username: string; role: UserRole }): Promise<boolean> {
    const p = await policy()
    return p.required.includes(user.role) && !p.passwordOnly.includes(user.username)
  }

  const confirmed = (userId: string) =>
    db
      .select()
      .from(mfaFactors)
      .where(and(eq(mfaFactors.userId, userId), isNotNull(mfaFactors.confirmedAt)))
      .all()

  /** The person's confirmed factors, as they may see them (never a secret). */
  async function factors(userId: string): Promise<FactorInfo[]> {
    return (await confirmed(userId)).map((f) => ({
      id: f.id,
      kind: f.kind,
      label: f.label,
      createdAt: f.createdAt,
      lastUsedAt: f.lastUsedAt,
    }))
  }

  const hasFactor = async (userId: string) => (await confirmed(userId)).length > 0

  async function recoveryCodesLeft(userId: string): Promise<number> {
    const unused = await db
      .select({ id: mfaRecoveryCodes.id })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)))
      .all()
    return unused.length
  }

  const totpFor = (user: MfaUser, secret: OTPAuth.Secret) => new OTPAuth.TOTP({ ...TOTP, label: user.username, secret })

  /**
   * Begin a TOTP enrolment: a new secret, the otpauth:// URI and its QR code (SVG). Nothing is
   * required of the person until they confirm it with a code from their app.
   */
  async function startTotp(user: MfaUser) {
    const secret = new OTPAuth.Secret({ size: 20 })
    const id = randomUUID()
    const wrapped = keys.wrapDataKey(Buffer.from(secret.bytes))
    await store.transaction(async () => {
      // One enrolment in progress at a time.
      await db
        .delete(mfaFactors)
        .where(and(eq(mfaFactors.userId, user.id), eq(mfaFactors.kind, 'totp'), isNull(mfaFactors.confirmedAt)))
      await db.insert(mfaFactors).values({
        id,
        userId: user.id,
        kind: 'totp',
        label: 'Authenticator app',
        secret: wrapped,
        createdAt: now().toISOString(),
      })
    })
    const uri = totpFor(user, secret).toString()
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
    return { factorId: id, secret: secret.base32, uri, qrSvg }
  }

  /** The time step of `code` for this factor, or undefined when it is wrong or was used already. */
  function acceptedStep(user: MfaUser, factor: typeof mfaFactors.$inferSelect, code: string): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined
    const secret = new OTPAuth.Secret({ buffer: new Uint8Array(keys.unwrapDataKey(factor.secret)).buffer })
    const timestamp = now().getTime()
    const delta = totpFor(user, secret).validate({ token: code, timestamp, window: 1 })
    if (delta === null) return undefined
    const step = Math.floor(timestamp / 1000 / TOTP.period) + delta
    return step > factor.counter ? step : undefined
  }

  /** Confirm the enrolment in progress with a code from the app; returns fresh recovery codes. */
  async function confirmTotp(user: MfaUser, code: string, actor: AuditActor): Promise<{ recoveryCodes: string[] }> {
    const pending = await db
      .select()
      .from(mfaFactors)
      .where(and(eq(mfaFactors.userId, user.id), eq(mfaFactors.kind, 'totp'), isNull(mfaFactors.confirmedAt)))
      .get()
    if (!pending) throw new AppError('not-found', 'No authenticator enrolment is in progress; start again.')
    const step = acceptedStep(user, pending, code)
    if (step === undefined) {
      await audit.record(
        mfaEnrolled(actor, user.username, { method: 'totp', factor: pending.id, reason: 'wrong code' }, 'failure'),
      )
      throw new AppError('unauthenticated', 'That code is not the one your app shows now; try the next one.', {
        path: 'code',
      })
    }
    return store.transaction(async () => {
      // Conditional on still pending: of two confirmations racing, one enrols the factor.
      const confirmedNow = await db
        .update(mfaFactors)
        .set({ confirmedAt: now().toISOString(), counter: step })
        .where(and(eq(mfaFactors.id, pending.id), isNull(mfaFactors.confirmedAt)))
        .returning({ id: mfaFactors.id })
      if (confirmedNow.length !== 1)
        throw new AppError('not-found', 'No authenticator enrolment is in progress; start again.')
      await audit.record(mfaEnrolled(actor, user.username, { method: 'totp', factor: pending.id }))
      // The first factor comes with recovery codes; a further one keeps the codes already issued.
      const recoveryCodes = (await recoveryCodesLeft(user.id)) === 0 ? await issueCodes(user, actor) : []
      return { recoveryCodes }
    })
  }

  /** Check a TOTP code at log-in; a code is accepted once (its time step is remembered). */
  async function verifyTotp(user: MfaUser, code: string): Promise<'ok' | 'wrong' | 'replayed'> {
    let replayed = false
    for (const factor of (await confirmed(user.id)).filter((f) => f.kind === 'totp')) {
      const step = acceptedStep(user, factor, code)
      if (step === undefined) {
        replayed ||= acceptedStep(user, { ...factor, counter: -1 }, code) !== undefined
        continue
      }
      // Conditional on the old counter, so two concurrent log-ins with one code cannot both win.
      const won = await db
        .update(mfaFactors)
        .set({ counter: step, lastUsedAt: now().toISOString() })
        .where(and(eq(mfaFactors.id, factor.id), eq(mfaFactors.counter, factor.counter)))
        .returning({ id: mfaFactors.id })
      if (won.length === 1) return 'ok'
      replayed = true
    }
    return replayed ? 'replayed' : 'wrong'
  }

  /** Use a recovery code at log-in: each works once. */
  async function useRecoveryCode(user: MfaUser, code: string): Promise<boolean> {
    const wanted = Buffer.from(hashCode(code), 'hex')
    const unused = await db
      .select()
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, user.id), isNull(mfaRecoveryCodes.usedAt)))
      .all()
    const match = unused.find((row) => timingSafeEqual(Buffer.from(row.codeHash, 'hex'), wanted))
    if (!match) return false
    const used = await db
      .update(mfaRecoveryCodes)
      .set({ usedAt: now().toISOString() })
      .where(and(eq(mfaRecoveryCodes.id, match.id), isNull(mfaRecoveryCodes.usedAt)))
      .returning({ id: mfaRecoveryCodes.id })
    return used.length === 1
  }

  /** Replace the person's recovery codes (inside the caller's transaction); the codes are shown once. */
  async function issueCodes(user: MfaUser, actor: AuditActor): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode)
    const createdAt = now().toISOString()
    await db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id))
    await db
      .insert(mfaRecoveryCodes)
      .values(codes.map((code) => ({ id: randomUUID(), userId: user.id, codeHash: hashCode(code), createdAt })))
    await audit.record(recoveryCodesIssued(actor, user.username, codes.length))
    return codes
  }

  async function regenerateRecoveryCodes(user: MfaUser, actor: AuditActor): Promise<string[]> {
    if (!(await hasFactor(user.id))) throw new AppError('conflict', 'Enrol an authenticator or a passkey first.')
    return store.transaction(() => issueCodes(user, actor))
  }

  /** Remove a factor; the last one cannot go while the policy requires a second factor. */
  async function removeFactor(user: MfaUser, factorId: string, actor: AuditActor) {
    const required = await requiredFor(user)
    await store.transaction(async () => {
      // Serialised per person, so two removals at once cannot take away the last two factors.
      await store.sql.serialize(`carepath:mfa-factors:${user.id}`)
      const all = await confirmed(user.id)
      const factor = all.find((f) => f.id === factorId)
      if (!factor) throw new AppError('not-found', 'No such factor.', { path: 'factorId' })
      if (all.length === 1 && required)
        throw new AppError(
          'conflict',
          'Your role must log in with a second factor: enrol another before removing this one.',
        )
      await db.delete(mfaFactors).where(eq(mfaFactors.id, factorId))
      if (all.length === 1) await db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id))
      await audit.record(mfaRemoved(actor, user.username, { method: factor.kind, factor: factor.id }))
    })
  }

  return {
    policy,
    setPolicy,
    exempt,
    requiredFor,
    factors,
    hasFactor,
    recoveryCodesLeft,
    startTotp,
    confirmTotp,
    verifyTotp,
    useRecoveryCode,
    regenerateRecoveryCodes,
    removeFactor,
  }
}
export type MfaService = ReturnType<typeof createMfaService>
