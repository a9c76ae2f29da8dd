// hl7.send over MLLPS: the store-and-forward queue delivers over TLS to an independent receiver
// written here with node:tls (not the runtime's listener), which asks for a client certificate
// signed by its own CA. Certificates are made in the test by the system's openssl.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, TLSSocket, type Server } from 'node:tls'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { hl7OutSettingsSchema, hl7Send } from '@carepath/nodes'
import { openDb, type Db } from '../../db/open-db.ts'
import { sqliteStore } from '../../store/open-store.ts'
import { waitUntil } from '../../testing/wait-until.ts'
import { mllpFrame, MllpFramer } from '../hl7/mllp-framer.ts'
import { runNode } from '../testing/node-harness.ts'
import { createHl7Outbound, type Hl7Outbound } from './hl7-outbound.ts'

const certs = mkdtempSync(join(tmpdir(), 'carepath-mllps-out-'))
const pem = (name: string) => readFileSync(join(certs, name), 'utf8')
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' })

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates() {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Test HL7 CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  )
  for (const [name, subject, san] of [
    ['server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ['client', '/CN=carepath-sender', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`)
    writeFileSync(join(certs, `${name}.ext`), `${san}\n`)
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    )
  }
}

/** The receiver: MLLP over TLS, client certificates required; records each message and who sent it. */
async function startTlsReceiver() {
  const received: { controlId: string; client: string; protocol: string }[] = []
  const server: Server = createServer(
    {
      key: pem('server.key'),
      cert: pem('server.pem'),
      ca: pem('ca.pem'),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (socket: TLSSocket) => {
      const framer = new MllpFramer()
      socket.on('error', () => socket.destroy())
      socket.on('data', (chunk: Buffer) => {
        for (const event of framer.push(chunk)) {
          if (event.kind !== 'frame') continue
          const controlId = event.payload.toString('utf8').split('\r')[0]!.split('|')[9] ?? ''
          const subject = socket.getPeerCertificate().subject
          received.push({ controlId, client: String(subject?.CN ?? ''), protocol: socket.getProtocol() ?? '' })
          socket.write(
            mllpFrame(
              `MSH|^~\\&|RECV||CAREPATH||20260301000000||ACK|R${received.length}|P|2.5.1\rMSA|AA|${controlId}\r`,
            ),
          )
        }
      })
    },
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  const port = address !== null && typeof address === 'object' ? (address satisfies AddressInfo).port : 0
  return { received, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

let dir: string
let db: Db
let outbound: Hl7Outbound
let receiver: Awaited<ReturnType<typeof startTlsReceiver>>
beforeAll(async () => {
  makeCertificates()
  receiver = await startTlsReceiver()
})
afterAll(async () => {
  await receiver.close()
  rmSync(certs, { recursive: true, force: true })
})
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-hl7-out-tls-'))
  db = openDb(join(dir, 'carepath.db'))
  outbound = createHl7Outbound({ store: sqliteStore(db.$client), now: () => new Date() })
})
afterEach(() => {
  outbound.close()
  db.$client.close()
  rmSync(dir, { recursive: true, force: true })
})

const configure = (tls: Record<string, string>) =>
  outbound.configure(
    hl7OutSettingsSchema.parse({
      destinations: {
        lab: { host: '127.0.0.1', port: receiver.port, tls, retryBackoffMs: 20, maxBackoffMs: 100, waitMs: 0 },
      },
    }),
  )
const send = (mrn: string) =>
  runNode(
    hl7Send,
    {
      destination: 'lab',
      messageType: 'ORU^R01',
      segments: [{ segment: 'PID', fields: { '1': '1', '3.1': { $fact: 'mrn' } } }],
      controlIdInto: 'sent.id',
    },
    { facts: { mrn }, connectors: { 'hl7-out': outbound.adapter } },
  )
const controlIdOf = (outcome: unknown) =>
  outcome !== null &&
  typeof outcome === 'object' &&
  'set' in outcome &&
  outcome.set !== null &&
  typeof outcome.set === 'object' &&
  'sent.id' in outcome.set
    ? String(outcome.set['sent.id'])
    : ''

describe('hl7.send over MLLPS', () => {
  it('delivers over TLS 1.2+ with a client certificate to a receiver that requires one', async () => {
    configure({ ca: pem('ca.pem'), cert: pem('client.pem'), privateKey: pem('client.key') })
    const { outcome } = await send('TLS1')
    const id = controlIdOf(outcome)
    await waitUntil(async () => (await outbound.store.get('lab', id))?.status === 'accepted', 'the ACK over TLS')
    const seen = receiver.received.find((r) => r.controlId === id)
    expect(seen).toMatchObject({ client: 'carepath-sender' })
    expect(['TLSv1.2', 'TLSv1.3']).toContain(seen!.protocol)
  })

  it('keeps the message queued while the receiver refuses the connection for want of a client certificate', async () => {
    configure({ ca: pem('ca.pem') })
    const id = controlIdOf((await send('NOCERT')).outcome)
    await waitUntil(async () => ((await outbound.store.get('lab', id))?.attempts ?? 0) >= 2, 'two refused attempts')
    expect(await outbound.store.get('lab', id)).toMatchObject({ status: 'queued' })
    expect(receiver.received.some((r) => r.controlId === id)).toBe(false)
    // Given its certificate, the same queue delivers the same message.
    configure({ ca: pem('ca.pem'), cert: pem('client.pem'), privateKey: pem('client.key') })
    await waitUntil(
      async () => (await outbound.store.get('lab', id))?.status === 'accepted',
      'delivery with the certificate',
    )
    expect(receiver.received.filter((r) => r.controlId === id)).toHaveLength(1)
  })

  it('does not send to a receiver whose certificate it cannot verify', async () => {
    configure({ cert: pem('client.pem'), privateKey: pem('client.key') })
    const id = controlIdOf((await send('UNTRUSTED')).outcome)
    await waitUntil(async () => ((await outbound.store.get('lab', id))?.attempts ?? 0) >= 2, 'two failed attempts')
    expect(await outbound.store.get('lab', id)).toMatchObject({ status: 'queued' })
    expect((await outbound.store.get('lab', id))!.lastError).toMatch(/connection failed/)
    expect(receiver.received.some((r) => r.controlId === id)).toBe(false)
  })

  it('refuses settings with a client certificate but no key', () => {
    const parsed = hl7OutSettingsSchema.safeParse({
      destinations: { lab: { host: 'h', port: 1, tls: { cert: 'x' } } },
    })
    expect(parsed.success).toBe(false)
  })
})
