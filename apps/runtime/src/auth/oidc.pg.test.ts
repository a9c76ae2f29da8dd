// Single sign-on across runtime processes on one PostgreSQL database, behind a load balancer
// without sticky sessions: the log-in begins at one process, the IdP's redirect back reaches
// another, and the designer collects the answer from a third choice. Between the steps the
// database holds the log-in sealed under the browser's one-time value: no PKCE verifier, state,
// code or session token in its rows. A code is collected once, whichever process is asked.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../server.ts'
import { logInThroughIdp, startOidcTestProvider, type OidcTestProvider } from '../testing/oidc-test-provider.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { testRegistry } from '../testing/test-registry.ts'
import { appRouter } from '../trpc/routers/_app.ts'
import { createCallerFactory } from '../trpc/trpc.ts'

const testPostgres = await findTestPostgres()
const createCaller = createCallerFactory(appRouter)

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

describe.skipIf(!testPostgres)('single sign-on across two runtime processes on PostgreSQL', () => {
  let idp: OidcTestProvider
  let first: RunningServer
  let second: RunningServer
  let dir: string
  let database: { url: string; drop(): Promise<void> }

  beforeAll(async () => {
    // The redirect URI is the balancer's address; here it is the first process's.
    const port = await freePort()
    const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`
    idp = await startOidcTestProvider({ redirectUri, accounts: { ada: { groups: ['carepath-admins'], amr: ['otp'] } } })
    dir = mkdtempSync(join(tmpdir(), 'carepath-oidc-pg-'))
    database = await testPostgres!.createDatabase('oidc')
    const serve = (listenOn: number) =>
      startServer({
        port: listenOn,
        dataDir: dir,
        database: database.url,
        databasePoolSize: 4,
        registry: testRegistry,
        connectors: {},
        timerIntervalMs: 0,
        designerDist: join(dir, 'no-designer'),
        log: () => {},
        oidc: {
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          redirectUri,
          scope: 'openid profile groups',
          roles: [{ group: 'carepath-admins', role: 'admin' }],
        },
      })
    first = await serve(port)
    second = await serve(0)
  })
  afterAll(async () => {
    await second?.close()
    await first?.close()
    await idp?.close()
    await database?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  const handoffOf = (hash: string) => /^#\/sso\/(.+)$/.exec(hash)?.[1] ?? ''
  const exchangeAt = (server: RunningServer, handoff: string) =>
    createCaller({ runtime: server.runtime }).auth.ssoExchange({ handoff })
  const rows = async () =>
    (await first.runtime.store.sql.all<{ key_hash: string; stage: string; sealed: string }>(
      'SELECT key_hash, stage, sealed FROM sso_logins',
    )) ?? []

  it('begins at one process, comes back to the other, and is collected once at either', async () => {
    const hash = await logInThroughIdp(first.url, 'ada', second.url)
    const handoff = handoffOf(hash)
    expect(handoff).not.toBe('')
    // Waiting for the designer: one row, which names neither the code nor what it opens.
    const waiting = await rows()
    expect(waiting.map((r) => r.stage)).toEqual(['finished'])
    expect(JSON.stringify(waiting)).not.toContain(handoff)
    // Quoted, as the answer's JSON would hold them (a quote never appears in the sealed text's base64).
    for (const row of waiting) expect(row.sealed).not.toMatch(/"(token|status|ada)"/)

    const answer = await exchangeAt(first, handoff)
    expect(answer).toMatchObject({ status: 'ok', user: { username: 'ada', role: 'admin' } })
    expect('token' in answer && (await second.runtime.auth.authenticate(answer.token))).toMatchObject({
      username: 'ada',
    })
    await expect(exchangeAt(second, handoff)).rejects.toThrow(/expired or was already used/)
    expect(await rows()).toEqual([])
  })

  it('refuses a state that no process began, and a begun log-in taken once is gone for the other', async () => {
    const refusedAt = await fetch(`${second.url}/auth/oidc/callback?state=made-up&code=x`, { redirect: 'manual' })
    expect(refusedAt.headers.get('location')).toMatch(/#\/sso-error$/)
    // Two log-ins begun at the second process, each finished at the first.
    const [one, two] = await Promise.all([
      logInThroughIdp(second.url, 'ada', first.url),
      logInThroughIdp(second.url, 'ada', first.url),
    ])
    expect(handoffOf(one)).not.toBe(handoffOf(two))
    const answers = await Promise.all([exchangeAt(second, handoffOf(one)), exchangeAt(first, handoffOf(two))])
    expect(answers.map((a) => a.status)).toEqual(['ok', 'ok'])
  })
})
