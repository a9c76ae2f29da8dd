// The reminders example as it runs in the runtime: the reminder goes out, the run waits for the
// patient's SMS reply, and a reply "C" delivered by the API (or over REST by the SMS gateway)
// wakes exactly that appointment's run, once, however often it is sent.
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import type { JsonValue } from '@carepath/dsl'
import {
  createTestRuntime,
  publishFlow,
  sessionToken,
  TEST_PASSWORD,
  type TestRuntime,
} from '../testing/test-runtime.ts'

const { registry } = composeCatalog([builtinPlugin])
const flow = JSON.parse(
  readFileSync(new URL('../../../../examples/reminders-no-show-rebook.flow.json', import.meta.url), 'utf8'),
) as object
const HOUR = 3_600_000

function reminderFor(appointmentId: string): { [key: string]: JsonValue } {
  return {
    event: { type: 'reminder-due' },
    appointment: { id: appointmentId, start: '2026-03-03T09:30:00-06:00', location: 'Building 2', hoursUntil: 24 },
    patient: { mrn: 'PAT-1', firstName: 'Adam', phone: '555-0199', smsConsent: true, optedOut: false, localHour: 10 },
  }
}

describe('runs that wait for a reply', () => {
  let t: TestRuntime
  let texts: JsonValue[]
  beforeEach(async () => {
    texts = []
    t = await createTestRuntime({
      registry,
      connectors: {
        notify: async (request) => {
          texts.push(request)
          return { messageId: `sms-${texts.length}` }
        },
        // The reminder is recorded as a FHIR Communication.
        fhir: async () => ({ status: 201, resource: { resourceType: 'Communication', id: 'comm-1' } }),
      },
    })
    await publishFlow(t, flow)
  })
  afterEach(() => t.close())

  const start = (appointmentId: string) =>
    t.as.agent.runs.start({
      flowId: 'reminders-no-show-rebook',
      input: reminderFor(appointmentId),
      idempotencyKey: `reminder-${appointmentId}`,
    })
  const reply = (appointmentId: string, answer: string, messageId: string) =>
    t.as.developer.events.deliver({ name: 'sms.reply', key: appointmentId, messageId, payload: { answer } })

  it('resumes the waiting run on the patient’s reply "C", and only that appointment’s run', async () => {
    const mine = await start('APT-1')
    const other = await start('APT-2')
    expect(await t.as.agent.runs.get({ id: mine.id })).toMatchObject({ status: 'waiting', outcome: null })
    expect(texts).toHaveLength(2)

    const delivered = await reply('APT-1', 'C', 'gateway-1')
    expect(delivered).toMatchObject({ status: 'delivered', runIds: [mine.id], duplicate: false })
    expect(await t.as.agent.runs.get({ id: mine.id })).toMatchObject({ status: 'completed', outcome: 'confirmed' })
    expect(await t.as.agent.runs.get({ id: other.id })).toMatchObject({ status: 'waiting' })

    // The gateway resends the same reply: nothing happens twice.
    expect(await reply('APT-1', 'C', 'gateway-1')).toMatchObject({ status: 'delivered', duplicate: true })
    const received = (await t.runtime.runs.store.events(mine.id)).filter((e) => e.type === 'event.received')
    expect(received).toHaveLength(1)
    expect((await t.runtime.audit.list({ limit: 500 })).items.map((i) => i.record.action)).toContain('event.deliver')
  })

  it('keeps a reply that comes before the run waits, and gives it to the run when it does', async () => {
    // The reply races ahead of the run (the SMS gateway is faster than the reminder's step, say).
    expect(await reply('APT-3', 'X', 'gateway-2')).toMatchObject({ status: 'pending', runIds: [] })
    const run = await start('APT-3')
    expect(run.status).toBe('waiting')
    expect(await t.runtime.events.sweep()).toEqual({ delivered: 1, expired: 0 })
    expect(await t.as.agent.runs.get({ id: run.id })).toMatchObject({ status: 'completed', outcome: 'slot-released' })
    expect(await t.as.developer.events.list({ status: 'delivered' })).toEqual([
      expect.objectContaining({ messageId: 'gateway-2', runIds: [run.id] }),
    ])
  })

  it('a reply that matches no run expires after a day into the dead letters', async () => {
    await reply('APT-404', 'C', 'gateway-3')
    t.advance(23 * HOUR)
    expect(await t.runtime.events.sweep()).toEqual({ delivered: 0, expired: 0 })
    t.advance(HOUR)
    expect(await t.runtime.events.sweep()).toEqual({ delivered: 0, expired: 1 })
    // Sessions end after 12 hours; the service answers what events.list answers.
    const dead = await t.runtime.events.messages('expired')
    expect(dead).toEqual([expect.objectContaining({ messageId: 'gateway-3', name: 'sms.reply', source: 'api' })])
    // Neither the key (an appointment id) nor the payload is listed.
    expect(JSON.stringify(dead)).not.toContain('APT-404')
  })

  it('an expired reply shows in the operations dead letters, and reprocessing gives it to the run that now waits', async () => {
    await reply('APT-8', 'C', 'gateway-6')
    t.advance(24 * HOUR)
    expect(await t.runtime.events.sweep()).toEqual({ delivered: 0, expired: 1 })
    // Sessions end after 12 hours: the operator logs in afresh.
    const operator = t.caller(sessionToken(await t.runtime.auth.login('operator', TEST_PASSWORD)))
    const agent = t.caller(sessionToken(await t.runtime.auth.login('agent', TEST_PASSWORD)))
    const listed = await operator.deadLetters.list({ filter: { status: 'open', source: 'event' } })
    expect(listed.total).toBe(1)
    const [letter] = listed.deadLetters
    expect(letter).toMatchObject({
      source: 'event',
      controlId: 'gateway-6',
      messageType: 'event:sms.reply',
      sender: 'api',
      reasonCode: 'unmatched-expired',
      reason: 'No run waited for this "sms.reply" message with its key within 24 hours.',
    })
    // The letter lists neither the key nor the reply; its stored payload is sealed.
    expect(JSON.stringify(listed)).not.toContain('APT-8')
    const stored = t.runtime.db.$client.prepare('SELECT payload FROM dead_letters').all()
    expect(JSON.stringify(stored)).not.toContain('APT-8')

    // Nobody waits yet: reprocessing keeps it for runs again and the letter stays open with why.
    const early = await operator.deadLetters.reprocess({ ids: [letter!.id] })
    expect(early.results[0]).toMatchObject({ ok: false, outcome: 'refused' })
    expect(early.results[0]!.error).toMatch(/^No run waits for it yet; it is kept for runs again until /)
    expect(await t.runtime.events.sweep()).toEqual({ delivered: 0, expired: 0 })

    // The appointment's reminder run reaches its wait; the kept reply wakes it and closes the letter.
    const run = await agent.runs.start({
      flowId: 'reminders-no-show-rebook',
      input: reminderFor('APT-8'),
      idempotencyKey: 'reminder-APT-8',
    })
    expect(await t.runtime.events.sweep()).toEqual({ delivered: 1, expired: 0 })
    expect(await t.runtime.runs.store.runById(run.id)).toMatchObject({ status: 'completed', outcome: 'confirmed' })
    expect(
      (await operator.deadLetters.list({ filter: { status: 'reprocessed', source: 'event' } })).deadLetters,
    ).toEqual([expect.objectContaining({ id: letter!.id, runIds: [run.id] })])
  })

  it('without a reply in two days, the run leaves by timeout: the reminder stands', async () => {
    const run = await start('APT-5')
    t.advance(48 * HOUR)
    expect(await t.runtime.runs.fireDueTimers()).toBe(1)
    expect(await t.runtime.runs.store.runById(run.id)).toMatchObject({ status: 'completed', outcome: 'reminder-sent' })
    // A reply after that is kept, matches nothing, and wakes nothing (sessions end after 12 hours: the service directly).
    const late = {
      name: 'sms.reply',
      key: 'APT-5',
      messageId: 'gateway-4',
      payload: { answer: 'C' },
      source: 'api',
    } as const
    expect(await t.runtime.events.deliver(late)).toMatchObject({ status: 'pending' })
  })

  it('refuses a message id reused for another message', async () => {
    await reply('APT-6', 'C', 'gateway-5')
    const refused = await reply('APT-7', 'C', 'gateway-5').catch((e: unknown) => e)
    expect((refused as TRPCError).code).toBe('CONFLICT')
  })
})
