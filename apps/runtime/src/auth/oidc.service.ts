// Single sign-on with OpenID Connect (openid-client): the authorization code flow with PKCE,
// state and nonce; the ID token's issuer, audience, signature and expiry checked by the library.
// The IdP's groups decide the person's Carepath role and work queues at every log-in. An
// IdP-asserted second factor (`amr`, or an `acr` the configuration lists) stands in for local
// MFA when the admin's policy accepts it; otherwise the log-in goes on to the local second step.
// The browser never sees a token in a URL: the callback hands it a one-time code that the
// designer exchanges for the log-in's answer. Each step may reach another runtime process: what
// lies between them is kept in the database (sso-logins.ts), never in one process's memory.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import * as client from 'openid-client'
import { z } from 'zod'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { loginRefused, ssoSynced } from '../audit/audit-entries.ts'
import { userIdentities, users, USER_ROLES, type UserRole } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import { USERNAME_PATTERN } from '../trpc/inputs.ts'
import type { AuthService, LoginResult } from './auth.service.ts'
import type { MfaService } from './mfa.service.ts'
import { createSsoLogins } from './sso-logins.ts'

export const oidcConfigSchema = z
  .object({
    /** The IdP's issuer identifier (its discovery document is at /.well-known/openid-configuration). */
    issuer: z.url(),
    clientId: z.string().min(1),
    /** Or CAREPATH_OIDC_CLIENT_SECRET, which keeps it out of the file. */
    clientSecret: z.string().min(1).optional(),
    /** Where the IdP sends the browser back: this server's /auth/oidc/callback. */
    redirectUri: z.url(),
    /** The log-in button's words: "Log in with …". */
    label: z.string().max(60).default('single sign-on'),
    scope: z.string().default('openid profile email'),
    /** The ID token claim listing the person's groups. */
    groupsClaim: z.string().default('groups'),
    /** IdP group → Carepath role; a person in several gets the first listed. */
    roles: z.array(z.object({ group: z.string().min(1), role: z.enum(USER_ROLES) }).strict()).min(1),
    /** IdP group → work queues (flow roles) of the flows. */
    queues: z.record(z.string(), z.array(z.string())).default({}),
    /** `acr` values that mean the IdP did MFA (besides an `amr` naming a second factor). */
    mfaAcr: z.array(z.string()).default([]),
  })
  .strict()
export type OidcConfig = z.infer<typeof oidcConfigSchema>
export type OidcConfigInput = z.input<typeof oidcConfigSchema>

/** `amr` values (RFC 8176) that name a factor beyond a password. */
const MFA_AMR = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'fpt', 'face', 'iris', 'pop', 'sc', 'tel'])
const PENDING_MS = 10 * 60_000
const begunSchema = z.object({ verifier: z.string().min(1), nonce: z.string().min(1) })
/** A log-in's answer as kept for the designer (auth.service's LoginResult). */
const loginResultSchema: z.ZodType<LoginResult> = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    token: z.string(),
    user: z.object({ id: z.string(), username: z.string(), role: z.enum(USER_ROLES) }),
  }),
  z.object({
    status: z.literal('mfa'),
    challenge: z.string(),
    methods: z.array(z.enum(['totp', 'recovery', 'webauthn'])),
    user: z.object({ username: z.string() }),
  }),
  z.object({
    status: z.literal('enrol'),
    challenge: z.string(),
    methods: z.array(z.enum(['totp', 'webauthn'])),
    user: z.object({ username: z.string() }),
  }),
])
const HANDOFF_MS = 60_000
const loopback = (url: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname)
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export interface OidcDeps {
  store: Store
  audit: AuditRecorder
  auth: AuthService
  mfa: MfaService
  now: () => Date
  /** openid-client's HTTP (tests put a tamperer between the runtime and the IdP here). */
  fetch?: client.CustomFetch
}

