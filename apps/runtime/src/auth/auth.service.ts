import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import {
  flowRolesSet,
  userSet,
  loggedIn,
  loggedOut,
  loginRefused,
  mfaChecked,
  passwordAccepted,
  tokenCreated,
  tokenRevoked,
  userAdded,
  type AuditInput,
} from '../audit/audit-entries.ts'
import { staleSave, versionAfter } from '../store/row-versions.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import { apiTokens, loginAttempts, loginChallenges, sessions, users, type UserRole } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { createLoginThrottle, type ThrottleVerdict } from './login-throttle.ts'
import type { MfaService } from './mfa.service.ts'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { createWebAuthn, type RelyingParty } from './webauthn.ts'
import { hashPassword, verifyPassword } from './password.ts'
import { coalescedReads, padded } from '../store/coalesced-reads.ts'

/** A person's version: when their access was last changed (people from before it was kept: when added). */
const personVersion = sql<string>`coalesce(${users.updatedAt}, ${users.createdAt})`

/** Who is calling: a person with a session, or an outside system with a scoped API token. */
export interface Principal {
  userId: string
  username: string
  role: UserRole
  flowRoles: string[]
  /** Present for API tokens: what the token may do. Sessions carry every right of the role. */
  scopes?: string[] | undefined
  /**
   * The installation acting on its own (the demo seed), never a person: the trail names it with
   * role `system`, and its `username` holds a space so no log-in can ever take it.
   */
  system?: true | undefined
}

/** Who acted, as the audit trail names them: the installation itself with role `system`. */
export function auditActor(principal: Principal): { who: string; role: string } {
  return { who: principal.username, role: principal.system ? 'system' : principal.role }
}

export const API_TOKEN_SCOPES = [
  'flows:read',
  // Pushing drafts and their test cases, and submitting them for review (`carepath push` from CI).
  'flows:write',
  'runs:start',
  'runs:read',
  'tasks:read',
  'tasks:answer',
  'events:deliver',
  // A host application's backend asking for launch tokens of the embedded agent view.
  'launch:issue',
] as const
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number]

/** An API token as admins see it in a list: never the secret, never its hash. */
export interface ApiTokenInfo {
  id: string
  name: string
  /** The user whose role the token acts with. */
  username: string
  scopes: string[]
  createdBy: string | null
  createdAt: string
  revokedAt: string | null
  expiresAt: string | null
}

/** How long a new API token lives unless its maker says otherwise, and the most it may. */
export const API_TOKEN_DEFAULT_DAYS = 90
export const API_TOKEN_MAX_DAYS = 365
const DAY_MS = 86_400_000

export interface SessionPolicy {
  /** Sign a person out after this long without a request (default 15 minutes). */
  idleMs: number
  /** Sign a person out this long after log-in, however active (default 12 hours). */
  absoluteMs: number
}

/** A person as a log-in answer names them. */
export interface LoginUser {
  id: string
  username: string
  role: UserRole
}

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
/** Wrong codes one challenge takes before it is void (the person logs in again, under the password backoff). */
const CHALLENGE_FAILURES = 5

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const API_TOKEN_PREFIX = 'cpt_'
/** Where a log-in came from when the caller does not say (in-process callers, the CLI). */
const LOCAL = 'local'
// Session activity is written at most this often, so reads do not turn into writes on every call.
const TOUCH_EVERY_MS = 5_000

