// A downstream MLLP outage of 10 minutes with 1,000 messages queued, on an injected clock: the
// receiver's port refuses connections, the queue backs off per its policy (only the head of the
// queue is tried, so order holds), nothing is lost, and when the receiver returns all 1,000 are
// delivered in order, each once. The clock and the delivery loop's timers are the test's: ten
// minutes pass without waiting ten minutes, and the test waits on conditions, not durations.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hl7OutSettingsSchema } from '@carepath/nodes'
import { openDb, type Db } from '../../db/open-db.ts'
import { sqliteStore } from '../../store/open-store.ts'
import { waitUntil } from '../../testing/wait-until.ts'
import { mllpFrame, MllpFramer } from '../hl7/mllp-framer.ts'
import { createHl7Outbound, type Hl7Outbound } from './hl7-outbound.ts'

const COUNT = 1000
const OUTAGE_MS = 10 * 60_000

/** The injected clock and the timers the delivery loop sets on it. */
function fakeClock(startIso: string) {
  let now = Date.parse(startIso)
  const timers = new Set<{ at: number; run: () => void }>()
  return {
    now: () => new Date(now),
    elapsedSince: (iso: string) => now - Date.parse(iso),
    setTimer(run: () => void, ms: number) {
      const timer = { at: now + ms, run }
      timers.add(timer)
      return { cancel: () => void timers.delete(timer) }
    },
    pending: () => timers.size,
    /** Move the clock to the earliest timer and run it. */
    fireNext() {
      const next = [...timers].sort((x, y) => x.at - y.at)[0]
      if (!next) throw new Error('no timer is pending')
      timers.delete(next)
      now = Math.max(now, next.at)
      next.run()
    },
  }
}

/** A receiver in a few lines: records each MSH-10 and answers AA. */
function startReceiver(port: number) {
  const received: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    const framer = new MllpFramer()
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind !== 'frame') continue
        const controlId = event.payload.toString('utf8').split('\r')[0]!.split('|')[9]!
        received.push(controlId)
        socket.write(
          mllpFrame(`MSH|^~\\&|LAB||CAREPATH||20260301000000||ACK|K${received.length}|P|2.5.1\rMSA|AA|${controlId}\r`),
        )
      }
    })
  })
  return new Promise<{ received: string[]; close(): Promise<void> }>((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({
        received,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      }),
    ),
  )
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return address !== null && typeof address === 'object' ? address.port : 0
}

let dir: string
let db: Db
let outbound: Hl7Outbound
let closeReceiver: (() => Promise<void>) | undefined
const clock = fakeClock('2026-03-01T08:00:00Z')
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-hl7-outage-'))
  db = openDb(join(dir, 'carepath.db'))
  outbound = createHl7Outbound({ store: sqliteStore(db.$client), now: clock.now, setTimer: clock.setTimer })
})
afterEach(async () => {
  await closeReceiver?.()
  outbound.close()
  db.$client.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a 10-minute receiver outage with 1,000 messages queued', () => {
  it('delivers all of them, in order and once each, when the receiver returns', async () => {
    const port = await freePort()
    outbound.configure(
      hl7OutSettingsSchema.parse({
        destinations: {
          lab: { host: '127.0.0.1', port, retryBackoffMs: 1000, maxBackoffMs: 60_000, waitMs: 0, ackTimeoutMs: 60_000 },
        },
      }),
    )
    const ids = Array.from({ length: COUNT }, (_, i) => `OUT${String(i + 1).padStart(5, '0')}`)
    const startedAt = clock.now().toISOString()
    for (const [i, controlId] of ids.entries()) {
      const answer = await outbound.adapter(
        {
          destination: 'lab',
          controlId,
          messageType: 'ORU^R01',
          message: `MSH|^~\\&|CAREPATH||LAB||20260301080000||ORU^R01|${controlId}|P|2.5.1\rPID|1||MRN${i + 1}\r`,
        },
        { runId: `run-${i + 1}`, nodeId: 'send', attempt: 1 },
      )
      expect(answer).toEqual({ status: 'queued' })
    }

    // Ten minutes of refused connections: each retry is a timer on the injected clock.
    let retries = 0
    while (clock.elapsedSince(startedAt) < OUTAGE_MS) {
      await waitUntil(() => clock.pending() > 0, 'the next retry to be scheduled')
      clock.fireNext()
      retries++
    }
    await waitUntil(() => clock.pending() > 0, 'the retry after the last refused attempt')
    const rows = await outbound.store.list('lab')
    expect(rows).toHaveLength(COUNT)
    expect(rows.every((row) => row.status === 'queued')).toBe(true)
    // Only the head was tried (order holds), backing off 1 s, 2 s, 4 s … up to 60 s: about 16
    // attempts in ten minutes, not thousands.
    expect(rows[0]!.attempts).toBe(retries + 1)
    expect(rows[0]!.attempts).toBeGreaterThanOrEqual(10)
    expect(rows[0]!.attempts).toBeLessThanOrEqual(20)
    expect(rows[0]!.lastError).toBe('connection refused')
    expect(rows.slice(1).every((row) => row.attempts === 0)).toBe(true)

    // The receiver returns; the next retry finds it and the queue drains in order.
    const receiver = await startReceiver(port)
    closeReceiver = receiver.close
    clock.fireNext()
    await waitUntil(
      async () => (await outbound.store.list('lab')).every((row) => row.status === 'accepted'),
      'all 1,000 delivered',
      600_000,
    )
    expect(receiver.received).toEqual(ids)
  })
})
