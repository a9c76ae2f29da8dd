// Inbound over HTTP into a real runtime: signed webhooks start trigger.webhook flows (and are
// refused when unsigned, tampered, stale or replayed); HL7 v2 posted over HTTP gets its ACK.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import {
  createInboundHttpHandler,
  createTestRuntime,
  hl7Sample,
  publishFlow,
  signWebhook,
  webhookFlow,
  type TestRuntime,
} from '@carepath/runtime/testing'

const SECRET = 'whsec-test-0123456789abcdef'
const hookFlow = webhookFlow({ id: 'lab-webhook', title: 'Lab portal callback', path: 'lab-results', secret: 'lab' })
const examples = new URL('../../examples/', import.meta.url)

let t: TestRuntime
let server: Server
let base: string

beforeAll(async () => {
  t = await createTestRuntime({ registry })
  await t.runtime.integrations.set({ webhooks: { secrets: { lab: SECRET } } }, { who: 'developer', role: 'developer' })
  await publishFlow(t, hookFlow)
  await publishFlow(t, JSON.parse(readFileSync(new URL('lab-result-routing.flow.json', examples), 'utf8')), [
    JSON.parse(readFileSync(new URL('lab-result-routing.suite.json', examples), 'utf8')),
  ])
  // The runtime's app mounts the same middleware ahead of its body parsers.
  const inbound = createInboundHttpHandler(t.runtime, {
    authorizeHl7: (req) => req.headers['authorization'] === 'Bearer hl7-sender',
  })
  server = createServer((req, res) => inbound(req, res, () => res.writeHead(404).end()))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await t?.close()
})

const nowSeconds = () => Math.floor(t.runtime.now().getTime() / 1000)
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })

describe('signed webhooks into the runtime', () => {
  const body = JSON.stringify({ event: 'result.ready', orderId: 'ORD-1' })

  it('starts the flow for a correctly signed delivery, once', async () => {
    const headers = signWebhook(SECRET, body, nowSeconds())
    const first = await post('/api/hooks/lab-results', body, headers)
    expect(first.status).toBe(202)
    const { runIds } = (await first.json()) as { runIds: string[] }
    expect(runIds).toHaveLength(1)
    const run = (await t.runtime.runs.store.listRuns('lab-webhook', 10))[0]!
    expect(run).toMatchObject({ id: runIds[0], status: 'completed', outcome: 'received' })
    const replay = await post('/api/hooks/lab-results', body, headers)
    expect(replay.status).toBe(409)
    expect(await t.runtime.runs.store.listRuns('lab-webhook', 10)).toHaveLength(1)
  })

  it('refuses unsigned, tampered, stale and unknown-path deliveries, and starts nothing', async () => {
    expect((await post('/api/hooks/lab-results', body)).status).toBe(401)
    expect(
      (await post('/api/hooks/lab-results', body.replace('ORD-1', 'ORD-2'), signWebhook(SECRET, body, nowSeconds())))
        .status,
    ).toBe(401)
    expect((await post('/api/hooks/lab-results', body, signWebhook(SECRET, body, nowSeconds() - 600))).status).toBe(401)
    expect(
      (await post('/api/hooks/lab-results', body, signWebhook('wrong-secret-0123456789', body, nowSeconds()))).status,
    ).toBe(401)
    expect((await post('/api/hooks/Not_A_Path', body)).status).toBe(404)
    expect((await post('/api/hooks/nobody-listens', body, signWebhook(SECRET, body, nowSeconds()))).status).toBe(404)
    const notJson = 'event=result'
    expect((await post('/api/hooks/lab-results', notJson, signWebhook(SECRET, notJson, nowSeconds()))).status).toBe(400)
    expect(await t.runtime.runs.store.listRuns('lab-webhook', 10)).toHaveLength(1)
  })

  it('refuses a replay at another process sharing the database, whose memory never saw the delivery', async () => {
    const again = JSON.stringify({ event: 'result.ready', orderId: 'ORD-9' })
    const headers = signWebhook(SECRET, again, nowSeconds())
    expect((await post('/api/hooks/lab-results', again, headers)).status).toBe(202)
    const before = (await t.runtime.runs.store.listRuns('lab-webhook', 100)).length
    // A second process: its own handler (and replay memory) over the same database.
    const other = createInboundHttpHandler(t.runtime)
    const otherServer = createServer((req, res) => other(req, res, () => res.writeHead(404).end()))
    await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', () => resolve()))
    try {
      const replay = await fetch(
        `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}/api/hooks/lab-results`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: again,
        },
      )
      expect(replay.status).toBe(409)
    } finally {
      otherServer.closeAllConnections()
      await new Promise((resolve) => otherServer.close(resolve))
    }
    expect(await t.runtime.runs.store.listRuns('lab-webhook', 100)).toHaveLength(before)
  })
})

describe('HL7 v2 over HTTP into the runtime', () => {
  it('answers the ACK in the body: AA and a run for an accepted message, AR for one no flow takes and (400) for garbage', async () => {
    expect((await post('/api/hl7', hl7Sample('msft-LAB-ORU-1.hl7'))).status).toBe(401)
    const hl7Headers = { authorization: 'Bearer hl7-sender' }
    const accepted = await post('/api/hl7', hl7Sample('msft-LAB-ORU-1.hl7'), {
      'content-type': 'x-application/hl7-v2+er7',
      ...hl7Headers,
    })
    expect(accepted.status).toBe(200)
    expect(await accepted.text()).toMatch(/\rMSA\|AA\|182\|/)
    expect(await t.runtime.runs.store.listRuns('lab-result-routing', 10)).toHaveLength(1)
    const refused = await post('/api/hl7', hl7Sample('msft-SIU-S12-01.hl7'), hl7Headers)
    expect(refused.status).toBe(422)
    expect(await refused.text()).toMatch(/\rMSA\|AR\|MSG00012\|/)
    const garbage = await post('/api/hl7', 'hello', hl7Headers)
    expect(garbage.status).toBe(400)
    expect(await garbage.text()).toMatch(/\rMSA\|AR\|\|/)
  })
})
