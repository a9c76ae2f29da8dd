import { afterEach, describe, expect, it } from 'vitest'
import { Hl7Message } from '@medplum/core'
import { hl7Samples } from '../testing/hl7-samples.ts'
import { createHl7Intake, type AcceptResult, type Hl7Inbound } from './hl7-intake.ts'
import { createMemoryHl7Store, type Hl7MessageStore } from './hl7-store.ts'
import { sendMllp, startMllpListener, type MllpListener } from './mllp-listener.ts'
import { mllpFrame } from './mllp-framer.ts'
import { waitUntil } from '../../testing/wait-until.ts'

const samples = hl7Samples()
/**
 * Samples in enhanced acknowledgement mode (MSH-15/16 valued) and what they ask for: the ADT^A40
 * says NE/NE (no ACK at all), the two ORU^R01 say AL for the commit ACK and nothing (or NE) for
 * the application ACK. Every other sample is in original mode: one application ACK.
 */
const ENHANCED: Record<string, string[]> = {
  'msft-ADT-A40-01.hl7': [],
  'msft-ORU-R01-01.hl7': ['CA'],
  'simplehl7_oru-imm.hl7': ['CA'],
}
const expectedCodes = (file: string) => ENHANCED[file] ?? ['AA']

const msa = (ack: string) => {
  const message = Hl7Message.parse(ack)
  return {
    code: message.getSegment('MSA')!.getComponent(1, 1),
    controlId: message.getSegment('MSA')!.getComponent(2, 1),
    type: message.getSegment('MSH')!.getComponent(9, 1),
  }
}
const controlIdOf = (text: string) =>
  Hl7Message.parse(text.replace(/^\uFEFF/, '').replace(/\r?\n/g, '\r'))
    .getSegment('MSH')!
    .getComponent(10, 1)

let listener: MllpListener | undefined
afterEach(async () => {
  await listener?.close()
  listener = undefined
})

async function start(
  acceptRun: (m: Hl7Inbound) => Promise<AcceptResult>,
  store: Hl7MessageStore = createMemoryHl7Store(),
  maxFrameBytes?: number,
) {
  const intake = createHl7Intake({ store, acceptRun })
  listener = await startMllpListener({ port: 0, intake, ...(maxFrameBytes ? { maxFrameBytes } : {}) })
  return listener.port
}

