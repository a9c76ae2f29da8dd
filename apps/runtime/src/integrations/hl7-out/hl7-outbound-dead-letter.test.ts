// A message the receiver refuses (AR) after its node stopped waiting (the run went on by
// `queued`) has no port to take: the runtime keeps it as a dead letter for the operators, sealed
// at rest, and reprocessing it puts it back in its destination's queue, which delivers it.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Principal } from '../../auth/auth.service.ts'
import { isSealed } from '../../keys/data-cipher.ts'
import { reprocessDeadLetters } from '../../operations/dead-letter-reprocess.ts'
import { createRuntime, type Runtime } from '../../runtime.ts'
import { waitUntil } from '../../testing/wait-until.ts'
import { mllpFrame, MllpFramer } from '../hl7/mllp-framer.ts'

/** A receiver that answers with the code `answer` gives now. */
async function startReceiver(answer: () => 'AA' | 'AR') {
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
        const code = answer()
        socket.write(
          mllpFrame(
            `MSH|^~\\&|LAB||CAREPATH||20260301000000||ACK|K${received.length}|P|2.5.1\rMSA|${code}|${controlId}|${code === 'AR' ? 'unknown patient' : ''}\r`,
          ),
        )
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  const port = address !== null && typeof address === 'object' ? address.port : 0
  return {
    received,
    port,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => done())
      }),
  }
}

let dir: string
let runtime: Runtime
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-hl7-out-dl-'))
  runtime = await createRuntime({ dataDir: dir })
})
afterEach(async () => {
  await runtime.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('an outbound message refused after its node stopped waiting', () => {
  it('becomes a dead letter, and reprocessing it sends it again', async () => {
    let code: 'AA' | 'AR' = 'AR'
    const receiver = await startReceiver(() => code)
    try {
      await runtime.integrations.set(
        { hl7out: { destinations: { lab: { host: '127.0.0.1', port: receiver.port, waitMs: 0 } } } },
        { who: 'test', role: 'system' },
      )
      const answer = await runtime.hl7Outbound.adapter(
        {
          destination: 'lab',
          controlId: 'LATE1',
          messageType: 'ORU^R01',
          message: 'MSH|^~\\&|CAREPATH||LAB||20260301||ORU^R01|LATE1|P|2.5.1\rPID|1||CANARY-MRN-5531\r',
        },
        { runId: 'run-1', nodeId: 'send', attempt: 1 },
      )
      expect(answer).toEqual({ status: 'queued' })
      await waitUntil(async () => (await runtime.deadLetters.count({ source: 'hl7-out' })) === 1, 'the dead letter')
      const [letter] = await runtime.deadLetters.list({ source: 'hl7-out' }, 10)
      expect(letter).toMatchObject({
        controlId: 'LATE1',
        sender: 'lab',
        reasonCode: 'rejected',
        messageType: 'ORU^R01',
      })
      expect(letter!.reason).toBe('The receiver lab refused the message (AR).')
      const stored = runtime.db.$client
        .prepare<[], { payload: string }>("SELECT payload FROM dead_letters WHERE source = 'hl7-out'")
        .get()
      expect(isSealed(stored!.payload)).toBe(true)

      code = 'AA'
      const operator: Principal = { userId: 'u-op', username: 'operator', role: 'operator', flowRoles: [] }
      const [result] = await reprocessDeadLetters(runtime, [letter!.id], operator)
      expect(result).toMatchObject({ ok: true, outcome: 'started' })
      await waitUntil(
        async () => (await runtime.hl7Outbound.store.get('lab', 'LATE1'))?.status === 'accepted',
        'the resend accepted',
      )
      expect(receiver.received).toEqual(['LATE1', 'LATE1'])
      expect(await runtime.deadLetters.count({ source: 'hl7-out' })).toBe(0)
    } finally {
      await receiver.close()
    }
  })
})