export function createAuthService(
  store: Store,
  audit: AuditRecorder,
  now: () => Date,
  policy: SessionPolicy,
  mfa: MfaService,
) {
  const { db } = store
  let dummyHash: Promise<string> | undefined
  const throttle = createLoginThrottle(store, now)
  const webauthn = createWebAuthn({ store, audit, now })

  function refuseWhileSlowed(verdict: ThrottleVerdict, what: string): void {
    if (verdict.ok) return
    const from =
      verdict.scope === 'address'
        ? 'from this address'
        : verdict.scope === 'username'
          ? 'for this user from new addresses'
          : 'for this user from this address'
    throw new AppError('too-many-attempts', `Too many ${what} ${from}; try again in ${verdict.retryAfterSeconds} s.`)
  }

  async function addUser(
    input: { username: string; password: string; role: UserRole; flowRoles?: string[] },
    actor: { who: string; role: string },
  ) {
    const duplicate = () =>
      new AppError('conflict', `A user named "${input.username}" already exists.`, { path: 'username' })
    const existing = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username)).get()
    if (existing) throw duplicate()
    const passwordHash = await hashPassword(input.password)
    const id = randomUUID()
    const createdAt = now().toISOString()
    try {
      await store.transaction(async () => {
        await db.insert(users).values({
          id,
          username: input.username,
          role: input.role,
          passwordHash,
          flowRoles: input.flowRoles ?? [],
          createdAt,
          updatedAt: createdAt,
          updatedBy: actor.who,
        })
        await audit.record(userAdded(actor, input.username, input.role))
      })
    } catch (error) {
      // Another process added the same name while the password was hashed.
      if (isUniqueViolation(error)) throw duplicate()
      throw error
    }
    return { id, username: input.username, role: input.role }
  }

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

  /**
   * A session for `user`, its log-in audited; `method` names the second factor shown, if any.
   * A `challenge` is spent here, once: a second log-in racing on the same one is refused.
   */
  async function openSession(
    user: LoginUser,
    method?: 'totp' | 'recovery' | 'webauthn' | 'idp',
    challenge?: string,
  ): Promise<{ token: string; user: LoginUser }> {
    const t = now().getTime()
    const token = randomBytes(32).toString('base64url')
    await store.transaction(async () => {
      await db.delete(loginAttempts).where(eq(loginAttempts.username, user.username))
      if (challenge) {
        const spent = await db
          .update(loginChallenges)
          .set({ usedAt: t })
          .where(and(eq(loginChallenges.tokenHash, sha256(challenge)), isNull(loginChallenges.usedAt)))
          .returning({ tokenHash: loginChallenges.tokenHash })
        if (spent.length !== 1)
          throw new AppError('unauthenticated', 'This log-in has expired or was already used; log in again.')
      }
      await db.insert(sessions).values({
        tokenHash: sha256(token),
        userId: user.id,
        createdAt: t,
        lastSeenAt: t,
        expiresAt: t + policy.absoluteMs,
      })
      if (method) await audit.record(mfaChecked({ who: user.username, role: user.role }, { method }))
      await audit.record(loggedIn({ who: user.username, role: user.role }))
    })
    return { token, user: { id: user.id, username: user.username, role: user.role } }
  }

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

  // Every request authenticates: these are hand-written statements (store.sql) rather than
  // drizzle's builder, which would rebuild the query on each call.
  type AuthRow = { user_id: string; username: string; role: UserRole; flow_roles: string; disabled: unknown }
  type TokenRow = AuthRow & { token_hash: string; scopes: string; expires_at: string | null }
  // Every request carries its token, and an intake system sends one token on all of them: the
  // requests in flight meanwhile are read together (coalesced-reads.ts), each after it came.
  const tokenRows = coalescedReads(
    (tokenHash: string) => tokenHash,
    async (hashes): Promise<Map<string, TokenRow>> => {
      const asked = padded(hashes, '')
      const rows = await store.sql.all<TokenRow>(
        `SELECT t.token_hash, t.scopes, t.expires_at, u.id AS user_id, u.username, u.role, u.flow_roles, u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash IN (${asked.map(() => '?').join(', ')}) AND t.revoked_at IS NULL`,
        asked,
      )
      return new Map(rows.map((row) => [row.token_hash, row]))
    },
    () => store.sql.inTransaction(),
  )
  const SESSION_LOOKUP =
    'SELECT s.created_at, s.last_seen_at, s.expires_at, s.revoked_at, u.id AS user_id, u.username, u.role, u.flow_roles, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?'
  const principalOf = (row: AuthRow, scopes?: string[]): Principal => ({
    userId: row.user_id,
    username: row.username,
    role: row.role,
    flowRoles: JSON.parse(row.flow_roles) as string[],
    ...(scopes ? { scopes } : {}),
  })

  /**
   * Resolve a Bearer token to a principal, or undefined when it is unknown, expired or revoked.
   * Read from the database on every request (nothing cached), so a log-out or revocation made by
   * any process holds at once everywhere.
   */
  async function authenticate(token: string): Promise<Principal | undefined> {
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const row = await tokenRows(sha256(token))
      if (!row || row.disabled) return undefined
      if (row.expires_at !== null && now().toISOString() >= row.expires_at) return undefined
      return principalOf(row, JSON.parse(row.scopes) as string[])
    }
    const t = now().getTime()
    const tokenHash = sha256(token)
    const row = await store.sql.get<
      AuthRow & { created_at: number; last_seen_at: number; expires_at: number; revoked_at: number | null }
    >(SESSION_LOOKUP, [tokenHash])
    if (!row || row.revoked_at !== null || row.disabled) return undefined
    // The policy in force now applies to sessions opened under an older, longer one.
    const expiresAt = Math.min(row.expires_at, row.created_at + policy.absoluteMs)
    if (t >= expiresAt || t - row.last_seen_at >= policy.idleMs) return undefined
    if (t - row.last_seen_at >= TOUCH_EVERY_MS)
      await store.sql.run('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?', [
        t,
        tokenHash,
        t,
      ])
    return principalOf(row)
  }

  async function logout(token: string, principal: Principal) {
    await store.transaction(async () => {
      await db
        .update(sessions)
        .set({ revokedAt: now().getTime() })
        .where(eq(sessions.tokenHash, sha256(token)))
      await audit.record(loggedOut(auditActor(principal)))
    })
  }

  /** Make an API token acting as `username` with only `scopes`. The secret is returned here, once; only its hash is kept. */
  async function createApiToken(
    input: { username: string; name: string; scopes: ApiTokenScope[]; expiresInDays?: number | undefined },
    actor: { who: string; role: string },
  ) {
    const days = input.expiresInDays ?? API_TOKEN_DEFAULT_DAYS
    if (!Number.isInteger(days) || days < 1 || days > API_TOKEN_MAX_DAYS)
      throw new AppError('bad-input', `A token lives from 1 to ${API_TOKEN_MAX_DAYS} days.`, { path: 'expiresInDays' })
    const user = await db.select().from(users).where(eq(users.username, input.username)).get()
    if (!user) throw new AppError('not-found', `No user named "${input.username}".`, { path: 'username' })
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url')
    const id = randomUUID()
    const createdAt = now().toISOString()
    const expiresAt = new Date(now().getTime() + days * DAY_MS).toISOString()
    await store.transaction(async () => {
      await db.insert(apiTokens).values({
        id,
        tokenHash: sha256(token),
        userId: user.id,
        name: input.name,
        scopes: input.scopes,
        createdAt,
        createdBy: actor.who,
        expiresAt,
      })
      await audit.record(
        tokenCreated(actor, user.username, { tokenId: id, name: input.name, scopes: input.scopes, expiresAt }),
      )
    })
    return { id, token, name: input.name, username: user.username, scopes: input.scopes, createdAt, expiresAt }
  }

  /** Every API token, newest first: what it is and who made it, never the secret or its hash. */
  async function listApiTokens(): Promise<ApiTokenInfo[]> {
    return db
      .select({
        id: apiTokens.id,
        name: apiTokens.name,
        username: users.username,
        scopes: apiTokens.scopes,
        createdBy: apiTokens.createdBy,
        createdAt: apiTokens.createdAt,
        revokedAt: apiTokens.revokedAt,
        expiresAt: apiTokens.expiresAt,
      })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .orderBy(desc(apiTokens.createdAt), apiTokens.id)
      .all()
  }

  /**
   * Revoke an API token: the next request carrying it is refused (authenticate reads the row on
   * every request, nothing is cached). Revoking a revoked token changes nothing and writes nothing.
   */
  async function revokeApiToken(
    id: string,
    actor: { who: string; role: string },
  ): Promise<{ id: string; revokedAt: string; alreadyRevoked: boolean }> {
    return store.transaction(async () => {
      const row = await db
        .select({
          revokedAt: apiTokens.revokedAt,
          name: apiTokens.name,
          scopes: apiTokens.scopes,
          username: users.username,
        })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(eq(apiTokens.id, id))
        .get()
      if (!row) throw new AppError('not-found', 'No API token with this id.', { path: 'id' })
      if (row.revokedAt !== null) return { id, revokedAt: row.revokedAt, alreadyRevoked: true }
      const revokedAt = now().toISOString()
      // Conditional, so of two processes revoking at once only one writes (and audits) it.
      const revoked = await db
        .update(apiTokens)
        .set({ revokedAt })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id })
      if (revoked.length === 0) {
        const current = await db.select({ at: apiTokens.revokedAt }).from(apiTokens).where(eq(apiTokens.id, id)).get()
        return { id, revokedAt: current?.at ?? revokedAt, alreadyRevoked: true }
      }
      await audit.record(tokenRevoked(actor, row.username, { tokenId: id, name: row.name, scopes: row.scopes }))
      return { id, revokedAt, alreadyRevoked: false }
    })
  }

  /** Everyone, with the version of each person's access that a save from the admin screen names. */
  async function listUsers() {
    const rows = await db
      .select({
        id: users.id,
        username: users.username,
        role: users.role,
        flowRoles: users.flowRoles,
        disabled: users.disabled,
        version: personVersion,
      })
      .from(users)
      .orderBy(users.username)
      .all()
    return rows
  }

  /** A person's work queues, or undefined when there is no such active user. */
  async function flowRolesOf(username: string): Promise<string[] | undefined> {
    const row = await db
      .select({ flowRoles: users.flowRoles, disabled: users.disabled })
      .from(users)
      .where(eq(users.username, username))
      .get()
    return row && !row.disabled ? row.flowRoles : undefined
  }

  /**
   * Write one change to a person's access as a compare-and-set on their version: with `baseVersion`
   * (a save from the admin screen) only the row still at that version is changed, so of two saves on
   * one version one is written and the other refused (`conflict`) with nothing changed or audited.
   * Without it (the installation's own callers, which act on no earlier read) the write is
   * unconditional; either way the person's version moves on, so a screen open elsewhere is refused.
   */
  async function changePerson(
    username: string,
    change: Partial<Pick<typeof users.$inferInsert, 'flowRoles' | 'role' | 'disabled'>>,
    baseVersion: string | undefined,
    actor: { who: string; role: string },
    audited: readonly AuditInput[],
  ): Promise<{ version: string }> {
    return store.transaction(async () => {
      const current = await db
        .select({ updatedAt: personVersion, updatedBy: users.updatedBy })
        .from(users)
        .where(eq(users.username, username))
        .get()
      if (!current) throw new AppError('not-found', `No user named "${username}".`, { path: 'username' })
      const person = `the access of "${username}"`
      if (baseVersion !== undefined && current.updatedAt !== baseVersion) throw staleSave(person, current, actor.who)
      const version = versionAfter(now(), current.updatedAt)
      // The condition is checked again by the write itself: PostgreSQL re-reads a row a concurrent
      // save committed while this one waited for it, and matches it no longer.
      const written = await db
        .update(users)
        .set({ ...change, updatedAt: version, updatedBy: actor.who })
        .where(
          baseVersion === undefined
            ? eq(users.username, username)
            : and(eq(users.username, username), eq(personVersion, baseVersion)),
        )
        .returning({ id: users.id })
      if (written.length !== 1) {
        const since = await db
          .select({ updatedAt: personVersion, updatedBy: users.updatedBy })
          .from(users)
          .where(eq(users.username, username))
          .get()
        throw staleSave(person, since, actor.who)
      }
      for (const record of audited) await audit.record(record)
      return { version }
    })
  }

  /** A person's work queues (the whole list); `baseVersion` as for {@link changePerson}. */
  async function setFlowRoles(
    username: string,
    flowRoles: string[],
    actor: { who: string; role: string },
    baseVersion?: string,
  ): Promise<{ version: string }> {
    return changePerson(username, { flowRoles }, baseVersion, actor, [flowRolesSet(actor, username, flowRoles)])
  }

  /**
   * A person's product role, and whether they may log in at all: switched off, their sessions and
   * API tokens stop working at once (both are checked against the user on every request). An
   * admin cannot demote or switch off themselves, so an installation keeps an admin who can undo it.
   * With `flowRoles`, their work queues change in the same write (one version, both audited), so a
   * screen that changed both never saves one without the other. `baseVersion` as for
   * {@link changePerson}.
   */
  async function setUser(
    username: string,
    change: { role: UserRole; active: boolean; flowRoles?: string[] | undefined },
    actor: { who: string; role: string },
    baseVersion?: string,
  ): Promise<{ version: string }> {
    if (username === actor.who && (change.role !== 'admin' || !change.active))
      throw new AppError(
        'conflict',
        'You cannot take away your own admin role or switch off your own log-in; another admin can.',
        { path: 'username' },
      )
    const { role, active, flowRoles } = change
    return changePerson(
      username,
      flowRoles ? { role, disabled: !active, flowRoles } : { role, disabled: !active },
      baseVersion,
      actor,
      flowRoles
        ? [userSet(actor, username, role, active), flowRolesSet(actor, username, flowRoles)]
        : [userSet(actor, username, role, active)],
    )
  }

  const userCount = async () => (await store.sql.get<{ n: number }>('SELECT count(*) AS n FROM users'))?.n ?? 0

  return {
    throttle,
    addUser,
    login,
    afterFirstFactor,
    challenged,
    openSession,
    verifySecondFactor,
    passkeyOptions,
    verifyPasskey,
    passkeyEnrolOptions,
    passkeyEnrolFinish,
    enrolStart,
    enrolConfirm,
    authenticate,
    logout,
    createApiToken,
    listApiTokens,
    revokeApiToken,
    listUsers,
    setFlowRoles,
    setUser,
    flowRolesOf,
    userCount,
  }
}
export type AuthService = ReturnType<typeof createAuthService>
