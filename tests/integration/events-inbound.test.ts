// Messages for waiting runs that arrive from outside systems, not through the API: an HL7 SIU^S15
// (appointment cancelled) over real MLLP and over HTTP, and a signed SMS-gateway webhook over real
// HTTP, each mapped by the installation's event routes to a message name and a correlation key.
// The run waiting for that appointment wakes, once, however often the message is resent; a
// message no run waits for is kept for one; the payload carries only the mapped fields.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import type { JsonValue } from '@carepath/dsl'
import {
  createInboundHttpHandler,
  createTestRuntime,
  hl7Sample,
  publishFlow,
  sendMllp,
  signWebhook,
  type TestRuntime,
} from '@carepath/runtime/testing'
import { startRuntimeHl7Listener, type MllpListener } from '../../apps/runtime/src/integrations/index.ts'

const SECRET = 'sms-gateway-secret-0123456789'
/** Waits for news of one appointment; a cancellation or a reply ends it. */
const watchFlow = {
  dsl: 'carepath.flow/1',
  id: 'appointment-watch',
  version: 1,
  title: 'Watch an appointment',
  facts: {
    type: 'object',
    properties: {
      appointment: { type: 'object', properties: { id: { type: 'string', 'x-phi': 'identifier' } } },
      change: { type: 'object', 'x-phi': 'none', properties: {} },
    },
  },
  roles: {},
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'wait' } },
    wait: {
      type: 'wait.event',
      typeVersion: 1,
      config: { event: 'appointment.changed', correlateOn: 'appointment.id', into: 'change', timeout: 'P2D' },
      next: { received: 'changed', timeout: 'unchanged' },
    },
    changed: { type: 'end', typeVersion: 1, config: { outcome: 'changed' } },
    unchanged: { type: 'end', typeVersion: 1, config: { outcome: 'unchanged' } },
  },
}
const reminders = JSON.parse(
  readFileSync(new URL('../../examples/reminders-no-show-rebook.flow.json', import.meta.url), 'utf8'),
) as object

let t: TestRuntime
let listener: MllpListener
let server: Server
let base: string

beforeAll(async () => {
  t = await createTestRuntime({
    registry,
    connectors: {
      notify: async () => ({ messageId: 'sms-1' }),
      fhir: async () => ({ status: 201, resource: { resourceType: 'Communication', id: 'comm-1' } }),
    },
  })
  await t.runtime.integrations.set(
    {
      webhooks: { secrets: { 'sms-gateway': SECRET } },
      events: {
        routes: [
          // SCH-2 is the filler's appointment id; SCH-25 the appointment's status.
          {
            via: 'hl7',
            name: 'appointment.changed',
            messageTypes: ['SIU^S15'],
            keyField: 'SCH-2',
            payload: { status: 'SCH-25' },
          },
          {
            via: 'webhook',
            name: 'sms.reply',
            hook: 'sms-gateway',
            secret: 'sms-gateway',
            keyPath: 'appointmentId',
            messageIdPath: 'sid',
          },
        ],
      },
    },
    { who: 'developer', role: 'developer' },
  )
  await publishFlow(t, watchFlow)
  await publishFlow(t, reminders)
  listener = await startRuntimeHl7Listener(t.runtime, { port: 0 })
  const inbound = createInboundHttpHandler(t.runtime, {
    authorizeHl7: (req) => req.headers['authorization'] === 'Bearer hl7-sender',
  })
  server = createServer((req, res) => inbound(req, res, () => res.writeHead(404).end()))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await listener?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await t?.close()
})

const watch = (appointmentId: string) =>
  t.as.agent.runs.start({
    flowId: 'appointment-watch',
    input: { appointment: { id: appointmentId } },
    idempotencyKey: `watch-${appointmentId}`,
  })
const msa = (ack: string) => /MSA\|([A-Z]{2})\|/.exec(ack)?.[1]
const received = async (runId: string) =>
  (await t.runtime.runs.store.events(runId)).filter((e) => e.type === 'event.received')

