// kill -9 in the middle of hl7.send's deliveries: a runtime with messages queued for two
// receivers is killed while each receiver holds the ACK of one message. After a restart every
// message is acknowledged exactly once, in order per destination. The receivers dedupe nothing:
// they count by MSH-10. The one message in flight per destination at the kill reached its
// receiver but was never acknowledged, so it is sent again; that is MLLP's contract (the sender
// resends until it has the ACK) and the receiver acknowledges it once, on the resend.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { waitUntil } from '@carepath/runtime/testing'
import { mllpFrame, MllpFramer } from '../../apps/runtime/src/integrations/hl7/mllp-framer.ts'
import { killHard, startChild } from './crash-harness.ts'

const child = join(import.meta.dirname, 'integrations-hl7-out-crash-child.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'carepath-hl7-out-crash-'))
const running: ChildProcess[] = []
const COUNT = 12

/** An MLLP receiver that ACKs AA, except that it holds the ACK of its `holdAt`-th frame. */
async function startReceiver(holdAt: number) {
  const state: {
    holdAt: number | undefined
    /** Every frame's MSH-10, in arrival order (resends included). */
    received: string[]
    /** MSH-10s acknowledged, in order. */
    acknowledged: string[]
    held: boolean
  } = { holdAt, received: [], acknowledged: [], held: false }
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const framer = new MllpFramer()
    socket.on('data', (chunk: Buffer) => {
      for (const event of framer.push(chunk)) {
        if (event.kind !== 'frame') continue
        const controlId = event.payload.toString('utf8').split('\r')[0]!.split('|')[9]!
        state.received.push(controlId)
        if (state.received.length === state.holdAt) {
          state.held = true // never answered: the sender is killed while it waits
          continue
        }
        socket.write(
          mllpFrame(
            `MSH|^~\\&|LAB||CAREPATH||20260301000000||ACK|K${state.received.length}|P|2.5.1\rMSA|AA|${controlId}\r`,
          ),
        )
        state.acknowledged.push(controlId)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  const port = address !== null && typeof address === 'object' ? address.port : 0
  return {
    state,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

const closers: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const proc of running) await killHard(proc)
  for (const close of closers) await close()
  rmSync(dataDir, { recursive: true, force: true })
})

const expected = (name: string) => Array.from({ length: COUNT }, (_, i) => `${name}-${String(i + 1).padStart(4, '0')}`)

describe('kill -9 during HL7 deliveries', () => {
  it('delivers every queued message exactly once, in order per destination, after a restart', async () => {
    const a = await startReceiver(3)
    const b = await startReceiver(5)
    closers.push(a.close, b.close)
    const first = await startChild(child, [dataDir, 'enqueue', String(a.port), String(b.port), String(COUNT)], running)
    await waitUntil(() => a.state.held && b.state.held, 'both receivers to hold an ACK')
    await killHard(first.proc)
    expect(a.state.acknowledged).toEqual(expected('lab-a').slice(0, 2))
    expect(b.state.acknowledged).toEqual(expected('lab-b').slice(0, 4))

    a.state.holdAt = undefined
    b.state.holdAt = undefined
    await startChild(child, [dataDir, 'resume'], running)
    await waitUntil(
      () => a.state.acknowledged.length >= COUNT && b.state.acknowledged.length >= COUNT,
      'every message acknowledged after the restart',
    )
    // Exactly once and in order, counted by MSH-10 at the receiver.
    expect(a.state.acknowledged).toEqual(expected('lab-a'))
    expect(b.state.acknowledged).toEqual(expected('lab-b'))
    // What reached each receiver: every message once, and the one in flight at the kill a second time.
    const held = { a: 'lab-a-0003', b: 'lab-b-0005' }
    expect(a.state.received).toEqual([...expected('lab-a').slice(0, 3), ...expected('lab-a').slice(2)])
    expect(b.state.received).toEqual([...expected('lab-b').slice(0, 5), ...expected('lab-b').slice(4)])
    expect(a.state.received.filter((id) => id === held.a)).toHaveLength(2)
    expect(b.state.received.filter((id) => id === held.b)).toHaveLength(2)
  })
})
