// The embedded agent view's way in: admins register host applications (a CRM or contact-centre
// desktop: name, audience, the origins that may frame the view); a host's backend asks for a
// launch token for one agent, patient and context; the view exchanges it once for a session with
// the agent's own role and PHI ceiling (the same as the full UI: it is the same person's session).
// Every issue, exchange and refusal is audited, by nonce and host, never with the patient.
import { randomBytes, randomUUID } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { hostAppSaved, launchExchanged, launchIssued } from '../audit/audit-entries.ts'
import type { AuthService, LoginUser } from '../auth/auth.service.ts'
import { hostApps, launchNonces, users } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import {
  LAUNCH_ISSUER,
  MAX_LAUNCH_SECONDS,
  signLaunchToken,
  verifyLaunchToken,
  type LaunchContext,
  type LaunchRefusal,
} from './launch-token.ts'

/** A registered host application as admins and the view see it. */
export interface HostApp {
  id: string
  name: string
  audience: string
  origins: string[]
}

/** What the agent reads when a launch is refused: what happened and what to do, nothing more. */
export const REFUSALS: Record<LaunchRefusal | 'unknown-host', string> = {
  malformed: 'This launch link is not valid. Open the agent view again from your desktop.',
  'bad-signature': 'This launch link is not valid. Open the agent view again from your desktop.',
  'other-host': 'This launch was issued for another application. Open the agent view again from your desktop.',
  expired: 'This launch has expired. Open the agent view again from your desktop.',
  replayed: 'This launch was already used. Open the agent view again from your desktop.',
  'unknown-host': 'This application is not registered to host the agent view. Ask your administrator.',
}

export interface LaunchServiceDeps {
  store: Store
  audit: AuditRecorder
  auth: AuthService
  now: () => Date
  /** The launch signing key (derived from the installation's key file; see launch-token.ts). */
  key: Buffer
}

export interface IssueLaunchInput {
  host: string
  username: string
  patient: string
  context: LaunchContext
  ttlSeconds: number
}

