// Dead letters, end to end over a real MLLP connection: an immunization update (VXU) that no
// workflow takes is answered AR and kept as a dead letter; an operator finds it by control id,
// message type and sender; once a flow for VXU is published, reprocessing it starts exactly one
// run, and reprocessing it again, or the sender resending it, starts nothing new.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import { createTestRuntime, hl7Sample, publishFlow, sendMllp, type TestRuntime } from '@carepath/runtime/testing'
import { startRuntimeHl7Listener, type MllpListener } from '../../apps/runtime/src/integrations/index.ts'

const VXU = hl7Sample('msft-VXU-V04-01.hl7')
const msh = VXU.replace(/^\uFEFF/, '')
  .split(/\r\n|\r|\n/)[0]!
  .split('|')
const CONTROL_ID = msh[9]!
const SENDER_APP = msh[2]!

/** A flow that takes every VXU^V04 (from any sender) and ends at once. */
const vxuFlow = {
  dsl: 'carepath.flow/1',
  id: 'immunization-intake',
  version: 1,
  title: 'Immunization update received',
  facts: {
    type: 'object',
    properties: {
      inbound: {
        type: 'object',
        properties: { raw: { type: 'string', 'x-phi': 'sensitive' }, via: { type: 'string', 'x-phi': 'none' } },
      },
      message: { type: 'object', 'x-phi': 'sensitive', properties: {} },
    },
  },
  roles: {},
  start: 'received',
  nodes: {
    received: {
      type: 'trigger.hl7',
      typeVersion: 1,
      config: { senders: [], messageTypes: ['VXU^V04'], rawFrom: 'inbound.raw', into: 'message' },
      next: { next: 'filed' },
    },
    filed: { type: 'end', typeVersion: 1, config: { outcome: 'filed' }, next: {} },
  },
}

let t: TestRuntime
let listener: MllpListener
beforeAll(async () => {
  t = await createTestRuntime({ registry })
  listener = await startRuntimeHl7Listener(t.runtime, { port: 0 })
})
afterAll(async () => {
  await listener?.close()
  await t?.close()
})

const ackCode = (ack: string) => /\rMSA\|([A-Z]{2})\|/.exec(ack.replace(/\n/g, '\r'))?.[1]
const runsOfVxu = () => t.runtime.runs.store.listRuns('immunization-intake', 100)

describe('dead letters', () => {
  it('an HL7 message refused for an unknown type is a dead letter, found by control id, type and sender', async () => {
    const [ack] = await sendMllp(listener.port, [VXU])
    expect(ackCode(ack!)).toBe('AR')
    const { total, deadLetters } = await t.as.operator.deadLetters.list({})
    expect(total).toBe(1)
    expect(deadLetters[0]).toMatchObject({
      source: 'hl7-mllp',
      controlId: CONTROL_ID,
      messageType: 'VXU^V04',
      reasonCode: 'not-accepted',
      status: 'open',
      deliveries: 1,
    })
    expect(deadLetters[0]!.reason).toMatch(/No workflow here starts on VXU\^V04 messages/)
    expect(deadLetters[0]).not.toHaveProperty('payload')
    for (const filter of [{ controlId: CONTROL_ID }, { messageType: 'VXU' }, { sender: SENDER_APP.slice(0, 4) }]) {
      expect((await t.as.operator.deadLetters.list({ filter })).total).toBe(1)
    }
    expect((await t.as.operator.deadLetters.list({ filter: { messageType: 'ADT' } })).total).toBe(0)
    expect(
      (await t.as.operator.deadLetters.list({ filter: { receivedAfter: '2099-01-01T00:00:00.000Z' } })).total,
    ).toBe(0)
    // A resend while nothing takes it is the same letter, delivered twice.
    await sendMllp(listener.port, [VXU])
    expect((await t.as.operator.deadLetters.list({})).deadLetters[0]?.deliveries).toBe(2)
    await expect(t.as.agent.deadLetters.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('reprocessing before any flow takes it is refused and changes nothing', async () => {
    const [letter] = (await t.as.operator.deadLetters.list({})).deadLetters
    const { results } = await t.as.operator.deadLetters.reprocess({ ids: [letter!.id] })
    expect(results).toEqual([{ id: letter!.id, ok: false, outcome: 'refused', error: expect.stringMatching(/VXU/) }])
    expect((await t.as.operator.deadLetters.list({})).total).toBe(1)
  })

  it('after a flow for it is published, it reprocesses into exactly one run, however often it is retried', async () => {
    await publishFlow(t, vxuFlow)
    const [letter] = (await t.as.operator.deadLetters.list({})).deadLetters
    const first = await t.as.operator.deadLetters.reprocess({ ids: [letter!.id] })
    expect(first.results).toEqual([{ id: letter!.id, ok: true, outcome: 'started', runIds: [expect.any(String)] }])
    const runId = first.results[0]!.runIds![0]!
    expect((await runsOfVxu()).map((r) => [r.id, r.status, r.outcome])).toEqual([[runId, 'completed', 'filed']])

    const again = await t.as.operator.deadLetters.reprocess({ ids: [letter!.id, letter!.id] })
    expect(again.results).toEqual([{ id: letter!.id, ok: true, outcome: 'already-started', runIds: [runId] }])
    // The sender resends it: AA with the same run, and still one run.
    const [ack] = await sendMllp(listener.port, [VXU])
    expect(ackCode(ack!)).toBe('AA')
    expect(await runsOfVxu()).toHaveLength(1)

    expect((await t.as.operator.deadLetters.list({})).total).toBe(0)
    const [done] = (await t.as.operator.deadLetters.list({ filter: { status: 'reprocessed' } })).deadLetters
    expect(done).toMatchObject({ runIds: [runId], reprocessedBy: 'operator' })
    const audit = await t.as.auditor.audit.list({ limit: 1000 })
    const reprocesses = audit.items.filter((i) => i.record.action === 'dead-letter.reprocess').map((i) => i.record.why)
    expect(reprocesses).toEqual([
      expect.objectContaining({ outcome: 'refused', controlId: CONTROL_ID }),
      expect.objectContaining({ outcome: 'started', runIds: [runId] }),
      expect.objectContaining({ outcome: 'already-started', runIds: [runId] }),
    ])
  })

  it('bulk reprocess confirms the count first', async () => {
    await expect(t.as.operator.deadLetters.bulkReprocess({ filter: {}, expectedCount: 1 })).rejects.toThrow(
      /0 dead letters match now, not 1/,
    )
  })
})
