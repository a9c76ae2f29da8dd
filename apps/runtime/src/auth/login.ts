// Step one of a log-in: a password checked under the throttle (login-throttle.ts), or an identity
// provider's word (oidc.service.ts); then a session, or a challenge for the second step
// (second-factor.ts). A failed attempt at either step is refused, counted and audited here, so
// both steps answer a guesser alike.
import { randomBytes, randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { loginRefused, mfaChecked, passwordAccepted } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { loginChallenges, users } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import type { LoginThrottle, ThrottleVerdict } from './login-throttle.ts'
import type { MfaService } from './mfa.service.ts'
import { hashPassword, verifyPassword } from './password.ts'
import type { LoginUser, Sessions } from './sessions.ts'
import { sha256 } from './token-hash.ts'

/**
 * What a log-in step answers: a session (`ok`), or the half-way challenge for the next step:
 * show a second factor (`mfa`), or enrol one first because the policy requires it (`enrol`).
 */
export type LoginResult =
  | { status: 'ok'; token: string; user: LoginUser }
  | { status: 'mfa'; challenge: string; methods: ('totp' | 'recovery' | 'webauthn')[]; user: { username: string } }
  | { status: 'enrol'; challenge: string; methods: ('totp' | 'webauthn')[]; user: { username: string } }

/** How long the second step may take after the password (or the IdP) was accepted. */
const CHALLENGE_MS = 5 * 60_000

/** Where a log-in came from when the caller does not say (in-process callers, the CLI). */
export const LOCAL = 'local'

/** Refuse a step while the throttle slows whoever sent it, saying for how long. */
export function refuseWhileSlowed(verdict: ThrottleVerdict, what: string): void {
  if (verdict.ok) return
  const from =
    verdict.scope === 'address'
      ? 'from this address'
      : verdict.scope === 'username'
        ? 'for this user from new addresses'
        : 'for this user from this address'
  throw new AppError('too-many-attempts', `Too many ${what} ${from}; try again in ${verdict.retryAfterSeconds} s.`)
}

/** The first step of a log-in, and the failure record both steps keep. */
export function createLogin(deps: {
  store: Store
  audit: AuditRecorder
  now: () => Date
  throttle: LoginThrottle
  mfa: MfaService
  openSession: Sessions['openSession']
}) {
  const { store, audit, now, throttle, mfa, openSession } = deps
  const { db } = store
  let dummyHash: Promise<string> | undefined

  /**
   * Step one of a log-in. `address` is where it came from (the client's IP): throttling is per
   * address and per username-and-address, so a guesser slows only themselves (login-throttle.ts).
   */
  async function login(username: string, password: string, address: string = LOCAL): Promise<LoginResult> {
    const user = await db.select().from(users).where(eq(users.username, username)).get()
    const verdict = await throttle.check(username, address)
    if (!verdict.ok) {
      // Refusals are audited for real users only: a spray of made-up names writes nothing more.
      if (user) await audit.record(loginRefused({ who: username, role: user.role }, 'slowed after failed log-ins'))
      refuseWhileSlowed(verdict, 'failed log-ins')
    }
    const ok =
      user && !user.disabled
        ? await verifyPassword(password, user.passwordHash)
        : await verifyPassword(password, await (dummyHash ??= hashPassword(randomUUID())))
    if (!ok || !user) {
      await throttle.failed(username, address)
      await recordFailure(
        username,
        user?.role ?? 'unknown',
        'wrong username or password',
        undefined,
        user !== undefined,
      )
      throw new AppError('unauthenticated', 'Wrong username or password.')
    }
    const result = await afterFirstFactor(user)
    if (result.status === 'ok') await throttle.succeeded(username, address)
    return result
  }

  /**
   * A failed attempt (password or second factor), audited. A real user's running count is kept
   * (the audit record says how many in a row); a made-up username leaves no row behind, so
   * guessing names cannot grow the table. The throttle itself is login-throttle.ts.
   */
  async function recordFailure(
    username: string,
    role: string,
    reason: string,
    method?: 'totp' | 'recovery' | 'webauthn',
    known = true,
  ) {
    const t = now().getTime()
    await store.transaction(async () => {
      let failures = 1
      if (known) {
        // Counted in the database with one upsert, so failures at several processes add up.
        const row = await store.sql.get<{ failures: number }>(
          `INSERT INTO login_attempts (username, failures, last_failure_at, blocked_until) VALUES (?, 1, ?, 0)
            ON CONFLICT (username) DO UPDATE SET failures = login_attempts.failures + 1, last_failure_at = excluded.last_failure_at
            RETURNING failures`,
          [username, t],
        )
        failures = row?.failures ?? 1
      }
      await audit.record(
        method
          ? mfaChecked({ who: username, role }, { method, reason, failures }, 'failure')
          : loginRefused({ who: username, role }, reason, failures),
      )
    })
  }

  /**
   * The first factor (a password, or an identity provider) was accepted: open a session, or a
   * challenge for the second step when the policy requires a factor or the person enrolled one.
   */
  async function afterFirstFactor(user: LoginUser, options: { idpMfa?: boolean } = {}): Promise<LoginResult> {
    const hasFactor = !options.idpMfa && (await mfa.hasFactor(user.id))
    const needed = !options.idpMfa && (hasFactor || (await mfa.requiredFor(user)))
    if (!needed) return { status: 'ok', ...(await openSession(user, options.idpMfa ? 'idp' : undefined)) }
    const purpose = hasFactor ? 'verify' : 'enrol'
    const challenge = 'cpc_' + randomBytes(32).toString('base64url')
    const t = now().getTime()
    await store.transaction(async () => {
      await db
        .insert(loginChallenges)
        .values({ tokenHash: sha256(challenge), userId: user.id, purpose, createdAt: t, expiresAt: t + CHALLENGE_MS })
      await audit.record(passwordAccepted({ who: user.username, role: user.role }, purpose))
    })
    const who = { username: user.username }
    if (purpose === 'enrol') return { status: 'enrol', challenge, methods: ['totp', 'webauthn'], user: who }
    const kinds = new Set((await mfa.factors(user.id)).map((f) => f.kind))
    const methods = [...(['totp', 'webauthn'] as const).filter((k) => kinds.has(k)), 'recovery' as const]
    return { status: 'mfa', challenge, methods, user: who }
  }

  return { login, recordFailure, afterFirstFactor }
}
/** Step one of a log-in, and the failure record both steps keep. */
export type Login = ReturnType<typeof createLogin>
