// hl7.send end to end: the message built from facts, queued in the database, sent over MLLP to a
// real receiver (an independent one written here over node:net, and the runtime's own listener),
// its ACK recorded; AE and outages retried in order, AR routed to `rejected`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hl7Send, hl7OutSettingsSchema } from '@carepath/nodes'
import { openDb, type Db } from '../../db/open-db.ts'
import { createDataCipher, isSealed, type DataCipher } from '../../keys/data-cipher.ts'
import { sqliteStore } from '../../store/open-store.ts'
import type { Store } from '../../store/store.ts'
import { openInstallationKeys } from '../../keys/installation-keys.ts'
import { hl7Outbound as outboundTable } from '../../db/schema.ts'
import { waitUntil } from '../../testing/wait-until.ts'
import { createHl7Intake } from '../hl7/hl7-intake.ts'
import { createMemoryHl7Store } from '../hl7/hl7-store.ts'
import { startMllpListener } from '../hl7/mllp-listener.ts'
import { runNode } from '../testing/node-harness.ts'
import { startMllpReceiver } from '../../testing/mllp-receiver.ts'
import { createHl7Outbound, type Hl7Outbound } from './hl7-outbound.ts'

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

let dir: string
let db: Db
let outbound: Hl7Outbound
// The runtime's own cipher over this database, so messages are sealed at rest as in production.
let cipher: DataCipher
let store: Store
const closers: (() => Promise<void> | void)[] = []
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-hl7-out-'))
  db = openDb(join(dir, 'carepath.db'))
  store = sqliteStore(db.$client)
  cipher = createDataCipher(store, await openInstallationKeys(store, join(dir, 'carepath.keys.json')))
  outbound = createHl7Outbound({ store, now: () => new Date(), cipher: () => cipher })
})
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  outbound.close()
  db.$client.close()
  rmSync(dir, { recursive: true, force: true })
})

const configure = (port: number, waitMs = 60_000) =>
  outbound.configure(
    hl7OutSettingsSchema.parse({
      destinations: {
        lab: { host: '127.0.0.1', port, ackTimeoutMs: 60_000, retryBackoffMs: 20, maxBackoffMs: 200, waitMs },
      },
    }),
  )

const oru = {
  destination: 'lab',
  messageType: 'ORU^R01',
  segments: [
    { segment: 'PID', fields: { '1': '1', '3.1': { $fact: 'mrn' } } },
    { segment: 'OBX', fields: { '1': '1', '3.1': '2345-7', '5': { $fact: 'value' } } },
  ],
  controlIdInto: 'sent.id',
  ackInto: 'sent.ack',
}
const send = (facts: { mrn: string; value: number }) =>
  runNode(hl7Send, oru, { facts, connectors: { 'hl7-out': outbound.adapter } })

