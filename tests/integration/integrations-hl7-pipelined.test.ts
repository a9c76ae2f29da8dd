// A sender pipelining messages on one MLLP connection into a real runtime with the ADT
// registration example flow: the messages of one burst are routed one after another and share a
// group commit, yet each is acknowledged in order and only once its run is on disk. One malformed
// message among them is refused (AR, with its reason) and starts nothing; the others are not held
// back by it. A copy of a message pipelined behind it is a resend: acknowledged, started once.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import { createTestRuntime, publishFlow, type TestRuntime } from '@carepath/runtime/testing'
import { sendMllp, startRuntimeHl7Listener, type MllpListener } from '../../apps/runtime/src/integrations/index.ts'
import { mllpFrame } from '../../apps/runtime/src/integrations/hl7/mllp-framer.ts'

const examples = new URL('../../examples/', import.meta.url)
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, examples), 'utf8'))
const template = readFileSync(new URL('samples/hl7/simplehl7_adt.hl7', examples), 'utf8').trim().replace(/\r?\n/g, '\r')
/** The sample ADT^A04 with control id (MSH-10) `id`. */
const adt = (id: string) => template.replace('|1817457|', `|${id}|`)
const msa = (ack: string) => {
  const fields = ack
    .split('\r')
    .find((segment) => segment.startsWith('MSA|'))!
    .split('|')
  return { code: fields[1], controlId: fields[2], text: fields[3] ?? '' }
}

let t: TestRuntime
let listener: MllpListener
beforeAll(async () => {
  t = await createTestRuntime({ registry, connectors: {} })
  await publishFlow(t, readJson('hl7-entry/adt-registration-hl7.flow.json'), [
    readJson('hl7-entry/adt-registration-hl7.suite.json'),
  ])
  listener = await startRuntimeHl7Listener(t.runtime, { port: 0, dataDir: t.dir })
})
afterAll(async () => {
  await listener?.close()
  await t?.close()
})

/** Every frame in one write, as a pipelining sender's burst arrives; resolves with the ACKs. */
function pipeline(messages: string[]): Promise<string[]> {
  const burst = Buffer.concat(messages.map((m) => mllpFrame(m)))
  return sendMllp(listener.port, [burst, Buffer.alloc(0)], {
    chunks: (frame) => (frame.length ? [frame] : []),
    acksFor: (i) => (i === 0 ? messages.length : 0),
  })
}
/** The control ids of the ADT flow's runs (from their idempotency keys). */
const startedControlIds = () =>
  t.runtime.db.$client
    .prepare<[], { key: string }>('SELECT idempotency_key AS key FROM runs')
    .all()
    .map((row) => /:([^:]+):adt-registration-hl7$/.exec(row.key)?.[1])

describe('pipelined HL7 over MLLP', () => {
  it('acknowledges a burst in order, AA once each run is stored, AR for the malformed one, which starts nothing', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `PIPE${i + 1}`)
    // The 9th is garbled after its header: its third segment has no segment name.
    const messages = ids.map((id, i) => (i === 8 ? adt(id).replace('\rNK1|', '\r1K1|') : adt(id)))
    const acks = await pipeline(messages)

    expect(acks.map((ack) => `${msa(ack).code} ${msa(ack).controlId}`)).toEqual(
      ids.map((id, i) => `${i === 8 ? 'AR' : 'AA'} ${id}`),
    )
    expect(msa(acks[8]!).text).toBe('Segment 3 does not start with a segment name.')
    const started = startedControlIds()
    expect(started.filter((id) => id?.startsWith('PIPE')).sort()).toEqual(ids.filter((_, i) => i !== 8).sort())
    // Each AA names a run that is there, started and audited.
    for (const ack of acks.filter((a) => msa(a).code === 'AA')) expect(started).toContain(msa(ack).controlId)
    const letter = (await t.runtime.deadLetters.list({}, 100)).find((l) => l.controlId === 'PIPE9')
    expect(letter?.reason).toBe('Segment 3 does not start with a segment name.')
    expect((await t.runtime.audit.verify()).ok).toBe(true)
  })

  it('knows a copy pipelined behind its original for a resend: both AA, one run', async () => {
    const acks = await pipeline([adt('DUP1'), adt('DUP2'), adt('DUP1'), adt('DUP3')])
    expect(acks.map((ack) => `${msa(ack).code} ${msa(ack).controlId} ${msa(ack).text}`)).toEqual([
      'AA DUP1 Message accepted.',
      'AA DUP2 Message accepted.',
      'AA DUP1 Duplicate of a message already accepted.',
      'AA DUP3 Message accepted.',
    ])
    expect(
      startedControlIds()
        .filter((id) => id?.startsWith('DUP'))
        .sort(),
    ).toEqual(['DUP1', 'DUP2', 'DUP3'])
  })
})
