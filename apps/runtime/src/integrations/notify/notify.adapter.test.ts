import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import type { FactSchema } from '@carepath/dsl'
import { notify } from '@carepath/nodes'
import { createFhirAdapter } from '../fhir/fhir.adapter.ts'
import { startFhirTestServer, type FhirTestServer } from '../testing/fhir-test-server.ts'
import { runNode } from '../testing/node-harness.ts'
import { TEST_CONNECTOR_TIMEOUT_MS } from '../../testing/wait-until.ts'
import { createNotifyAdapter } from './notify.adapter.ts'

const mails: { from: string; to: string[]; data: string }[] = []
let smtp: SMTPServer
let smtpPort: number
let fhir: FhirTestServer

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@refused.test'))
        return callback(Object.assign(new Error('550 No such user here'), { responseCode: 550 }))
      callback()
    },
    onData(stream, session, callback) {
      const parts: Buffer[] = []
      stream.on('data', (c: Buffer) => parts.push(c))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(parts).toString(),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()))
  smtpPort = (smtp.server.address() as AddressInfo).port
  fhir = await startFhirTestServer()
})
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()))
  await fhir.close()
})

const factsSchema: FactSchema = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      properties: {
        id: { type: 'string', 'x-phi': 'identifier' },
        given: { type: 'string', 'x-phi': 'demographic' },
        email: { type: 'string', 'x-phi': 'contact' },
      },
    },
    appointment: { type: 'object', properties: { start: { type: 'string', 'x-phi': 'none' } } },
    diagnosis: { type: 'object', properties: { text: { type: 'string', 'x-phi': 'clinical' } } },
  },
}
const facts = {
  patient: { id: 'p1', given: 'Ada', email: 'ada@example.test' },
  appointment: { start: '2025-03-02 09:00' },
  diagnosis: { text: 'Major depressive disorder' },
}

function connectors(logSink?: (line: string) => void) {
  return {
    notify: createNotifyAdapter(
      {
        smtp: {
          host: '127.0.0.1',
          port: smtpPort,
          secure: false,
          from: 'clinic@carepath.test',
        },
      },
      logSink ? { logSink } : {},
    ),
    fhir: createFhirAdapter({ baseUrl: fhir.baseUrl, headers: {}, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS }),
  }
}

describe('notify connector', () => {
  it('sends an email through a local SMTP server and records a FHIR Communication on the FHIR server', async () => {
    const config = {
      channel: 'email',
      toFrom: 'patient.email',
      subject: 'Your visit',
      message: 'Hello {{patient.given}}, we expect you on {{appointment.start}}.',
      patientFrom: 'patient.id',
      into: 'sent',
    }
    const { outcome } = await runNode(notify, config, { facts, factsSchema, connectors: connectors() })
    expect(outcome).toMatchObject({
      port: 'sent',
      set: { sent: { messageId: expect.any(String), communicationId: expect.any(String) } },
    })
    const mail = mails.at(-1)!
    expect(mail.to).toEqual(['ada@example.test'])
    expect(mail.from).toBe('clinic@carepath.test')
    expect(mail.data).toContain('Hello Ada, we expect you on 2025-03-02 09:00.')
    const id = (outcome as unknown as { set: { sent: { communicationId: string } } }).set.sent.communicationId
    const stored = await (await fetch(`${fhir.baseUrl}/Communication/${id}`)).json()
    expect(stored).toMatchObject({
      resourceType: 'Communication',
      status: 'completed',
      subject: { reference: 'Patient/p1' },
      payload: [{ contentString: 'Hello Ada, we expect you on 2025-03-02 09:00.' }],
    })
  })

  it('refuses a diagnosis in an email before anything is sent', async () => {
    const before = mails.length
    const { error, calls } = await runNode(
      notify,
      { channel: 'email', toFrom: 'patient.email', message: 'About {{diagnosis.text}}' },
      { facts, factsSchema, connectors: connectors() },
    )
    expect(error?.message).toBe('{{diagnosis.text}} is clinical data, which a email message may not carry.')
    expect(calls).toEqual([])
    expect(mails.length).toBe(before)
  })

  it('reports a refused recipient with the server code only, and an unreachable server plainly', async () => {
    const refused = await runNode(
      notify,
      { channel: 'email', toFrom: 'to', message: 'Hi' },
      {
        facts: { to: 'nobody@refused.test' },
        factsSchema: { type: 'object', properties: { to: { type: 'string', 'x-phi': 'contact' } } },
        connectors: connectors(),
      },
    )
    expect(refused.error?.message).toBe('The mail server refused the message (550).')
    const down = createNotifyAdapter({
      smtp: { host: '127.0.0.1', port: 9, secure: false, from: 'a@b.test' },
    })
    await expect(
      down(
        { channel: 'email', to: 'x@y.test', body: 'hi', idempotencyKey: 'k' },
        { runId: 'r', nodeId: 'n', attempt: 1 },
      ),
    ).rejects.toThrow('The mail server could not be reached.')
  })

  it('writes log messages with no patient data and sends each step once', async () => {
    const lines: string[] = []
    const adapter = createNotifyAdapter({}, { logSink: (line) => lines.push(line) })
    const meta = { runId: 'r', nodeId: 'n', attempt: 1 }
    const first = await adapter({ channel: 'log', body: 'Slot booked for 2025-03-02', idempotencyKey: 'run-1:n' }, meta)
    const again = await adapter(
      { channel: 'log', body: 'Slot booked for 2025-03-02', idempotencyKey: 'run-1:n' },
      { ...meta, attempt: 2 },
    )
    expect(again).toEqual(first)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^notify log-[0-9a-f-]+: Slot booked for 2025-03-02$/)
    await expect(adapter({ channel: 'sms', to: '+1555', body: 'x', idempotencyKey: 'k2' }, meta)).rejects.toThrow(
      'No SMS gateway is configured',
    )
  })

  it('posts an SMS to the configured gateway with only the recipient and the text', async () => {
    const { createServer } = await import('node:http')
    const got: string[] = []
    const gateway = createServer((req, res) => {
      const parts: Buffer[] = []
      req.on('data', (c: Buffer) => parts.push(c))
      req.on('end', () => {
        got.push(Buffer.concat(parts).toString())
        res.writeHead(got.length > 1 ? 503 : 202).end()
      })
    })
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', () => resolve()))
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`
    const adapter = createNotifyAdapter({ sms: { url, headers: {} } })
    const meta = { runId: 'r', nodeId: 'n', attempt: 1 }
    await expect(
      adapter({ channel: 'sms', to: '+15550100', body: 'See you at 9', idempotencyKey: 'a' }, meta),
    ).resolves.toMatchObject({ channel: 'sms' })
    expect(JSON.parse(got[0]!)).toEqual({ to: '+15550100', body: 'See you at 9' })
    await expect(adapter({ channel: 'sms', to: '+15550100', body: 'x', idempotencyKey: 'b' }, meta)).rejects.toThrow(
      'The SMS gateway answered HTTP 503.',
    )
    gateway.closeAllConnections()
    await new Promise((resolve) => gateway.close(resolve))
  })
})
