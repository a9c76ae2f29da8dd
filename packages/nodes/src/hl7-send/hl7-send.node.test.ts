import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { escapeHl7 } from './hl7-build.ts'
import { hl7Send } from './hl7-send.node.ts'

const config = hl7Send.config.parse({
  destination: 'lab',
  messageType: 'ORU^R01',
  receivingApplication: 'LIS',
  segments: [
    {
      segment: 'PID',
      fields: {
        '1': '1',
        '3.1': { $fact: 'patient.mrn' },
        '5.1': { $fact: 'patient.family' },
        '5.2': { $fact: 'patient.given' },
      },
    },
    { segment: 'OBR', fields: { '1': '1', '4.1': '24323-8' } },
    {
      segment: 'OBX',
      forEach: 'results',
      fields: { '1': { $index: true }, '3.1': { $item: 'code' }, '5': { $item: 'value' } },
    },
  ],
  controlIdInto: 'sent.controlId',
  ackInto: 'sent.ack',
})
const facts = {
  patient: { mrn: 'M1', family: 'O|Brien^Jr', given: 'Ann&Bo' },
  results: [
    { code: '2345-7', value: 98 },
    { code: '718-7', value: 'line1\nline2' },
  ],
}

describe('hl7.send', () => {
  it('builds the message from facts with every delimiter escaped and a control id that depends only on run, node and content', async () => {
    const answer = { status: 'accepted', ack: { code: 'AA' } }
    const ctx = createFakeContext({
      facts,
      runId: 'r1',
      nodeId: 'send',
      now: '2025-03-01T09:30:05.000Z',
      connectors: { 'hl7-out': async () => answer },
    })
    const outcome = await hl7Send.execute(ctx, config)
    const request = ctx.calls[0]!.request as { controlId: string; message: string }
    expect(request.message.split('\r')).toEqual([
      `MSH|^~\\&|CAREPATH||LIS||20250301093005+0000||ORU^R01^ORU_R01|${request.controlId}|P|2.5.1`,
      'PID|1||M1||O\\F\\Brien\\S\\Jr^Ann\\T\\Bo',
      'OBR|1|||24323-8',
      'OBX|1||2345-7||98',
      'OBX|2||718-7||line1\\X0A\\line2',
      '',
    ])
    expect(request.controlId).toMatch(/^CP[0-9A-F]{18}$/)
    expect(outcome).toEqual({
      kind: 'next',
      port: 'accepted',
      set: { 'sent.controlId': request.controlId, 'sent.ack': { code: 'AA' } },
    })

    const again = createFakeContext({
      facts,
      runId: 'r1',
      nodeId: 'send',
      now: '2025-03-02T00:00:00.000Z',
      connectors: { 'hl7-out': async () => answer },
    })
    await hl7Send.execute(again, config)
    expect((again.calls[0]!.request as { controlId: string }).controlId).toBe(request.controlId)
    const otherRun = createFakeContext({
      facts,
      runId: 'r2',
      nodeId: 'send',
      connectors: { 'hl7-out': async () => answer },
    })
    await hl7Send.execute(otherRun, config)
    expect((otherRun.calls[0]!.request as { controlId: string }).controlId).not.toBe(request.controlId)
  })

  it('routes queued and rejected answers, and refuses an object where a field value goes', async () => {
    const queued = createFakeContext({ facts, connectors: { 'hl7-out': async () => ({ status: 'queued' }) } })
    expect(await hl7Send.execute(queued, config)).toMatchObject({ port: 'queued' })
    const bad = createFakeContext({ facts: { ...facts, patient: { mrn: { x: 1 } } }, connectors: {} })
    await expect(hl7Send.execute(bad, config)).rejects.toThrow('The fact patient.mrn is not a single value.')
    expect(escapeHl7('a\\b')).toBe('a\\E\\b')
  })
})
