// The runtime's own HTTP server (startServer) takes signed webhooks at POST /api/hooks/:path and
// HL7 v2 at POST /api/hl7: mounted ahead of the JSON body parser (signatures are over the raw
// bytes), under the server's body limit, next to the REST API.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appRouter, createCallerFactory, startServer, type RunningServer } from '@carepath/runtime'
import { hl7Sample, passwordOnly, sessionToken, signWebhook, webhookFlow } from '@carepath/runtime/testing'

const SECRET = 'whsec-server-0123456789abcdef'
const PASSWORD = 'a long enough test password'
const hookFlow = webhookFlow({ id: 'portal-callback', title: 'Portal callback', path: 'portal', secret: 'portal' })
const examples = new URL('../../examples/', import.meta.url)
const json = (name: string) => JSON.parse(readFileSync(new URL(name, examples), 'utf8')) as Record<string, unknown>

let server: RunningServer
let dir: string
let developerToken: string
const createCaller = createCallerFactory(appRouter)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-inbound-server-'))
  server = await startServer({
    port: 0,
    dataDir: dir,
    connectors: {},
    timerIntervalMs: 0,
    bodyLimit: '16kb',
    designerDist: join(dir, 'no-designer'),
    log: () => {},
  })
  const { runtime } = server
  const tokens: Record<string, string> = {}
  for (const [username, role] of [
    ['analyst', 'analyst'],
    ['reviewer', 'reviewer'],
    ['developer', 'developer'],
    ['auditor', 'auditor'],
  ] as const) {
    await runtime.auth.addUser({ username, password: PASSWORD, role }, { who: 'test', role: 'system' })
    await passwordOnly(runtime, [username])
    tokens[username] = sessionToken(await runtime.auth.login(username, PASSWORD))
  }
  developerToken = tokens['developer']!
  const as = (name: string) =>
    createCaller(async () => ({
      runtime,
      token: tokens[name],
      principal: await runtime.auth.authenticate(tokens[name]!),
    }))
  await as('developer').settings.setIntegrations({ webhooks: { secrets: { portal: SECRET } } })
  for (const [document, suites] of [
    [hookFlow, []],
    [json('lab-result-routing.flow.json'), [json('lab-result-routing.suite.json')]],
  ] as const) {
    const id = (document as { id: string }).id
    const { hash } = await as('analyst').flows.create({
      document: document as Record<string, unknown>,
      suites: suites as unknown as Record<string, unknown>[],
    })
    await as('analyst').review.submit({ id })
    await as('reviewer').review.approve({ id, hash, comment: 'ok' })
    // One reviewer may approve and publish here; the four-eyes rule is the author vs the reviewer.
    await as('reviewer').review.publish({ id, hash })
  }
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

const nowSeconds = () => Math.floor(server.runtime.now().getTime() / 1000)
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
const runs = (flowId: string) => server.runtime.runs.store.listRuns(flowId, 50)

describe('signed webhooks through startServer', () => {
  const body = JSON.stringify({ event: 'result.ready', orderId: 'ORD-7' })
  let firstDelivery: Record<string, string> = {}

  it('starts a run of the trigger.webhook flow for a correctly signed delivery', async () => {
    firstDelivery = signWebhook(SECRET, body, nowSeconds())
    const res = await post('/api/hooks/portal', body, firstDelivery)
    expect(res.status).toBe(202)
    const { runIds } = (await res.json()) as { runIds: string[] }
    expect(runIds).toHaveLength(1)
    expect(await runs('portal-callback')).toEqual([
      expect.objectContaining({ id: runIds[0], status: 'completed', outcome: 'received' }),
    ])
  })

  it('refuses wrong, stale, tampered and replayed signatures with a 4xx and starts nothing', async () => {
    const before = (await runs('portal-callback')).length
    const fresh = JSON.stringify({ event: 'result.ready', orderId: 'ORD-8' })
    const wrong = await post('/api/hooks/portal', fresh, signWebhook('not-the-secret-0123456789', fresh, nowSeconds()))
    expect(wrong.status).toBe(401)
    expect((await post('/api/hooks/portal', fresh, signWebhook(SECRET, fresh, nowSeconds() - 3600))).status).toBe(401)
    expect(
      (await post('/api/hooks/portal', fresh.replace('ORD-8', 'ORD-9'), signWebhook(SECRET, fresh, nowSeconds())))
        .status,
    ).toBe(401)
    expect((await post('/api/hooks/portal', fresh)).status).toBe(401)
    // The first delivery (previous test) replayed byte for byte, headers and all.
    expect((await post('/api/hooks/portal', body, firstDelivery)).status).toBe(409)
    const again = signWebhook(SECRET, fresh, nowSeconds())
    expect((await post('/api/hooks/portal', fresh, again)).status).toBe(202)
    expect((await post('/api/hooks/portal', fresh, again)).status).toBe(409)
    expect(await runs('portal-callback')).toHaveLength(before + 1)
    const refusal = await wrong.text()
    expect(refusal).not.toMatch(/\bat .*\.ts:\d+/)
  })

  it('applies the server body limit to webhooks and leaves the JSON API as it was', async () => {
    const before = (await runs('portal-callback')).length
    const big = JSON.stringify({ event: 'x'.repeat(20_000) })
    const res = await post('/api/hooks/portal', big, signWebhook(SECRET, big, nowSeconds()))
    expect(res.status).toBe(413)
    const hl7 = await post(
      '/api/hl7',
      `MSH|^~\\&|A|B|C|D|202601010000||ORU^R01|BIG1|P|2.5\r${'NTE|1||'.padEnd(20_000, 'x')}\r`,
      { authorization: `Bearer ${developerToken}` },
    )
    expect(hl7.status).toBe(413)
    expect(await runs('portal-callback')).toHaveLength(before)
    const flows = await fetch(`${server.url}/api/flows`, { headers: { authorization: `Bearer ${developerToken}` } })
    expect(flows.status).toBe(200)
  })
})

describe('HL7 v2 over HTTP through startServer', () => {
  it('answers AA and starts the matching flow, AR for a type no flow takes and (400) for garbage; unauthenticated senders get 401', async () => {
    const auth = { authorization: `Bearer ${developerToken}`, 'content-type': 'x-application/hl7-v2+er7' }
    expect(
      (await post('/api/hl7', hl7Sample('msft-LAB-ORU-1.hl7'), { 'content-type': 'x-application/hl7-v2+er7' })).status,
    ).toBe(401)
    expect(await runs('lab-result-routing')).toHaveLength(0)
    const accepted = await post('/api/hl7', hl7Sample('msft-LAB-ORU-1.hl7'), auth)
    expect(accepted.status).toBe(200)
    expect(await accepted.text()).toMatch(/\rMSA\|AA\|182\|/)
    expect(await runs('lab-result-routing')).toHaveLength(1)
    const refused = await post('/api/hl7', hl7Sample('msft-VXU-V04-01.hl7'), auth)
    expect(refused.status).toBe(422)
    expect(await refused.text()).toMatch(/\rMSA\|AR\|/)
    const garbage = await post('/api/hl7', 'hello', auth)
    expect(garbage.status).toBe(400)
    expect(await garbage.text()).toMatch(/\rMSA\|AR\|\|/)
  })
})
