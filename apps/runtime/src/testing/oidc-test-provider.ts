// A real OpenID Connect provider (oidc-provider) on 127.0.0.1 for the SSO tests: the
// authorization code flow with PKCE, RS256-signed ID tokens carrying `groups` and the `amr` the
// test asks for, and a one-field log-in page (the account name) in place of a password form.
// `logIn` walks a browser's redirects with plain HTTP for the tests that run without one.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider'

export interface TestAccount {
  groups: string[]
  /** Authentication methods the IdP says it used (RFC 8176), e.g. ['pwd', 'otp'] for MFA. */
  amr?: string[]
}

export interface OidcTestProvider {
  issuer: string
  clientId: string
  clientSecret: string
  /** A JWT signed with the IdP's own key, for tests that forge an ID token's claims. */
  signWithIdpKey(claims: Record<string, unknown>): string
  close(): Promise<void>
}

/** A compact RS256 JWS over `claims` with `key`, named by `kid`. */
export function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`
}

export const TEST_CLIENT_ID = 'carepath'
export const TEST_CLIENT_SECRET = 'a client secret for the tests'

const page = (uid: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label>Account <input name="account" autofocus data-testid="idp-account"></label>
<button type="submit" data-testid="idp-submit">Sign in</button>
</form></main></body></html>`

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of req) body += String(chunk)
  return new URLSearchParams(body)
}

export async function startOidcTestProvider(options: {
  accounts: Record<string, TestAccount>
  redirectUri: string
}): Promise<OidcTestProvider> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }
  const configuration: Configuration = {
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomUUID()] },
    pkce: { required: () => true },
    // The ID token carries the scopes' claims (groups), as enterprise IdPs configure it.
    conformIdTokenClaims: false,
    scopes: ['openid', 'profile', 'email', 'groups'],
    // amr and acr ride with the openid scope, so the ID token says how the person authenticated.
    claims: { openid: ['sub', 'amr', 'acr', 'auth_time'], profile: ['preferred_username', 'name'], groups: ['groups'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // A first-party client: no consent screen.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const accountId = ctx.oidc.session?.accountId
      const clientId = ctx.oidc.client?.clientId
      if (!accountId || !clientId) return undefined
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId })
      grant.addOIDCScope('openid profile email groups')
      grant.addOIDCClaims(['groups', 'preferred_username'])
      await grant.save()
      return grant
    },
    async findAccount(_ctx, id) {
      const account = options.accounts[id]
      if (!account) return undefined
      return {
        accountId: id,
        claims: async () => ({ sub: id, preferred_username: id, name: id, groups: account.groups }),
      }
    },
  }
  const provider = new Provider(issuer, configuration)
  const callback = provider.callback()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer)
    const login = /^\/interaction\/([^/]+)\/login$/.exec(url.pathname)
    const show = /^\/interaction\/([^/]+)$/.exec(url.pathname)
    if (show && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(page(show[1]!))
      return
    }
    if (login && req.method === 'POST') {
      void (async () => {
        const account = (await formBody(req)).get('account') ?? ''
        const known = options.accounts[account]
        const result = known
          ? { login: { accountId: account, ...(known.amr ? { amr: known.amr } : {}) } }
          : { error: 'access_denied', error_description: 'unknown account' }
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false })
      })().catch(() => {
        res.writeHead(500)
        res.end()
      })
      return
    }
    void callback(req, res)
  })
  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    signWithIdpKey: (claims) => signJwt(claims, privateKey, 'test-key'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/**
 * Log in the way a browser would, without one: start at the runtime's /auth/oidc/login, sign in
 * as `account` on the IdP's page, follow the redirects back, and return where the runtime sent
 * the browser at the end (`/#/sso/<code>` or `/#/sso-error`).
 */
export async function logInThroughIdp(
  runtimeUrl: string,
  account: string,
  /** Another runtime process the IdP's redirect back is sent to (as a load balancer might), when not the first. */
  callbackTo: string = runtimeUrl,
): Promise<string> {
  const cookies = new Map<string, string>()
  const jar = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  const keep = (res: Response) => {
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair!.indexOf('=')
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
  }
  let url = `${runtimeUrl}/auth/oidc/login`
  let init: RequestInit = {}
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: jar() } })
    keep(res)
    const location = res.headers.get('location')
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).href
      init = {}
      if (url.startsWith(`${runtimeUrl}/auth/oidc/callback`)) url = callbackTo + url.slice(runtimeUrl.length)
      if ((url.startsWith(runtimeUrl) || url.startsWith(callbackTo)) && new URL(url).hash) return new URL(url).hash
      continue
    }
    const interaction = /\/interaction\/([^/?#]+)$/.exec(new URL(url).pathname)
    if (res.status === 200 && interaction) {
      await res.text()
      url = new URL(`/interaction/${interaction[1]}/login`, url).href
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ account }).toString(),
      }
      continue
    }
    throw new Error(`log-in through the IdP stopped at ${url} (${res.status})`)
  }
  throw new Error('log-in through the IdP took too many redirects')
}
