import { describe, expect, it } from 'vitest'
import { NodeError } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { hl7TriggerAccepts, triggerHl7 } from './trigger-hl7.node.ts'

const raw =
  'MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|199912271408|CHARRIS|ADT^A04|1817457|D|2.5\rPID||0493575^^^2^ID 1|454721||DOE^JOHN'

describe('trigger.hl7', () => {
  it('matches senders (application, optionally ^facility) and types (with * for any event)', () => {
    const config = triggerHl7.config.parse({ senders: ['EPIC^EPICADT', 'LAB'], messageTypes: ['ADT^A04', 'ORU^*'] })
    const message = (app: string, fac: string, type: string) => ({
      sendingApplication: app,
      sendingFacility: fac,
      type,
    })
    expect(hl7TriggerAccepts(config, message('EPIC', 'EPICADT', 'ADT^A04'))).toBe(true)
    expect(hl7TriggerAccepts(config, message('EPIC', 'OTHER', 'ADT^A04'))).toBe(false)
    expect(hl7TriggerAccepts(config, message('LAB', 'ANY', 'ORU^R01'))).toBe(true)
    expect(hl7TriggerAccepts(config, message('EPIC', 'EPICADT', 'ADT^A08'))).toBe(false)
    expect(hl7TriggerAccepts(triggerHl7.config.parse({ messageTypes: ['ADT'] }), message('X', '', 'ADT^A40'))).toBe(
      true,
    )
  })

  it('parses the raw message from the run input into the facts', async () => {
    const ctx = createFakeContext({ facts: { inbound: { raw } } })
    const outcome = await triggerHl7.execute(ctx, triggerHl7.config.parse({ messageTypes: ['ADT^A04'] }))
    expect(outcome).toMatchObject({
      kind: 'next',
      port: 'next',
      set: { message: { type: 'ADT^A04', summary: { patient: { family: 'DOE' } } } },
    })
  })

  it('refuses a message type the flow does not accept', async () => {
    const ctx = createFakeContext({ facts: { inbound: { raw } } })
    await expect(async () =>
      triggerHl7.execute(ctx, triggerHl7.config.parse({ messageTypes: ['SIU^S12'] })),
    ).rejects.toThrow(NodeError)
  })

  it('rejects malformed config', () => {
    expect(triggerHl7.config.safeParse({ messageTypes: [] }).success).toBe(false)
    expect(triggerHl7.config.safeParse({ messageTypes: ['adt-a04'] }).success).toBe(false)
    expect(triggerHl7.config.safeParse({ messageTypes: ['ADT^A04'], senders: ['A|B'] }).success).toBe(false)
  })
})