describe('messages for waiting runs from HL7 and webhooks', () => {
  const cancel = hl7Sample('msft-SIU-S15-01.hl7') // SCH-2 = 36996, SCH-25 = Cancelled

  it('an SIU^S15 over MLLP wakes the run waiting for that appointment, once, with only the mapped fields', async () => {
    const mine = await watch('36996')
    const other = await watch('40000')
    const [ack] = await sendMllp(listener.port, [cancel])
    expect(msa(ack!)).toBe('AA')
    expect(await t.runtime.runs.store.runById(mine.id)).toMatchObject({ status: 'completed', outcome: 'changed' })
    expect(await t.runtime.runs.store.runById(other.id)).toMatchObject({ status: 'waiting' })
    const [event] = await received(mine.id)
    expect(event?.data).toMatchObject({
      name: 'appointment.changed',
      payload: { messageType: 'SIU^S15', status: 'Cancelled' },
    })
    // The provider's name in SCH-12 is not in the run: only the mapped fields are.
    expect(JSON.stringify(await t.runtime.runs.store.events(mine.id))).not.toContain('Mellie')
    // The sender resends the same message (same control id): nothing happens twice.
    const [again] = await sendMllp(listener.port, [cancel])
    expect(msa(again!)).toBe('AA')
    expect(await received(mine.id)).toHaveLength(1)
  })

  it('over HTTP too; a message no run waits for yet is kept and given to the run that comes to wait', async () => {
    const other = cancel.replace('MSG00015', 'MSG00016').replace('|36996|', '|50000|')
    const res = await fetch(`${base}/api/hl7`, {
      method: 'POST',
      headers: { authorization: 'Bearer hl7-sender', 'content-type': 'application/hl7-v2' },
      body: other,
    })
    expect(msa(await res.text())).toBe('AA')
    expect(await t.runtime.events.messages('pending')).toEqual([
      expect.objectContaining({ name: 'appointment.changed', source: 'hl7' }),
    ])
    const late = await watch('50000')
    expect(await t.runtime.events.sweep()).toMatchObject({ delivered: 1 })
    expect(await t.runtime.runs.store.runById(late.id)).toMatchObject({ status: 'completed', outcome: 'changed' })
  })

  it('a message type no route or flow takes is still refused (AR)', async () => {
    const booked = hl7Sample('msft-SIU-S12-01.hl7')
    const [ack] = await sendMllp(listener.port, [booked])
    expect(msa(ack!)).toBe('AR')
  })

  it('a signed SMS-gateway webhook wakes the reminder run of its appointment; a resend wakes nothing', async () => {
    const input: { [key: string]: JsonValue } = {
      event: { type: 'reminder-due' },
      appointment: { id: 'APT-9', start: '2026-03-03T09:30:00-06:00', location: 'Building 2', hoursUntil: 24 },
      patient: { mrn: 'PAT-1', firstName: 'Adam', phone: '555-0199', smsConsent: true, optedOut: false, localHour: 10 },
    }
    const run = await t.as.agent.runs.start({
      flowId: 'reminders-no-show-rebook',
      input,
      idempotencyKey: 'reminder-APT-9',
    })
    expect(run.status).toBe('waiting')
    const body = JSON.stringify({ sid: 'SM-1', appointmentId: 'APT-9', answer: 'C' })
    const post = (text: string) =>
      fetch(`${base}/api/hooks/sms-gateway`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signWebhook(SECRET, text, Math.floor(t.runtime.now().getTime() / 1000)),
        },
        body: text,
      })
    const first = await post(body)
    expect(first.status).toBe(202)
    expect(await first.json()).toEqual({ runIds: [run.id] })
    expect(await t.runtime.runs.store.runById(run.id)).toMatchObject({ status: 'completed', outcome: 'confirmed' })
    // The gateway retries with a new signature but the same message id: delivered once.
    t.advance(1_000)
    expect((await post(body)).status).toBe(202)
    expect(await received(run.id)).toHaveLength(1)
    // Unsigned, or without the key the route reads: nothing is delivered.
    expect((await fetch(`${base}/api/hooks/sms-gateway`, { method: 'POST', body })).status).toBe(401)
    const keyless = JSON.stringify({ sid: 'SM-2', answer: 'C' })
    expect((await post(keyless)).status).toBe(422)
    expect(await t.runtime.deadLetters.list({ status: 'open', source: 'webhook' }, 10)).toEqual([
      expect.objectContaining({ reason: 'The body carries no appointmentId to match waiting runs by.' }),
    ])
  })

  it('refuses a route that does not say where its key is', async () => {
    await expect(
      t.runtime.integrations.set(
        {
          events: {
            routes: [{ via: 'hl7', name: 'appointment.changed', messageTypes: ['SIU'], keyField: 'appointment id' }],
          },
        },
        { who: 'developer', role: 'developer' },
      ),
    ).rejects.toThrow('events.routes.0.keyField: an HL7 field such as SCH-2 or SCH-2.1 (segment-field.component)')
  })
})
