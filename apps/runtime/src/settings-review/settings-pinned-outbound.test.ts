// The connectors that are not called through a run's own adapters keep the settings revision a
// published version is pinned to, like the others: hl7.send's store-and-forward queue, the signing
// secret of a trigger.webhook flow, and the alerts about a version's runs. A change that is only
// proposed, or approved later without being applied to running versions, reaches none of them
// until the version is re-pinned through a reviewed re-pin. Real peers on loopback: two MLLP
// receivers, an HTTP server behind the webhook handler, and an HTTP server taking alert posts.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { startMllpReceiver, type MllpReceiver } from '../testing/mllp-receiver.ts'
import { createRuntimeWebhookHandler } from '../integrations/webhook/webhook-runtime.ts'
import { signWebhook } from '../integrations/webhook/webhook-verify.ts'
import { createTestRuntime, passwordOnly, sessionToken, TEST_PASSWORD, type TestRuntime } from '../testing/index.ts'
import { waitUntil } from '../testing/wait-until.ts'
import { webhookFlow } from '../testing/webhook-flow.ts'

/** The lab system at `port`: short backoff, so a receiver back after an outage is reached soon. */
const lab = (port: number) => ({ host: '127.0.0.1', port, waitMs: 2_000, retryBackoffMs: 50, maxBackoffMs: 200 })

const OLD_SECRET = 'whsec-old-0123456789abcdef'
const NEW_SECRET = 'whsec-new-0123456789abcdef'

/** An HTTP server that answers 200 and keeps each request's path and body. */
async function startHttpPeer(handle?: Parameters<typeof createHttpServer>[1]) {
  const posts: { path: string; body: string }[] = []
  const server: HttpServer = createHttpServer(
    handle ??
      ((req, res) => {
        const parts: Buffer[] = []
        req.on('data', (chunk: Buffer) => parts.push(chunk))
        req.on('end', () => {
          posts.push({ path: req.url ?? '', body: Buffer.concat(parts).toString('utf8') })
          res.setHeader('content-type', 'application/json')
          res.end('{}')
        })
      }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections()
      server.close(() => done())
    })
  return { posts, host: `127.0.0.1:${port}`, close }
}

const hl7Flow: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'result-out',
  version: 1,
  title: 'Send the result to the lab system',
  facts: { type: 'object', properties: { mrn: { type: 'string', 'x-phi': 'identifier' } } },
  roles: {},
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'send' } },
    send: {
      type: 'hl7.send',
      typeVersion: 1,
      config: {
        destination: 'lab',
        messageType: 'ORU^R01',
        segments: [{ segment: 'PID', fields: { '1': '1', '3.1': { $fact: 'mrn' } } }],
      },
      next: { accepted: 'sent', queued: 'sent', rejected: 'failed', error: 'failed' },
    },
    sent: { type: 'end', typeVersion: 1, config: { outcome: 'sent' }, next: {} },
    failed: { type: 'end', typeVersion: 1, config: { outcome: 'failed' }, next: {} },
  },
}

const hookFlow = webhookFlow({ id: 'orders-in', title: 'Orders from the portal', path: 'orders', secret: 'portal' })

/** A call to a host no revision allows, with no error port: every run of it opens an incident. */
function failingFlow(id: string): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id,
    version: 1,
    title: 'Call the retired registry',
    facts: { type: 'object', properties: {} },
    roles: {},
    start: 'start',
    nodes: {
      start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'call' } },
      call: {
        type: 'http.request',
        typeVersion: 1,
        config: { method: 'GET', url: 'http://registry.invalid/lookup', retries: 0 },
        next: { ok: 'done', failed: 'done' },
      },
      done: { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
    },
  }
}

