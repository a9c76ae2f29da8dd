// Single sign-on against a real OpenID Connect provider (oidc-provider) on 127.0.0.1: the IdP's
// groups decide role and queues, an IdP-asserted second factor stands in for local MFA when the
// policy accepts it, and a forged ID token (another key, wrong issuer, wrong audience, expired)
// is refused plainly and audited. Tokens are tampered with between the runtime and the IdP, as
// an attacker on the network would.
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CustomFetch } from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../server.ts'
import {
  logInThroughIdp,
  signJwt,
  startOidcTestProvider,
  type OidcTestProvider,
} from '../testing/oidc-test-provider.ts'
import { testRegistry } from '../testing/test-registry.ts'
import { sessionToken } from '../testing/test-runtime.ts'
import { appRouter } from '../trpc/routers/_app.ts'
import { createCallerFactory } from '../trpc/trpc.ts'

const createCaller = createCallerFactory(appRouter)
let idp: OidcTestProvider
let server: RunningServer
let dir: string
/** What the network attacker does to the ID token in the next token response. */
let tamper: ((claims: Record<string, unknown>) => string) | undefined

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

const tamperingFetch: CustomFetch = async (url, options) => {
  const res = await fetch(url, options as RequestInit)
  if (!tamper || !url.endsWith('/token')) return res
  const body = (await res.json()) as { id_token: string }
  const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >
  const forged = tamper(claims)
  tamper = undefined
  return new Response(JSON.stringify({ ...body, id_token: forged }), { status: res.status, headers: res.headers })
}

beforeAll(async () => {
  const port = await freePort()
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`
  idp = await startOidcTestProvider({
    redirectUri,
    accounts: {
      nina: { groups: ['carepath-agents', 'front-desk'] },
      ada: { groups: ['carepath-admins', 'carepath-agents'], amr: ['pwd', 'otp'] },
      outsider: { groups: ['marketing'] },
    },
  })
  dir = mkdtempSync(join(tmpdir(), 'carepath-oidc-'))
  server = await startServer({
    port,
    dataDir: dir,
    registry: testRegistry,
    connectors: {},
    timerIntervalMs: 0,
    designerDist: join(dir, 'no-designer'),
    log: () => {},
    oidcFetch: tamperingFetch,
    oidc: {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri,
      label: 'Test IdP',
      scope: 'openid profile groups',
      roles: [
        { group: 'carepath-admins', role: 'admin' },
        { group: 'carepath-agents', role: 'agent' },
      ],
      queues: { 'front-desk': ['front-desk'] },
    },
  })
})
afterAll(async () => {
  await server.close()
  await idp.close()
  rmSync(dir, { recursive: true, force: true })
})

const anon = () => createCaller({ runtime: server.runtime })
const handoffOf = (hash: string) => /^#\/sso\/(.+)$/.exec(hash)?.[1] ?? ''
const audit = async () => (await server.runtime.audit.list({ limit: 1000 })).items.map((i) => i.record)

describe('single sign-on through a real OpenID Connect provider', () => {
  it('tells the designer SSO is offered, with its label', async () => {
    expect(await anon().auth.methods()).toEqual({ sso: { label: 'Test IdP' } })
  })

  it("maps the IdP's groups to the role and queues, and asks for local MFA when the IdP did none", async () => {
    const hash = await logInThroughIdp(server.url, 'nina')
    expect(hash).toMatch(/^#\/sso\//)
    const result = await anon().auth.ssoExchange({ handoff: handoffOf(hash) })
    // The agent role requires a second factor and the IdP asserted none: enrol one here.
    expect(result).toMatchObject({ status: 'enrol', user: { username: 'nina' } })
    expect((await server.runtime.auth.listUsers()).find((u) => u.username === 'nina')).toMatchObject({
      role: 'agent',
      flowRoles: ['front-desk'],
    })
    // The one-time code is spent.
    await expect(anon().auth.ssoExchange({ handoff: handoffOf(hash) })).rejects.toThrow(/expired or was already used/)
    expect((await audit()).find((r) => r.action === 'auth.sso' && r.agent.who === 'nina')).toMatchObject({
      why: { role: 'agent', created: true, idpMfa: false, groups: ['carepath-agents', 'front-desk'] },
    })
  })

  it("accepts the IdP's MFA (amr) in place of local MFA when the policy says so, and not otherwise", async () => {
    const ok = await anon().auth.ssoExchange({ handoff: handoffOf(await logInThroughIdp(server.url, 'ada')) })
    expect(ok).toMatchObject({ status: 'ok', user: { username: 'ada', role: 'admin' } })
    const token = sessionToken(ok)
    expect(
      await createCaller({
        runtime: server.runtime,
        principal: await server.runtime.auth.authenticate(token),
      }).auth.me(),
    ).toMatchObject({
      username: 'ada',
    })
    expect(
      (await audit()).some((r) => r.action === 'auth.mfa' && r.agent.who === 'ada' && r.why?.method === 'idp'),
    ).toBe(true)
    const policy = await server.runtime.mfa.policy()
    await server.runtime.mfa.setPolicy({ ...policy, acceptIdpMfa: false }, { who: 'test', role: 'system' })
    const again = await anon().auth.ssoExchange({ handoff: handoffOf(await logInThroughIdp(server.url, 'ada')) })
    expect(again).toMatchObject({ status: 'enrol' })
    await server.runtime.mfa.setPolicy(policy, { who: 'test', role: 'system' })
  })

  it('refuses a person none of whose groups has a Carepath role', async () => {
    expect(await logInThroughIdp(server.url, 'outsider')).toBe('#/sso-error')
    expect((await audit()).at(-1)).toMatchObject({
      action: 'auth.login',
      outcome: 'failure',
      why: { reason: 'single sign-on: none of the person’s groups has a Carepath role' },
    })
  })

  const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  it.each([
    [
      'signed with another key',
      (c: Record<string, unknown>) => signJwt({ ...c, groups: ['carepath-admins'] }, otherKey, 'test-key'),
    ],
    ['from another issuer', (c: Record<string, unknown>) => idp.signWithIdpKey({ ...c, iss: 'https://evil.example' })],
    ['for another audience', (c: Record<string, unknown>) => idp.signWithIdpKey({ ...c, aud: 'another-client' })],
    ['expired', (c: Record<string, unknown>) => idp.signWithIdpKey({ ...c, iat: 1_600_000_000, exp: 1_600_000_600 })],
  ])('refuses an ID token %s, plainly, and audits it', async (_case, forge) => {
    tamper = forge
    const before = (await audit()).length
    expect(await logInThroughIdp(server.url, 'nina')).toBe('#/sso-error')
    const refused = (await audit()).slice(before)
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatchObject({ action: 'auth.login', outcome: 'failure' })
    expect(String(refused[0]?.why && 'reason' in refused[0].why ? refused[0].why.reason : '')).toMatch(
      /^single sign-on: the identity provider's answer was refused/,
    )
  })

  it('an SSO-only person has no password to log in with', async () => {
    await expect(anon().auth.login({ username: 'nina', password: '!sso' })).rejects.toThrow(
      /Wrong username or password/,
    )
  })
})