describe('MLLP listener', () => {
  it('acknowledges every sample as its MSH-15/16 ask (AA, or CA), MSA-2 = its MSH-10, storing each before the ACK goes out', async () => {
    const order: string[] = []
    const memory = createMemoryHl7Store()
    const store: Hl7MessageStore = {
      async save(raw, meta, at) {
        await new Promise((r) => setTimeout(r, 5)) // a slow disk must still come first
        order.push(`stored ${meta.controlId}`)
        return memory.save(raw, meta, at)
      },
      settle: memory.settle,
    }
    const started: string[] = []
    const port = await start(async (m) => {
      started.push(m.header.type)
      return { accepted: true, runIds: [`run-${m.header.controlId}`] }
    }, store)
    const acks = await sendMllp(
      port,
      samples.map((s) => s.text),
      {
        chunks: (frame) => [frame.subarray(0, 7), frame.subarray(7)],
        acksFor: (index) => expectedCodes(samples[index]!.file).length,
      },
    )
    expect(acks.map(msa)).toEqual(
      samples.flatMap((s) =>
        expectedCodes(s.file).map((code) => ({ code, controlId: controlIdOf(s.text), type: 'ACK' })),
      ),
    )
    expect(order).toEqual(samples.map((s) => `stored ${controlIdOf(s.text)}`))
    expect(started).toHaveLength(samples.length)
    expect(memory.messages.size).toBe(samples.length)
  })

  it('answers AR for an unreadable message (keeping it) and for a refused sender/type, and AE when the store fails', async () => {
    const store = createMemoryHl7Store()
    const port = await start(
      async (m) =>
        m.header.type === 'ADT^A04' ? { accepted: true, runIds: ['r'] } : { accepted: false, reason: 'not-accepted' },
      store,
    )
    const truncated = 'MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|199912271408|CHARRIS|ADT^A04|TRUNC1'
    const [unreadable, ar] = await sendMllp(port, [truncated, 'MSH|^~\\&|LAB|F|X|Y|2025||ORU^R01|ORU77|P|2.5\rPID|1'])
    expect(msa(unreadable!)).toMatchObject({ code: 'AR', controlId: 'TRUNC1' })
    expect(unreadable).toContain('MSH-12')
    expect(msa(ar!)).toMatchObject({ code: 'AR', controlId: 'ORU77' })
    expect([...store.messages.values()].map((m) => m.settled?.ackCode)).toEqual(['AR', 'AR'])
    await listener!.close()

    const failing: Hl7MessageStore = {
      save: async () => Promise.reject(new Error('disk full')),
      settle: async () => {},
    }
    let called = false
    const port2 = await start(async () => ((called = true), { accepted: true, runIds: [] }), failing)
    const [noStore] = await sendMllp(port2, [samples[0]!.text])
    expect(msa(noStore!).code).toBe('AE')
    expect(called).toBe(false)
  })

  it('starts no second run for a resend (same sender + control id), but does for a new control id', async () => {
    let runs = 0
    const port = await start(async () => ({ accepted: true, runIds: [`run-${++runs}`] }))
    const adt = samples.find((s) => s.file === 'simplehl7_adt.hl7')!.text
    const acks = await sendMllp(port, [adt, adt, adt.replace('|1817457|', '|1817458|')])
    expect(acks.map((a) => msa(a).code)).toEqual(['AA', 'AA', 'AA'])
    expect(acks.map((a) => msa(a).controlId)).toEqual(['1817457', '1817457', '1817458'])
    expect(acks[1]).toContain('Duplicate')
    expect(runs).toBe(2)
  })

  it('looks at a resend of a refused message afresh (a flow may take it now)', async () => {
    let accepting = false
    const port = await start(async () =>
      accepting ? { accepted: true, runIds: ['r1'] } : { accepted: false, reason: 'not-accepted' },
    )
    const adt = samples.find((s) => s.file === 'simplehl7_adt.hl7')!.text
    expect(msa((await sendMllp(port, [adt]))[0]!).code).toBe('AR')
    accepting = true
    expect(msa((await sendMllp(port, [adt]))[0]!).code).toBe('AA')
  })

  it('answers frames that arrive together in one write, in order', async () => {
    const port = await start(async () => ({ accepted: true, runIds: ['r'] }))
    const [first, second] = ['msft-ADT-A04-01.hl7', 'msft-LAB-ORU-1.hl7'].map((file) =>
      samples.find((s) => s.file === file)!,
    )
    const both = Buffer.concat([mllpFrame(first!.text), mllpFrame(second!.text)])
    // One write holding two frames; the client counts two ACKs before it closes.
    const acks = await new Promise<string[]>((resolve, reject) => {
      void sendMllp(port, [both, Buffer.alloc(0)], { chunks: (frame) => (frame.length ? [frame] : []) }).then(
        resolve,
        reject,
      )
    })
    expect(acks.map((a) => msa(a).controlId)).toEqual([controlIdOf(first!.text), controlIdOf(second!.text)])
  })

  it('stores pipelined frames as they arrive, routes them one at a time in order, and knows a pipelined resend', async () => {
    const adt = (id: string) => `MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|2025||ADT^A04|${id}|P|2.5\rPID|||${id}`
    const events: string[] = []
    let routing = 0
    const memory = createMemoryHl7Store()
    const store: Hl7MessageStore = {
      ...memory,
      async save(raw, meta, at) {
        events.push(`stored ${meta.controlId}`)
        return memory.save(raw, meta, at)
      },
    }
    const port = await start(async (m) => {
      routing++
      expect(routing).toBe(1) // never two messages of a connection looked at at once
      events.push(`routed ${m.header.controlId}`)
      await new Promise((r) => setTimeout(r, 5))
      routing--
      return { accepted: true, runIds: [`run-${m.header.controlId}`] }
    }, store)
    const frames = Buffer.concat(['P1', 'P2', 'P1', 'P3'].map((id) => mllpFrame(adt(id))))
    const acks = await new Promise<string[]>((resolve, reject) => {
      void sendMllp(port, [frames, Buffer.alloc(0)], {
        chunks: (frame) => (frame.length ? [frame] : []),
        acksFor: (i) => (i === 0 ? 4 : 0),
      }).then(resolve, reject)
    })
    expect(acks.map((a) => `${msa(a).code} ${msa(a).controlId}`)).toEqual(['AA P1', 'AA P2', 'AA P1', 'AA P3'])
    // All four kept before the first was routed (one disk flush for the burst); the resend of P1 started nothing.
    expect(events.slice(0, 4)).toEqual(['stored P1', 'stored P2', 'stored P1', 'stored P3'])
    expect(events.slice(4)).toEqual(['routed P1', 'routed P2', 'routed P3'])
  })

  it('looks at the next pipelined message while one commits, and acknowledges each in order only once committed', async () => {
    const adt = (id: string) => `MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|2025||ADT^A04|${id}|P|2.5\rPID|||${id}`
    const events: string[] = []
    const commits = new Map<string, { resolve: () => void; reject: (error: Error) => void }>()
    const store = createMemoryHl7Store()
    const port = await start(async (m) => {
      const id = m.header.controlId
      events.push(`routed ${id}`)
      const committed = new Promise<void>((resolve, reject) => commits.set(id, { resolve, reject }))
      return { accepted: true, runIds: [`run-${id}`], committed }
    }, store)
    const frames = Buffer.concat(['C1', 'C2', 'C3'].map((id) => mllpFrame(adt(id))))
    const acked: string[] = []
    const done = sendMllp(port, [frames, Buffer.alloc(0)], {
      chunks: (frame) => (frame.length ? [frame] : []),
      acksFor: (i) => (i === 0 ? 3 : 0),
    }).then((acks) => acked.push(...acks))
    // All three routed while none is committed: their runs can share one transaction.
    await waitUntil(() => commits.size === 3, 'all three messages routed')
    expect(events).toEqual(['routed C1', 'routed C2', 'routed C3'])
    // The second fails to commit (AE, for the sender to resend); the third commits before the first.
    commits.get('C3')!.resolve()
    commits.get('C2')!.reject(new Error('disk full'))
    const settled = () => [...store.messages.values()].filter((m) => m.settled).map((m) => m.settled?.ackCode)
    await waitUntil(() => settled().length === 2, 'C2 and C3 settled')
    expect(settled().sort()).toEqual(['AA', 'AE'])
    expect(acked).toEqual([]) // nothing goes out ahead of C1's ACK, and C1 is not on disk yet
    commits.get('C1')!.resolve()
    await done
    expect(acked.map((a) => `${msa(a).code} ${msa(a).controlId}`)).toEqual(['AA C1', 'AE C2', 'AA C3'])
  })

  it('closes the connection on an oversized frame without acknowledging it', async () => {
    const port = await start(async () => ({ accepted: true, runIds: ['r'] }), createMemoryHl7Store(), 256)
    const acks = await sendMllp(port, ['MSH|^~\\&|A|B|C|D|2025||ADT^A04|BIG|P|2.5\rNTE|1||' + 'x'.repeat(1000)])
    expect(acks).toEqual([])
  })
})
