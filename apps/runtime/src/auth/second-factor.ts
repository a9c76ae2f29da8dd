// Step two of a log-in, against the challenge step one gave (login.ts): a TOTP or recovery code,
// a passkey, or enrolling a first factor when the policy requires one and the person has none.
// A challenge is short-lived, spent once by the session it opens (sessions.ts) and void after a
// few wrong codes, so it cannot be guessed at outside the password throttle.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { eq, sql } from 'drizzle-orm'
import { mfaChecked } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { loginChallenges, users } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import { LOCAL, refuseWhileSlowed, type Login } from './login.ts'
import type { LoginThrottle } from './login-throttle.ts'
import type { MfaService } from './mfa.service.ts'
import type { LoginUser, Sessions } from './sessions.ts'
import { sha256 } from './token-hash.ts'
import type { RelyingParty, WebAuthnService } from './webauthn.ts'

/** Wrong codes one challenge takes before it is void (the person logs in again, under the password backoff). */
const CHALLENGE_FAILURES = 5

/** The second step of a log-in, and enrolling a second factor during one. */
export function createSecondFactor(deps: {
  store: Store
  audit: AuditRecorder
  now: () => Date
  throttle: LoginThrottle
  mfa: MfaService
  webauthn: WebAuthnService
  openSession: Sessions['openSession']
  recordFailure: Login['recordFailure']
}) {
  const { store, audit, now, throttle, mfa, webauthn, openSession, recordFailure } = deps
  const { db } = store

  /** The person a live challenge belongs to; an unknown, used, expired or void one is refused plainly. */
  async function challenged(challenge: string, purpose?: 'verify' | 'enrol') {
    const row = await db
      .select()
      .from(loginChallenges)
      .where(eq(loginChallenges.tokenHash, sha256(challenge)))
      .get()
    const t = now().getTime()
    if (!row || row.usedAt !== null || t >= row.expiresAt || row.failures >= CHALLENGE_FAILURES)
      throw new AppError('unauthenticated', 'This log-in has expired or was already used; log in again.')
    if (purpose && row.purpose !== purpose)
      throw new AppError(
        'bad-input',
        row.purpose === 'enrol'
          ? 'Enrol a second factor first.'
          : 'A second factor is already enrolled; enter its code.',
      )
    const user = await db.select().from(users).where(eq(users.id, row.userId)).get()
    if (!user || user.disabled) throw new AppError('unauthenticated', 'This log-in has expired; log in again.')
    return { row, user: { id: user.id, username: user.username, role: user.role } satisfies LoginUser }
  }

  /** A wrong code against a challenge: counted in the row itself, so racing processes add up. */
  async function challengeFailed(tokenHash: string, clearWebauthn = false) {
    await db
      .update(loginChallenges)
      .set({ failures: sql`${loginChallenges.failures} + 1`, ...(clearWebauthn ? { webauthnChallenge: null } : {}) })
      .where(eq(loginChallenges.tokenHash, tokenHash))
  }

  /** The second step: a TOTP code or a recovery code for the challenge the password step gave. */
  async function verifySecondFactor(
    challenge: string,
    input: { code: string } | { recoveryCode: string },
    address: string = LOCAL,
  ): Promise<{ status: 'ok'; token: string; user: LoginUser }> {
    const { row, user } = await challenged(challenge, 'verify')
    const method = 'code' in input ? ('totp' as const) : ('recovery' as const)
    const slowed = await throttle.check(user.username, address)
    if (!slowed.ok) {
      await audit.record(
        mfaChecked(
          { who: user.username, role: user.role },
          { method, reason: 'slowed after failed attempts' },
          'failure',
        ),
      )
      refuseWhileSlowed(slowed, 'wrong codes')
    }
    const verdict =
      'code' in input
        ? await mfa.verifyTotp(user, input.code.trim())
        : (await mfa.useRecoveryCode(user, input.recoveryCode))
          ? 'ok'
          : 'wrong'
    if (verdict !== 'ok') {
      await challengeFailed(row.tokenHash)
      await throttle.failed(user.username, address)
      await recordFailure(
        user.username,
        user.role,
        verdict === 'replayed'
          ? 'a code already used (replayed)'
          : `wrong ${method === 'totp' ? 'code' : 'recovery code'}`,
        method,
      )
      throw new AppError(
        'unauthenticated',
        verdict === 'replayed'
          ? 'That code was already used; wait for the next one.'
          : method === 'totp'
            ? 'Wrong code.'
            : 'Wrong or used recovery code.',
        { path: method === 'totp' ? 'code' : 'recoveryCode' },
      )
    }
    await throttle.succeeded(user.username, address)
    return { status: 'ok', ...(await openSession(user, method, challenge)) }
  }

  /** The second step with a passkey, part one: options for the browser, their challenge kept on the log-in. */
  async function passkeyOptions(challenge: string, rp: RelyingParty) {
    const { row, user } = await challenged(challenge, 'verify')
    const options = await webauthn.authenticationOptions(user, rp)
    await db
      .update(loginChallenges)
      .set({ webauthnChallenge: options.challenge })
      .where(eq(loginChallenges.tokenHash, row.tokenHash))
    return options
  }

  /** Part two: the authenticator's signed answer; a session when it verifies. */
  async function verifyPasskey(
    challenge: string,
    response: AuthenticationResponseJSON,
    rp: RelyingParty,
    address: string = LOCAL,
  ): Promise<{ status: 'ok'; token: string; user: LoginUser }> {
    const { row, user } = await challenged(challenge, 'verify')
    const slowed = await throttle.check(user.username, address)
    if (!slowed.ok) {
      await audit.record(
        mfaChecked(
          { who: user.username, role: user.role },
          { method: 'webauthn', reason: 'slowed after failed attempts' },
          'failure',
        ),
      )
      refuseWhileSlowed(slowed, 'failed second factors')
    }
    if (!row.webauthnChallenge) throw new AppError('bad-input', 'Ask for the passkey options first.')
    const result = await webauthn.authenticate(user, response, row.webauthnChallenge, rp)
    if (!result.ok) {
      await challengeFailed(row.tokenHash, true)
      await throttle.failed(user.username, address)
      await recordFailure(user.username, user.role, result.reason, 'webauthn')
      throw new AppError('unauthenticated', 'The passkey was not accepted; try again.', { path: 'response' })
    }
    await throttle.succeeded(user.username, address)
    return { status: 'ok', ...(await openSession(user, 'webauthn', challenge)) }
  }

  /** Registering a passkey: during a log-in the policy holds up (then a session), or from a session. */
  async function passkeyEnrolOptions(user: LoginUser, rp: RelyingParty) {
    return webauthn.registrationOptions(user, rp)
  }

  async function passkeyEnrolFinish(
    user: LoginUser,
    response: RegistrationResponseJSON,
    rp: RelyingParty,
    options: { challenge?: string | undefined; label?: string | undefined },
  ) {
    const actor = { who: user.username, role: user.role }
    const { factorId } = await webauthn.register(user, response, rp, actor, options.label)
    // The first factor comes with recovery codes, as an authenticator app's does.
    const recoveryCodes =
      (await mfa.recoveryCodesLeft(user.id)) === 0 ? await mfa.regenerateRecoveryCodes(user, actor) : []
    if (options.challenge)
      return {
        status: 'ok' as const,
        ...(await openSession(user, 'webauthn', options.challenge)),
        recoveryCodes,
        factorId,
      }
    return { status: 'enrolled' as const, recoveryCodes, factorId }
  }

  /** Enrolment during log-in (the policy needs a factor and none exists): start, then confirm and get a session. */
  async function enrolStart(challenge: string) {
    const { user } = await challenged(challenge, 'enrol')
    return mfa.startTotp(user)
  }

  async function enrolConfirm(challenge: string, code: string) {
    const { user } = await challenged(challenge, 'enrol')
    const { recoveryCodes } = await mfa.confirmTotp(user, code.trim(), { who: user.username, role: user.role })
    return { status: 'ok' as const, ...(await openSession(user, 'totp', challenge)), recoveryCodes }
  }

  return {
    challenged,
    verifySecondFactor,
    passkeyOptions,
    verifyPasskey,
    passkeyEnrolOptions,
    passkeyEnrolFinish,
    enrolStart,
    enrolConfirm,
  }
}
