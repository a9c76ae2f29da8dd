// Single sign-on log-ins between the browser's steps, kept in the database so that whichever
// runtime process the load balancer picks can take the next step: no sticky sessions. A row is
// named by the sha256 of the one-time value the browser carries (the state sent to the IdP, or
// the code handed back to the designer) and sealed (AES-256-GCM) under a key derived from that
// value, so the database alone yields neither a PKCE verifier nor a session token. Taking a row
// deletes it in the same statement: of two processes given the same value, one gets it.
import { createHash, hkdfSync } from 'node:crypto'
import { and, eq, lte } from 'drizzle-orm'
import { ssoLogins } from '../db/schema.ts'
import { openTextUnderKey, sealTextUnderKey } from '../keys/data-cipher.ts'
import type { Store } from '../store/store.ts'

/** `begun`: sent to the IdP, by its state; `finished`: waiting for the designer, by its one-time code. */
export type SsoStage = 'begun' | 'finished'

const keyHashOf = (stage: SsoStage, value: string) => createHash('sha256').update(`${stage}:${value}`).digest('hex')
const keyOf = (stage: SsoStage, value: string) =>
  Buffer.from(hkdfSync('sha256', value, 'carepath sso-logins', stage, 32))

const seal = (stage: SsoStage, value: string, content: object): string =>
  sealTextUnderKey(keyOf(stage, value), `sso-${stage}`, JSON.stringify(content), keyHashOf(stage, value))

/** The content, or undefined when the row was not sealed under this value (never the case unless tampered with). */
function open(stage: SsoStage, value: string, sealed: string): unknown {
  try {
    return JSON.parse(openTextUnderKey(keyOf(stage, value), sealed, keyHashOf(stage, value)))
  } catch {
    return undefined
  }
}

export function createSsoLogins(store: Store, now: () => Date) {
  const { db } = store
  return {
    /** Keep `content` for `ttlMs` under the one-time `value` (and sweep the expired rows of this stage). */
    async keep(stage: SsoStage, value: string, content: object, ttlMs: number): Promise<void> {
      const at = now().getTime()
      await db.delete(ssoLogins).where(and(eq(ssoLogins.stage, stage), lte(ssoLogins.expiresAt, at)))
      await db
        .insert(ssoLogins)
        .values({ keyHash: keyHashOf(stage, value), stage, sealed: seal(stage, value, content), expiresAt: at + ttlMs })
    },
    /** The content kept under `value`, once: the row goes in the same statement. Undefined when unknown or expired. */
    async take(stage: SsoStage, value: string): Promise<unknown> {
      const [row] = await db
        .delete(ssoLogins)
        .where(eq(ssoLogins.keyHash, keyHashOf(stage, value)))
        .returning({ sealed: ssoLogins.sealed, expiresAt: ssoLogins.expiresAt })
      if (!row || row.expiresAt <= now().getTime()) return undefined
      return open(stage, value, row.sealed)
    },
  }
}
export type SsoLogins = ReturnType<typeof createSsoLogins>
