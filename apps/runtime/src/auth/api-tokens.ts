// API tokens for outside systems (CI pushing drafts, intake systems, a host application's
// backend): made, listed and revoked by admins, and looked up on every request that carries one.
// A token acts as one user with only its scopes; its secret is shown once and only its hash kept.
import { randomBytes, randomUUID } from 'node:crypto'
import { and, desc, eq, isNull } from 'drizzle-orm'
import { tokenCreated, tokenRevoked } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { apiTokens, users } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { coalescedReads, padded } from '../store/coalesced-reads.ts'
import type { Store } from '../store/store.ts'
import type { AuthRow } from './principal.ts'
import { sha256 } from './token-hash.ts'

/** Everything an API token may be allowed to do; each token is given some of these. */
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
/** One of {@link API_TOKEN_SCOPES}. */
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

/** How long a new API token lives, in days, unless its maker says otherwise. */
export const API_TOKEN_DEFAULT_DAYS = 90
/** The longest life a new API token may be given, in days. */
export const API_TOKEN_MAX_DAYS = 365
const DAY_MS = 86_400_000

/** What every API token starts with: a Bearer token without it is a session's. */
export const API_TOKEN_PREFIX = 'cpt_'

/** An unrevoked token with its user, as the per-request lookup reads it. */
type TokenRow = AuthRow & { token_hash: string; scopes: string; expires_at: string | null }

/** API tokens on the store: the per-request lookup, and the admin's make, list and revoke. */
export function createApiTokens(deps: { store: Store; audit: AuditRecorder; now: () => Date }) {
  const { store, audit, now } = deps
  const { db } = store

  // Every request authenticates: this is a hand-written statement (store.sql) rather than drizzle's
  // builder, which would rebuild the query on each call. Every request carries its token, and an
  // intake system sends one token on all of them: the requests in flight meanwhile are read
  // together (coalesced-reads.ts), each after it came.
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

  return { tokenRows, createApiToken, listApiTokens, revokeApiToken }
}