export function createLaunchService({ store, audit, auth, now, key }: LaunchServiceDeps) {
  const { db } = store
  const hostRow = (audience: string) =>
    db
      .select()
      .from(hostApps)
      .where(and(eq(hostApps.audience, audience), isNull(hostApps.disabledAt)))
      .get()

  async function listHostApps(): Promise<HostApp[]> {
    return db
      .select({ id: hostApps.id, name: hostApps.name, audience: hostApps.audience, origins: hostApps.origins })
      .from(hostApps)
      .where(isNull(hostApps.disabledAt))
      .orderBy(hostApps.name)
      .all()
  }

  /** Register a host (or change the one with this audience): its name and the origins that may frame the view. */
  async function saveHostApp(input: Omit<HostApp, 'id'>, actor: { who: string; role: string }): Promise<HostApp> {
    const save = () =>
      store.transaction(async () => {
        const existing = await hostRow(input.audience)
        const id = existing?.id ?? randomUUID()
        if (existing)
          await db.update(hostApps).set({ name: input.name, origins: input.origins }).where(eq(hostApps.id, id))
        else await db.insert(hostApps).values({ id, ...input, createdAt: now().toISOString(), createdBy: actor.who })
        await audit.record(hostAppSaved(actor, { hostApp: id, ...input }))
        return { id, ...input }
      })
    try {
      return await save()
    } catch (error) {
      // Another process registered the same audience at the same moment: change that one instead.
      if (!isUniqueViolation(error)) throw error
      return save()
    }
  }

  /** The origins that may frame the view for `audience` (none for an unknown host). */
  async function frameOrigins(audience: string): Promise<string[]> {
    return (await hostRow(audience))?.origins ?? []
  }

  async function issue(input: IssueLaunchInput, actor: { who: string; role: string }) {
    const host = await hostRow(input.host)
    if (!host) throw new AppError('not-found', `No registered host application "${input.host}".`, { path: 'host' })
    const agent = await db.select().from(users).where(eq(users.username, input.username)).get()
    if (!agent || agent.disabled)
      throw new AppError('not-found', `No active user named "${input.username}".`, { path: 'username' })
    if (agent.role !== 'agent')
      throw new AppError('bad-input', 'The embedded view is for agents: name a user with the agent role.', {
        path: 'username',
      })
    const issuedAt = now().getTime()
    const expiresAt = issuedAt + Math.min(input.ttlSeconds, MAX_LAUNCH_SECONDS) * 1000
    const nonce = randomBytes(18).toString('base64url')
    const token = signLaunchToken(
      {
        iss: LAUNCH_ISSUER,
        aud: host.audience,
        sub: agent.username,
        jti: nonce,
        iat: Math.floor(issuedAt / 1000),
        exp: Math.floor(expiresAt / 1000),
        patient: input.patient,
        ctx: input.context,
      },
      key,
    )
    await store.transaction(async () => {
      await db.insert(launchNonces).values({ nonce, hostAppId: host.id, username: agent.username, issuedAt, expiresAt })
      await audit.record(
        launchIssued(actor, agent.username, { hostApp: host.id, nonce, expiresAt: new Date(expiresAt).toISOString() }),
      )
    })
    return {
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      path: `/embed/agent?host=${encodeURIComponent(host.audience)}`,
    }
  }

  /** The refusal, audited: thrown by the caller (`throw await refused(…)`). */
  async function refused(
    host: string,
    refusal: LaunchRefusal | 'unknown-host',
    nonce?: string,
    who = 'unknown',
  ): Promise<AppError> {
    await audit.record(
      launchExchanged(
        { who, role: 'unknown' },
        { host, reason: refusal, ...(nonce !== undefined ? { nonce } : {}) },
        'failure',
      ),
    )
    return new AppError('unauthenticated', REFUSALS[refusal])
  }

  /**
   * Exchange a launch token, once, for a session of the agent it names. Refused plainly (and
   * audited) when signed for another host, expired, forged, or already used.
   */
  async function exchange(token: string, audience: string) {
    const host = await hostRow(audience)
    if (!host) throw await refused(audience, 'unknown-host')
    const nowMs = now().getTime()
    const verdict = verifyLaunchToken(token, key, host.audience, Math.floor(nowMs / 1000))
    if ('refusal' in verdict)
      throw await refused(host.audience, verdict.refusal, verdict.claims?.jti, verdict.claims?.sub)
    const { claims } = verdict
    // Single use: the one UPDATE that marks the nonce is the check, so two racing exchanges (at
    // one process or several) cannot both pass. A nonce never issued here counts as a forgery of ours.
    const marked = await db
      .update(launchNonces)
      .set({ usedAt: nowMs })
      .where(and(eq(launchNonces.nonce, claims.jti), eq(launchNonces.hostAppId, host.id), isNull(launchNonces.usedAt)))
      .returning({ nonce: launchNonces.nonce })
    if (marked.length !== 1) throw await refused(host.audience, 'replayed', claims.jti, claims.sub)
    const agent = await db.select().from(users).where(eq(users.username, claims.sub)).get()
    if (!agent || agent.disabled || agent.role !== 'agent')
      throw await refused(host.audience, 'malformed', claims.jti, claims.sub)
    const user: LoginUser = { id: agent.id, username: agent.username, role: agent.role }
    const session = await auth.openSession(user)
    await audit.record(
      launchExchanged({ who: agent.username, role: agent.role }, { host: host.audience, nonce: claims.jti }),
    )
    return {
      session,
      host: { name: host.name, audience: host.audience, origins: host.origins },
      patient: claims.patient,
      context: claims.ctx,
      nonce: claims.jti,
    }
  }

  return { listHostApps, saveHostApp, frameOrigins, issue, exchange }
}
export type LaunchService = ReturnType<typeof createLaunchService>