export function createOidcService(input: OidcConfigInput, deps: OidcDeps) {
  const config = oidcConfigSchema.parse(input)
  const secret = config.clientSecret ?? process.env.CAREPATH_OIDC_CLIENT_SECRET
  const { store, audit, auth, mfa, now } = deps
  const { db } = store
  let discovered: Promise<client.Configuration> | undefined
  function configuration(): Promise<client.Configuration> {
    discovered ??= client
      .discovery(new URL(config.issuer), config.clientId, secret, undefined, {
        // Plain HTTP only to an IdP on this machine (tests, a local IdP); anything else must be HTTPS.
        ...(config.issuer.startsWith('http:') && loopback(config.issuer)
          ? { execute: [client.allowInsecureRequests] }
          : {}),
        ...(deps.fetch ? { [client.customFetch]: deps.fetch } : {}),
      })
      .then((cfg) => {
        // Check the ID token's signature against the IdP's published keys too, not only the TLS
        // channel it came over (which the code flow would allow): a token that is not the IdP's is refused.
        client.enableNonRepudiationChecks(cfg)
        return cfg
      })
      .catch((error: unknown) => {
        discovered = undefined
        throw error
      })
    return discovered
  }

  // Log-ins begun (state → PKCE verifier and nonce) and finished ones waiting for the designer
  // to collect them (one-time code → the log-in's answer), in the database: any process may
  // take the browser's next step.
  const logins = createSsoLogins(store, now)

  /** Where to send the browser to log in at the IdP. */
  async function start(): Promise<URL> {
    const cfg = await configuration()
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    await logins.keep('begun', state, { verifier, nonce }, PENDING_MS)
    return client.buildAuthorizationUrl(cfg, {
      redirect_uri: config.redirectUri,
      scope: config.scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
  }

  /** The refusal, audited: thrown by the caller (`throw await refused(…)`). */
  async function refused(reason: string, who = 'sso'): Promise<AppError> {
    await audit.record(loginRefused({ who, role: 'unknown' }, reason))
    return new AppError(
      'unauthenticated',
      'Single sign-on failed: the identity provider’s answer could not be accepted.',
    )
  }

  /**
   * The IdP sent the browser back: check everything, find or make the person, and keep the
   * log-in's answer behind a one-time code for the designer.
   */
  async function callback(currentUrl: URL): Promise<string> {
    const cfg = await configuration()
    const state = currentUrl.searchParams.get('state') ?? ''
    const started = begunSchema.safeParse(state ? await logins.take('begun', state) : undefined).data
    if (!started) throw await refused('single sign-on: unknown or expired state')
    let claims: client.IDToken | undefined
    try {
      const tokens = await client.authorizationCodeGrant(cfg, currentUrl, {
        pkceCodeVerifier: started.verifier,
        expectedState: state,
        expectedNonce: started.nonce,
        idTokenExpected: true,
      })
      claims = tokens.claims()
    } catch (error) {
      throw await refused(`single sign-on: the identity provider's answer was refused (${reasonOf(error)})`)
    }
    if (!claims) throw await refused('single sign-on: no ID token')
    const groups = groupsOf(claims[config.groupsClaim])
    const role = config.roles.find((r) => groups.includes(r.group))?.role
    const who = typeof claims.preferred_username === 'string' ? claims.preferred_username : claims.sub
    if (!role) throw await refused('single sign-on: none of the person’s groups has a Carepath role', who)
    const flowRoles = [...new Set(groups.flatMap((g) => config.queues[g] ?? []))].sort()
    const idpMfa =
      (await mfa.policy()).acceptIdpMfa &&
      ((Array.isArray(claims.amr) && claims.amr.some((a) => typeof a === 'string' && MFA_AMR.has(a))) ||
        (typeof claims.acr === 'string' && config.mfaAcr.includes(claims.acr)))
    const provisioned = await provisionOnce(claims.iss, claims.sub, who, role, flowRoles, groups, idpMfa)
    if ('refusal' in provisioned) throw await refused(provisioned.refusal, provisioned.who)
    const result = await auth.afterFirstFactor(provisioned, { idpMfa })
    const handoff = randomBytes(24).toString('base64url')
    await logins.keep('finished', handoff, result, HANDOFF_MS)
    return handoff
  }

  type Provisioned = { id: string; username: string; role: UserRole } | { refusal: string; who: string }

  /** `provision`, tried again once when another process made the same person at the same moment. */
  async function provisionOnce(...args: Parameters<typeof provision>): Promise<Provisioned> {
    try {
      return await provision(...args)
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      return provision(...args)
    }
  }

  /**
   * The person an IdP identity is: linked before, or made now; role and queues follow the IdP's
   * groups. A refusal is answered, not thrown, so it is audited outside the rolled-back work.
   */
  function provision(
    issuer: string,
    subject: string,
    preferred: string,
    role: UserRole,
    flowRoles: string[],
    groups: string[],
    idpMfa: boolean,
  ): Promise<Provisioned> {
    return store.transaction(async () => {
      const linked = await db
        .select({ id: users.id, username: users.username, disabled: users.disabled })
        .from(userIdentities)
        .innerJoin(users, eq(users.id, userIdentities.userId))
        .where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, subject)))
        .get()
      let id = linked?.id
      let username = linked?.username
      if (linked?.disabled) return { refusal: 'single sign-on: the account is disabled', who: linked.username }
      if (!id || !username) {
        username = usernameFor(preferred, subject)
        if (await db.select({ id: users.id }).from(users).where(eq(users.username, username)).get())
          return {
            refusal: `single sign-on: a local account named ${username} exists and is not linked to this identity`,
            who: username,
          }
        id = randomUUID()
        const at = now().toISOString()
        // No password: '!' never verifies, so this person logs in through the IdP only.
        await db.insert(users).values({ id, username, role, passwordHash: '!sso', flowRoles, createdAt: at })
        await db.insert(userIdentities).values({ issuer, subject, userId: id, createdAt: at })
      } else await db.update(users).set({ role, flowRoles }).where(eq(users.id, id))
      await audit.record(ssoSynced({ who: username, role }, { issuer, groups, role, created: !linked, idpMfa }))
      return { id, username, role }
    })
  }

  /** The designer collects the log-in's answer once. */
  async function exchange(handoff: string): Promise<LoginResult> {
    const result = loginResultSchema.safeParse(await logins.take('finished', handoff)).data
    if (!result)
      throw new AppError('unauthenticated', 'This single sign-on has expired or was already used; log in again.')
    return result
  }

  return { label: config.label, redirectUri: config.redirectUri, start, callback, exchange }
}
export type OidcService = ReturnType<typeof createOidcService>

function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : []
}

/** A Carepath username from the IdP's preferred_username (or subject), kept to the username rule. */
function usernameFor(preferred: string, subject: string): string {
  const clean = preferred
    .toLowerCase()
    .replace(/@.*$/, '')
    .replace(/[^a-z0-9._-]/g, '-')
  if (USERNAME_PATTERN.test(clean)) return clean
  return `sso-${sha256(subject).slice(0, 12)}`
}

/** A short, plain reason from openid-client's error (its code), never a token. */
function reasonOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code
    const message = (error as { message?: unknown }).message
    if (typeof message === 'string') return `${typeof code === 'string' ? code + ': ' : ''}${message}`.slice(0, 200)
  }
  return 'unknown error'
}
