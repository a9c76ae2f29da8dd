// The authentication service: who may log in and how, and who each request acts as. Its parts
// live beside it (people.ts, login.ts, second-factor.ts, sessions.ts, api-tokens.ts); this file
// composes them and keeps `authenticate` here, whole: it is the one gate every request passes, for
// both kinds of bearer token, and bench/http.bench.ts profiles it by function and file name.
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import type { Store } from '../store/store.ts'
import { API_TOKEN_PREFIX, createApiTokens } from './api-tokens.ts'
import { createLogin } from './login.ts'
import { createLoginThrottle } from './login-throttle.ts'
import type { MfaService } from './mfa.service.ts'
import { createPeople } from './people.ts'
import { principalOf, type AuthRow, type Principal } from './principal.ts'
import { createSecondFactor } from './second-factor.ts'
import { createSessions, type SessionPolicy } from './sessions.ts'
import { sha256 } from './token-hash.ts'
import { createWebAuthn } from './webauthn.ts'

export { auditActor, type Principal } from './principal.ts'
export {
  API_TOKEN_DEFAULT_DAYS,
  API_TOKEN_MAX_DAYS,
  API_TOKEN_SCOPES,
  type ApiTokenInfo,
  type ApiTokenScope,
} from './api-tokens.ts'
export type { LoginResult } from './login.ts'
export type { LoginUser, SessionPolicy } from './sessions.ts'

// Every request authenticates: these are hand-written statements (store.sql) rather than
// drizzle's builder, which would rebuild the query on each call.
const SESSION_LOOKUP =
  'SELECT s.created_at, s.last_seen_at, s.expires_at, s.revoked_at, u.id AS user_id, u.username, u.role, u.flow_roles, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?'
// Session activity is written at most this often, so reads do not turn into writes on every call.
const TOUCH_EVERY_MS = 5_000

/**
 * Authentication on the store: people and their access, log-in in one or two steps, sessions
 * under `policy`, API tokens, and `authenticate` for every request.
 */
export function createAuthService(
  store: Store,
  audit: AuditRecorder,
  now: () => Date,
  policy: SessionPolicy,
  mfa: MfaService,
) {
  const throttle = createLoginThrottle(store, now)
  const webauthn = createWebAuthn({ store, audit, now })
  const { openSession, logout } = createSessions({ store, audit, now, policy })
  const { login, afterFirstFactor, recordFailure } = createLogin({ store, audit, now, throttle, mfa, openSession })
  const secondFactor = createSecondFactor({ store, audit, now, throttle, mfa, webauthn, openSession, recordFailure })
  const { tokenRows, createApiToken, listApiTokens, revokeApiToken } = createApiTokens({ store, audit, now })
  const people = createPeople({ store, audit, now })

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

  return {
    throttle,
    login,
    afterFirstFactor,
    openSession,
    authenticate,
    logout,
    createApiToken,
    listApiTokens,
    revokeApiToken,
    // Adding people, their roles and queues (people.ts); the second step of a log-in and passkeys (second-factor.ts).
    ...people,
    ...secondFactor,
  }
}
/** The authentication service as the runtime, the routers and single sign-on use it. */
export type AuthService = ReturnType<typeof createAuthService>
