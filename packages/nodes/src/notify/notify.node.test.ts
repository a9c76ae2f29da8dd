import { describe, expect, it } from 'vitest'
import type { FactSchema, JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { notify } from './notify.node.ts'

const factsSchema: FactSchema = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      properties: {
        id: { type: 'string', 'x-phi': 'identifier' },
        given: { type: 'string', 'x-phi': 'demographic' },
        phone: { type: 'string', 'x-phi': 'contact' },
        email: { type: 'string', 'x-phi': 'contact' },
      },
    },
    appointment: { type: 'object', properties: { start: { type: 'string', 'x-phi': 'none' } } },
    diagnosis: { type: 'object', properties: { code: { type: 'string', 'x-phi': 'clinical' } } },
    note: { type: 'string' },
  },
}
const facts = {
  patient: { id: 'p1', given: 'Ada', phone: '+15550100', email: 'ada@example.org' },
  appointment: { start: '2025-03-02 09:00' },
  diagnosis: { code: 'F32.9' },
  note: 'x',
}

function context(answers: Record<string, JsonValue>) {
  return createFakeContext({
    facts,
    factsSchema,
    runId: 'run-1',
    nodeId: 'remind',
    now: '2025-03-01T08:00:00.000Z',
    connectors: {
      notify: async () => answers['notify'] ?? null,
      fhir: async (request) => ({
        status: 201,
        resource: { ...(request as { resource: Record<string, JsonValue> }).resource, id: 'comm-1' },
      }),
    },
  })
}

describe('notify', () => {
  it('sends an SMS with allowed fields and records a FHIR Communication', async () => {
    const config = notify.config.parse({
      channel: 'sms',
      toFrom: 'patient.phone',
      message: 'Hi {{patient.given}}, see you {{appointment.start}}.',
      patientFrom: 'patient.id',
      into: 'sent',
    })
    const ctx = context({ notify: { messageId: 'sms-7' } })
    expect(await notify.execute(ctx, config)).toEqual({
      kind: 'next',
      port: 'sent',
      set: { sent: { messageId: 'sms-7', communicationId: 'comm-1' } },
    })
    expect(ctx.calls[0]).toMatchObject({
      connector: 'notify',
      request: {
        channel: 'sms',
        to: '+15550100',
        body: 'Hi Ada, see you 2025-03-02 09:00.',
        idempotencyKey: 'run-1:remind',
      },
    })
    expect(ctx.calls[1]!.request).toMatchObject({
      op: 'create',
      resource: {
        resourceType: 'Communication',
        status: 'completed',
        sent: '2025-03-01T08:00:00.000Z',
        subject: { reference: 'Patient/p1' },
        payload: [{ contentString: 'Hi Ada, see you 2025-03-02 09:00.' }],
      },
    })
  })

  it('never puts a diagnosis in an SMS: refused at check time and at run time, before anything is sent', async () => {
    const config = notify.config.parse({
      channel: 'sms',
      toFrom: 'patient.phone',
      message: 'Your result: {{diagnosis.code}}',
    })
    expect(notify.check!(config, { factsSchema, roles: {} })).toEqual([
      {
        code: 'phi-not-allowed',
        path: 'message',
        message: '{{diagnosis.code}} is clinical data, which a sms message may not carry.',
      },
    ])
    const ctx = context({ notify: { messageId: 'x' } })
    await expect(notify.execute(ctx, config)).rejects.toThrow('clinical data')
    expect(ctx.calls).toHaveLength(0)
  })

  it('keeps the log channel free of patient data and refuses unclassified facts', () => {
    const env = { factsSchema, roles: {} }
    expect(
      notify.check!(notify.config.parse({ channel: 'log', message: 'Reminder for {{patient.given}}' }), env),
    ).toHaveLength(1)
    expect(
      notify.check!(notify.config.parse({ channel: 'log', message: 'Slot {{appointment.start}} booked' }), env),
    ).toEqual([])
    expect(
      notify.check!(notify.config.parse({ channel: 'email', toFrom: 'patient.email', message: '{{note}}' }), env)[0]!
        .message,
    ).toContain('unclassified')
    expect(
      notify.check!(notify.config.parse({ channel: 'email', toFrom: 'patient.id', message: 'x' }), env)[0]!.path,
    ).toBe('toFrom')
    expect(notify.config.safeParse({ channel: 'sms', message: 'x' }).success).toBe(false)
  })

  it('fails plainly when the channel gives no message id', async () => {
    const config = notify.config.parse({
      channel: 'email',
      toFrom: 'patient.email',
      subject: 'Reminder',
      message: 'Hello {{patient.given}}',
    })
    await expect(notify.execute(context({ notify: { ok: true } }), config)).rejects.toThrow('gave no message id')
  })
})