describe('settings pinned to a published version, beyond the run’s own connectors', () => {
  let t: TestRuntime
  let receiverA: MllpReceiver
  let receiverB: MllpReceiver
  let alertPeer: Awaited<ReturnType<typeof startHttpPeer>>
  let admin2: TestRuntime['as']['admin']

  beforeEach(async () => {
    receiverA = await startMllpReceiver()
    receiverB = await startMllpReceiver()
    alertPeer = await startHttpPeer()
    // The built-in catalog and connectors built from the stored settings, as an installation runs.
    t = await createTestRuntime({ registry: undefined, connectors: undefined })
    await t.runtime.auth.addUser(
      { username: 'admin2', password: TEST_PASSWORD, role: 'admin', flowRoles: [] },
      { who: 'test', role: 'system' },
    )
    await passwordOnly(t.runtime, ['admin2'])
    admin2 = t.caller(sessionToken(await t.runtime.auth.login('admin2', TEST_PASSWORD)))
    await t.as.developer.settings.setIntegrations({
      http: { allowHosts: [alertPeer.host] },
      webhooks: { secrets: { portal: OLD_SECRET } },
      hl7out: { destinations: { lab: lab(receiverA.port) } },
    })
  })
  afterEach(async () => {
    await t.close()
    await Promise.all([receiverA.close(), receiverB.close(), alertPeer.close()])
  })

  async function publish(document: FlowDocument): Promise<string> {
    const saved = await t.as.analyst.flows.create({ document })
    await t.as.analyst.review.submit({ id: document.id })
    await t.as.reviewer.review.approve({ id: document.id, hash: saved.hash, comment: 'ok' })
    await t.as.reviewer.review.publish({ id: document.id, hash: saved.hash })
    return saved.hash
  }

  /** Revision 2: the lab moves to receiver B, the portal's secret is rotated, the alert peer is no longer allowed. */
  async function proposeMove() {
    return t.as.developer.settings.propose({
      settings: {
        ...(await t.as.developer.settings.integrations()),
        http: { allowHosts: ['api.example.org'] },
        webhooks: { secrets: { portal: NEW_SECRET } },
        hl7out: { destinations: { lab: lab(receiverB.port) } },
      },
      reason: 'The lab system moves; the portal rotates its secret',
    })
  }

  let key = 0
  async function sendResult(): Promise<string | null | undefined> {
    key += 1
    const run = await t.as.developer.runs.start({
      flowId: 'result-out',
      input: { mrn: `MRN-${key}` },
      idempotencyKey: `result-${key}`,
    })
    return (await t.as.developer.runs.get({ id: run.id })).outcome
  }

  it('hl7.send delivers with the pinned revision’s destination until the version is re-pinned', async () => {
    const hash = await publish(hl7Flow)
    expect(await sendResult()).toBe('sent')

    // Proposed, then approved without "apply to running versions": still receiver A.
    const move = await proposeMove()
    expect(await sendResult()).toBe('sent')
    await t.as.admin.settings.approve({ id: move.id })
    expect(await sendResult()).toBe('sent')
    await waitUntil(() => receiverA.received.length === 3, 'three messages at receiver A')
    expect(receiverB.received).toEqual([])

    // A reviewed re-pin moves the version to revision 2: receiver B from now on.
    const repin = await t.as.admin.settings.proposeRepin({ flowId: 'result-out', hash, reason: 'Follow the lab' })
    expect(await sendResult()).toBe('sent')
    expect(receiverB.received).toEqual([])
    await admin2.settings.approve({ id: repin.id })
    expect(await sendResult()).toBe('sent')
    await waitUntil(() => receiverB.received.length === 1, 'the re-pinned message at receiver B')
    expect(receiverB.received[0]).toContain('MRN-5')
    expect(receiverA.received).toHaveLength(4)
  })

  it('a message queued while its receiver is down is delivered with its own revision, not one approved since', async () => {
    await publish(hl7Flow)
    await receiverA.close()
    // Nothing listens: the message waits in the queue (the run goes on by `queued`).
    const port = receiverA.port
    expect(await sendResult()).toBe('sent')
    const move = await proposeMove()
    await t.as.admin.settings.approve({ id: move.id })
    // The lab comes back on its old address: the queued message goes there, not to receiver B.
    const back = await startMllpReceiver(port)
    // The runtime's clock is the test's: move it on so the backoff between attempts passes.
    await waitUntil(() => {
      t.advance(1_000)
      return back.received.length === 1
    }, 'the queued message at the lab’s old address')
    expect(receiverB.received).toEqual([])
    await back.close()
  })

  it('a trigger.webhook flow checks signatures with its pinned secret; a version published later uses the new one', async () => {
    await publish(hookFlow)
    const handler = createRuntimeWebhookHandler(t.runtime)
    const hooks = await startHttpPeer((req, res) => void handler(req, res, 'orders'))
    const post = (secret: string, event: string) => {
      const body = JSON.stringify({ event })
      const headers = signWebhook(secret, body, Math.floor(t.runtime.now().getTime() / 1000))
      return fetch(`http://${hooks.host}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }).then((r) => r.status)
    }
    try {
      const move = await proposeMove()
      expect(await post(OLD_SECRET, 'proposed')).toBe(202)
      expect(await post(NEW_SECRET, 'proposed-new')).toBe(401)
      await t.as.admin.settings.approve({ id: move.id })
      expect(await post(OLD_SECRET, 'approved')).toBe(202)
      expect(await post(NEW_SECRET, 'approved-new')).toBe(401)
      expect(await t.runtime.runs.store.listRuns('orders-in', 10)).toHaveLength(2)
    } finally {
      await hooks.close()
    }
  })

  it('an alert about a version’s run goes out with that version’s settings', async () => {
    await publish(failingFlow('old-registry'))
    await t.as.admin.alerts.setSettings({
      settings: {
        owners: {
          'old-registry': { integration: [{ webhook: `http://${alertPeer.host}/alert` }] },
          'new-registry': { integration: [{ webhook: `http://${alertPeer.host}/alert` }] },
        },
        rules: [{ id: 'stuck', kind: 'incident-age', minutes: 1 }],
      },
    })
    const move = await proposeMove()
    await t.as.admin.settings.approve({ id: move.id })
    // Published after the change: pinned to revision 2, which no longer allows the alert peer.
    await publish(failingFlow('new-registry'))
    for (const flowId of ['old-registry', 'new-registry']) {
      const run = await t.as.developer.runs.start({ flowId, input: {}, idempotencyKey: flowId })
      expect(run.status).toBe('incident')
    }
    t.advance(2 * 60_000)
    expect((await t.as.operator.alerts.evaluate()).opened).toHaveLength(2)
    const alerts = await t.as.operator.alerts.list({})
    const delivered = (flowId: string) => alerts.find((a) => a.flowId === flowId)?.recipients[0]
    expect(delivered('old-registry')).toMatchObject({ channel: 'webhook', ok: true })
    expect(delivered('new-registry')).toMatchObject({ channel: 'webhook', ok: false })
    expect(alertPeer.posts).toHaveLength(1)
    expect(alertPeer.posts[0]?.body).toContain('old-registry')
  })
})
