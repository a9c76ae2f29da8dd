// The security review's probes over real HTTP: headers on every answer, no-store on the API, JSON
// nested too deep refused with a 400 (tRPC body and query, REST, before any parsing), a run's input
// checked against the facts schema before anything is stored, and log-in throttled per address.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestRuntime, publishFlow, TEST_PASSWORD, type TestRuntime } from '../testing/test-runtime.ts'
import { intakeFlow, intakeSuite } from '../testing/test-registry.ts'
import { createApp } from './app.ts'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './hardening.ts'

let t: TestRuntime
let server: Server
let base: string
const logs: string[] = []

beforeAll(async () => {
  t = await createTestRuntime()
  await publishFlow(t, intakeFlow(), [intakeSuite])
  const dist = join(t.dir, 'dist')
  mkdirSync(dist)
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html><title>designer</title><script type="module" src="/a.js"></script>',
  )
  server = createServer(
    createApp(t.runtime, { designerDist: dist, isReady: () => true, log: (line) => logs.push(line) }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await t.close()
})

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
const post = (path: string, body: string, token?: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  })
const restErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }).strict(),
})
const errorOf = async (res: Response) => restErrorSchema.parse(await res.json())
const runCount = () => t.runtime.db.$client.prepare<[], { n: number }>('SELECT count(*) AS n FROM runs').get()?.n ?? -1

describe('HTTP hardening', () => {
  it('sends helmet headers everywhere: a CSP with no inline script, nosniff, no framing, no referrer', async () => {
    for (const path of ['/', '/trpc/auth.methods', '/healthz']) {
      const res = await fetch(`${base}${path}`)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
      expect(csp).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('x-powered-by')).toBeNull()
    }
  })

  it('lets only the origins registered for a host frame the embedded view (read from the database)', async () => {
    await t.as.admin.embed.saveHostApp({ name: 'CRM', audience: 'crm-frame', origins: ['https://crm.example.org'] })
    const embed = await fetch(`${base}/embed/agent?host=crm-frame`)
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors https://crm.example.org')
    expect(embed.headers.get('x-frame-options')).toBeNull()
    const unknown = await fetch(`${base}/embed/agent?host=nobody`)
    expect(unknown.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(unknown.headers.get('x-frame-options')).toBe('DENY')
  })

  it('marks every API answer, which may hold PHI, no-store', async () => {
    const run = await fetch(`${base}/api/runs/nope`, { headers: { authorization: `Bearer ${t.tokens.agent}` } })
    expect(run.headers.get('cache-control')).toBe('no-store')
    const me = await fetch(`${base}/trpc/auth.me`, { headers: { authorization: `Bearer ${t.tokens.agent}` } })
    expect(me.status).toBe(200)
    expect(me.headers.get('cache-control')).toBe('no-store')
  })

  it('answers JSON nested 5,000 deep with a 400 everywhere, unauthenticated too, and logs no stack', async () => {
    const before = logs.length
    const trpcBody = await post('/trpc/auth.login', nested(5000))
    expect(trpcBody.status).toBe(400)
    expect(await trpcBody.text()).toMatch(/nests JSON deeper than/)
    // A GET input is in the URL: 1,000 deep fits Node's header limit (5,000 gets its 431 first).
    const inQuery = await fetch(`${base}/trpc/flows.get?input=${encodeURIComponent(nested(1000))}`)
    expect(inQuery.status).toBe(400)
    const restRun = await post(
      '/api/flows/intake-check/runs',
      JSON.stringify({ input: JSON.parse(`{"score":${nested(600)}}`), idempotencyKey: 'deep' }),
      t.tokens.agent,
    )
    expect(restRun.status).toBe(400)
    expect(logs.slice(before)).toEqual([])
    // Just inside the limit is read as usual (and refused for its shape, not its depth).
    const shallow = await post('/trpc/auth.login', nested(MAX_JSON_DEPTH))
    expect(shallow.status).toBe(400)
    expect(await shallow.text()).not.toMatch(/nests JSON deeper/)
  })

  it('counts depth without parsing, ignoring brackets inside strings', () => {
    expect(jsonDepthExceeds(JSON.stringify({ a: '['.repeat(500) }), 3)).toBe(false)
    expect(jsonDepthExceeds('{"a":[{"b":[1]}]}', 4)).toBe(false)
    expect(jsonDepthExceeds('{"a":[{"b":[1]}]}', 3)).toBe(true)
    expect(jsonDepthExceeds('"\\"[[[["', 1)).toBe(false)
  })

  it("refuses a run input that does not fit the flow's facts schema before storing anything", async () => {
    const before = runCount()
    const start = (input: unknown, key: string) =>
      post('/api/flows/intake-check/runs', JSON.stringify({ input, idempotencyKey: key }), t.tokens.agent)
    const empty = await start({}, 'empty')
    expect(empty.status).toBe(400)
    expect((await errorOf(empty)).error).toMatchObject({ code: 'bad-input', field: 'input' })
    const wrongType = await start({ score: 'eight' }, 'wrong-type')
    expect(wrongType.status).toBe(400)
    expect((await errorOf(wrongType)).error).toEqual({
      code: 'bad-input',
      message: 'input.score: expected a number.',
      field: 'input.score',
    })
    const unknown = await start({ score: 3, patient: { 'MRN-55501 Jane Roe': 'x' } }, 'unknown-key')
    expect(unknown.status).toBe(400)
    expect(await unknown.text()).not.toMatch(/MRN-55501|Jane Roe/)
    expect(runCount()).toBe(before)
    const fits = await start({ score: 3, patient: { name: 'Test Patient' } }, 'fits')
    expect(fits.status).toBe(201)
    expect(runCount()).toBe(before + 1)
  })

  it('throttles log-in per address: the guessing address waits, the person elsewhere gets in', async () => {
    const login = (password: string) =>
      post('/api/auth/login', JSON.stringify({ username: 'auditor', password })).then((r) => r.status)
    for (let i = 0; i < 3; i++) expect(await login('not the password')).toBe(401)
    expect(await login(TEST_PASSWORD)).toBe(429)
    // The same person from another address (in-process, as the CLI and tests call it) is not slowed.
    expect((await t.runtime.auth.login('auditor', TEST_PASSWORD, '198.51.100.20')).status).toBe('ok')
  })
})

describe('behind a reverse proxy (--trust-proxy loopback)', () => {
  it("throttles by the client's address the proxy forwards, not the proxy's own", async () => {
    const proxied = await createTestRuntime({ trustProxy: 'loopback' })
    const app = createServer(createApp(proxied.runtime, { isReady: () => true, log: () => {} }))
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/auth/login`
      const login = (password: string, client: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: JSON.stringify({ username: 'analyst', password }),
        }).then((r) => r.status)
      for (let i = 0; i < 3; i++) expect(await login('not the password', '203.0.113.5')).toBe(401)
      expect(await login(TEST_PASSWORD, '203.0.113.5')).toBe(429)
      expect(await login(TEST_PASSWORD, '198.51.100.9')).toBe(200)
    } finally {
      await new Promise((resolve) => app.close(resolve))
      await proxied.close()
    }
  })
})
