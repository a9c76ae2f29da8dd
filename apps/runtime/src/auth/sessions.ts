// A person's session: opened once the last step of a log-in is accepted (spending its challenge,
// once) and ended at log-out. Every request checks its session against the policy in force
// (`authenticate` in auth.service.ts, kept whole there as the one gate for both kinds of token).
import { randomBytes } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import { loggedIn, loggedOut, mfaChecked } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { loginAttempts, loginChallenges, sessions, type UserRole } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import { auditActor, type Principal } from './principal.ts'
import { sha256 } from './token-hash.ts'

/** How long a session lasts: set by the installation, applied to old sessions too. */
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

/** Opening and ending sessions on the store; a new session lives at most `policy.absoluteMs`. */
export function createSessions(deps: { store: Store; audit: AuditRecorder; now: () => Date; policy: SessionPolicy }) {
  const { store, audit, now, policy } = deps
  const { db } = store

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

  async function logout(token: string, principal: Principal) {
    await store.transaction(async () => {
      await db
        .update(sessions)
        .set({ revokedAt: now().getTime() })
        .where(eq(sessions.tokenHash, sha256(token)))
      await audit.record(loggedOut(auditActor(principal)))
    })
  }

  return { openSession, logout }
}
/** Opening and ending sessions, as the log-in steps and the service use them. */
export type Sessions = ReturnType<typeof createSessions>