describe('hl7.send over MLLP with a store-and-forward queue', () => {
  it('sends an ORU to an independent receiver and records its ACK', async () => {
    const receiver = await startMllpReceiver(0, () => 'AA')
    closers.push(receiver.close)
    configure(receiver.port)
    const { outcome, error } = await send({ mrn: 'M1', value: 98 })
    expect(error?.message).toBeUndefined()
    expect(outcome).toMatchObject({ port: 'accepted', set: { 'sent.ack': { code: 'AA' } } })
    expect(receiver.received).toHaveLength(1)
    expect(receiver.received[0]).toMatch(
      /^MSH\|\^~\\&\|CAREPATH\|\|\|\|\d{14}\+0000\|\|ORU\^R01\^ORU_R01\|CP[0-9A-F]{18}\|P\|2\.5\.1\rPID\|1\|\|M1\rOBX\|1\|\|2345-7\|\|98\r$/,
    )
    const [row] = await outbound.store.list('lab')
    expect(row).toMatchObject({ status: 'accepted', attempts: 1, ackCode: 'AA' })
    expect(row!.ack).toContain('MSA|AA|')
  })

  it('retries after AE until AA, and routes AR to rejected without holding up the next message', async () => {
    const codes: ('AA' | 'AE' | 'AR')[] = ['AE', 'AE', 'AA', 'AR', 'AA']
    const receiver = await startMllpReceiver(0, (_message, index) => codes[index]!)
    closers.push(receiver.close)
    configure(receiver.port)
    expect((await send({ mrn: 'M1', value: 1 })).outcome).toMatchObject({ port: 'accepted' })
    expect((await outbound.store.list('lab'))[0]).toMatchObject({ attempts: 3, status: 'accepted' })
    expect((await send({ mrn: 'M2', value: 2 })).outcome).toMatchObject({
      port: 'rejected',
      set: { 'sent.ack': { code: 'AR', text: 'refused' } },
    })
    expect((await send({ mrn: 'M3', value: 3 })).outcome).toMatchObject({ port: 'accepted' })
  })

  it('queues while the receiver is down and delivers everything, in order and once, when it returns', async () => {
    const port = await freePort()
    configure(port, 0)
    const ids: string[] = []
    for (let i = 1; i <= 20; i++) {
      const { outcome } = await send({ mrn: `M${i}`, value: i })
      expect(outcome).toMatchObject({ port: 'queued' })
      ids.push(String((outcome as { set: Record<string, string> }).set['sent.id']))
    }
    // The same message again (a resumed run) queues nothing new.
    await send({ mrn: 'M1', value: 1 })
    await waitUntil(
      async () => ((await outbound.store.list('lab'))[0]?.attempts ?? 0) >= 2,
      'a failed attempt at the head',
    )
    expect((await outbound.store.list('lab')).map((row) => row.status)).toEqual(Array(20).fill('queued'))
    expect((await outbound.store.list('lab'))[0]!.lastError).toBe('connection refused')

    const receiver = await startMllpReceiver(port, () => 'AA')
    closers.push(receiver.close)
    await waitUntil(
      async () => (await outbound.store.list('lab')).every((row) => row.status === 'accepted'),
      'all 20 delivered',
    )
    expect(receiver.received.map((message) => message.split('\r')[0]!.split('|')[9])).toEqual(ids)
  })

  it('keeps queued messages across a restart: a new process delivers them from the database', async () => {
    const port = await freePort()
    configure(port, 0)
    for (let i = 1; i <= 3; i++) await send({ mrn: `R${i}`, value: i })
    outbound.close() // the process stops with three messages undelivered
    outbound = createHl7Outbound({ store, now: () => new Date(), cipher: () => cipher })
    const receiver = await startMllpReceiver(port, () => 'AA')
    closers.push(receiver.close)
    configure(port, 0) // a new process reads its settings and resumes every queue
    await waitUntil(
      async () => (await outbound.store.list('lab')).every((row) => row.status === 'accepted'),
      'the queue delivered',
    )
    expect(receiver.received.map((message) => message.split('\r')[1])).toEqual(['PID|1||R1', 'PID|1||R2', 'PID|1||R3'])
  })

  it('sets a message aside after the AE answers its destination allows: the node fails, the next goes out', async () => {
    const receiver = await startMllpReceiver(0, (message) => (message.includes('PID|1||AE1') ? 'AE' : 'AA'))
    closers.push(receiver.close)
    outbound.configure(
      hl7OutSettingsSchema.parse({
        destinations: {
          lab: { host: '127.0.0.1', port: receiver.port, retryBackoffMs: 10, maxBackoffMs: 20, aeAttempts: 3 },
        },
      }),
    )
    const failed = await send({ mrn: 'AE1', value: 1 })
    expect(failed.error).toMatchObject({ options: { code: 'hl7-failed', retryable: false } })
    expect((await outbound.store.list('lab'))[0]).toMatchObject({ status: 'failed', attempts: 3, ackCode: 'AE' })
    expect((await send({ mrn: 'OK2', value: 2 })).outcome).toMatchObject({ port: 'accepted' })
    expect(receiver.received.map((m) => m.split('\r')[1])).toEqual([
      'PID|1||AE1',
      'PID|1||AE1',
      'PID|1||AE1',
      'PID|1||OK2',
    ])
  })

  it('sends an AR once: the run takes the rejected port and the message is never retried', async () => {
    const receiver = await startMllpReceiver(0, () => 'AR')
    closers.push(receiver.close)
    configure(receiver.port)
    expect((await send({ mrn: 'AR1', value: 1 })).outcome).toMatchObject({ port: 'rejected' })
    expect((await send({ mrn: 'AR2', value: 2 })).outcome).toMatchObject({ port: 'rejected' })
    expect((await outbound.store.list('lab')).map((row) => [row.status, row.attempts])).toEqual([
      ['rejected', 1],
      ['rejected', 1],
    ])
    expect(receiver.received).toHaveLength(2)
  })

  it('keeps the message and the ACK sealed at rest: a canary MRN is nowhere in the database file or its WAL', async () => {
    const canary = 'CANARY-MRN-77341'
    const receiver = await startMllpReceiver(0, () => 'AA')
    closers.push(receiver.close)
    configure(receiver.port)
    expect((await send({ mrn: canary, value: 1 })).outcome).toMatchObject({ port: 'accepted' })
    expect(receiver.received[0]).toContain(canary)
    const raw = db.select().from(outboundTable).all()
    expect(raw.map((row) => [isSealed(row.message), row.ack !== null && isSealed(row.ack)])).toEqual([[true, true]])
    expect((await outbound.store.list('lab'))[0]!.message).toContain(canary) // and it opens again
    for (const file of ['carepath.db', 'carepath.db-wal']) {
      const path = join(dir, file)
      if (existsSync(path)) expect(readFileSync(path).includes(canary), file).toBe(false)
    }
    expect(existsSync(join(dir, 'carepath.db'))).toBe(true)
  })

  it("delivers to the runtime's own MLLP listener, which acknowledges it", async () => {
    const intake = createHl7Intake({
      store: createMemoryHl7Store(),
      acceptRun: async () => ({ accepted: true, runIds: ['run-1'] }),
    })
    const listener = await startMllpListener({ port: 0, intake })
    closers.push(listener.close)
    configure(listener.port)
    const { outcome } = await send({ mrn: 'M9', value: 9 })
    expect(outcome).toMatchObject({ port: 'accepted', set: { 'sent.ack': { code: 'AA' } } })
  })
})
