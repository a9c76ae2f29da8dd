// The MLLP listener's connection cap and sender allow-list: a connection over the cap or from an
// address not on the list is closed on arrival (no ACK, nothing stored) and logged; the others work.
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { hl7Samples } from '../testing/hl7-samples.ts'
import { createHl7Intake } from './hl7-intake.ts'
import { createMemoryHl7Store } from './hl7-store.ts'
import { sendMllp, senderAddress, startMllpListener, type MllpListener } from './mllp-listener.ts'

const sample = hl7Samples()[0]!.text
let listener: MllpListener | undefined
const open: Socket[] = []
afterEach(async () => {
  for (const socket of open.splice(0)) socket.destroy()
  await listener?.close()
  listener = undefined
})

async function start(limits: { maxConnections?: number; allowedSenders?: string[] }) {
  const logs: string[] = []
  const stored: string[] = []
  const store = createMemoryHl7Store()
  const intake = createHl7Intake({
    store: {
      save: (raw, meta, at) => {
        stored.push(meta.controlId)
        return store.save(raw, meta, at)
      },
      settle: store.settle,
    },
    acceptRun: async () => ({ accepted: true, runIds: ['run-1'] }),
  })
  listener = await startMllpListener({ port: 0, intake, log: (l) => logs.push(l), ...limits })
  return { port: listener.port, logs, stored }
}

const idleConnection = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.on('error', reject)
    open.push(socket)
  })

describe('MLLP connection limits', () => {
  it('closes a connection over the cap without reading it, and keeps serving the ones it holds', async () => {
    const { port, logs, stored } = await start({ maxConnections: 2 })
    await idleConnection(port)
    await idleConnection(port)
    expect(await sendMllp(port, [sample])).toEqual([])
    expect(stored).toEqual([])
    expect(logs.some((l) => /2 connections already open; one from 127\.0\.0\.1 closed/.test(l))).toBe(true)
    // A held connection closes: a new one is served.
    open.shift()!.destroy()
    await expect.poll(async () => (await sendMllp(port, [sample])).length, { timeout: 30_000, interval: 100 }).toBe(1)
  })

  it('accepts only senders on the allow-list', async () => {
    const refused = await start({ allowedSenders: ['10.9.9.9'] })
    expect(await sendMllp(refused.port, [sample])).toEqual([])
    expect(refused.stored).toEqual([])
    expect(refused.logs.some((l) => /127\.0\.0\.1, not on the sender allow-list/.test(l))).toBe(true)
    await listener?.close()
    const allowed = await start({ allowedSenders: ['::ffff:127.0.0.1'] })
    expect(await sendMllp(allowed.port, [sample])).toHaveLength(1)
    expect(allowed.stored).toHaveLength(1)
  })

  it('compares IPv4 addresses seen through IPv6 as IPv4', () => {
    expect(senderAddress('::ffff:192.0.2.1')).toBe('192.0.2.1')
    expect(senderAddress('2001:DB8::1')).toBe('2001:db8::1')
  })
})
