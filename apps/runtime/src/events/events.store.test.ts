// Messages for waiting runs kept in the database, on SQLite and PostgreSQL from one suite: a
// message is stored once, matched to the runs that wait for it, and given to a run once, however
// many processes deliver or sweep it at the same moment.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createStoreAuditRecorder } from '../audit/audit-recorder.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { DeadLetterInput } from '../operations/dead-letters.service.ts'
import type { RunEvent } from '@carepath/engine'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { correlationRef } from './correlation-ref.ts'
import { createEventsService, type EventRuns, type InboundMessage } from './events.service.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const SECRET = 'reference-secret'
const HOUR = 3_600_000

describeOnEachStore('inbound events on the store', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  /** Every step a process committed for a run: (run id, message id). */
  let committed: { runId: string; messageId: string }[]
  let letters: DeadLetterInput[]

  /**
   * One runtime process: the events service over `store`, with a stand-in for the runs service
   * that commits the delivery's work in a store transaction, as the run's step would. Each process
   * sees only the steps it wrote itself (what it read of the run's log before another committed).
   */
  const processOn = (store: Store) => {
    const own: { runId: string; messageId: string }[] = []
    const runs = {
      store: {
        events: async (runId: string): Promise<RunEvent[]> =>
          own
            .filter((step) => step.runId === runId)
            .map((step, seq) => ({
              seq,
              at: now().toISOString(),
              type: 'event.received',
              data: { name: 'lab.ready', key: '', messageId: step.messageId, payload: null },
            })),
      },
      async resume(runId, signal, _actor, work) {
        await store.transaction(async () => {
          await work()
        })
        own.push({ runId, messageId: signal.messageId })
        committed.push({ runId, messageId: signal.messageId })
      },
    } satisfies EventRuns
    return createEventsService({
      store,
      audit: createStoreAuditRecorder(store, keys, now),
      now,
      runs,
      referenceSecret: SECRET,
      retentionMs: HOUR,
      deadLetters: {
        record: (input) => void letters.push(input),
        acceptedLater: () => {},
      },
    })
  }
  const waitFor = (store: Store, runId: string, name: string, key: string) =>
    store.sql.run('INSERT INTO event_waits (run_id, name, key, node_id, since) VALUES (?, ?, ?, ?, ?)', [
      runId,
      name,
      correlationRef(SECRET, key),
      'wait',
      now().toISOString(),
    ])
  const reply = (messageId: string, key = 'appt-1'): InboundMessage => ({
    name: 'sms.reply',
    key,
    messageId,
    payload: { answer: 'C' },
    source: 'api',
  })

  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  beforeEach(async () => {
    opened = await backend.open('events')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
    committed = []
    letters = []
    a = processOn(opened.store)
    b = processOn(await opened.another())
  })
  afterEach(() => opened.dispose())

  it('keeps a message no run waits for, and gives it to the run that starts waiting for it', async () => {
    expect(await a.deliver(reply('sms-1'))).toMatchObject({ status: 'pending', runIds: [], duplicate: false })
    expect(await b.messages('pending')).toEqual([expect.objectContaining({ messageId: 'sms-1', source: 'api' })])
    // A resend with the same id, at the other process: answered from the store.
    expect(await b.deliver(reply('sms-1'))).toMatchObject({ status: 'pending', duplicate: true })
    await expect(b.deliver(reply('sms-1', 'appt-2'))).rejects.toMatchObject({ code: 'conflict' })

    await waitFor(opened.store, 'run-1', 'sms.reply', 'appt-1')
    await waitFor(opened.store, 'run-2', 'sms.reply', 'appt-2')
    expect(await b.sweep()).toEqual({ delivered: 1, expired: 0 })
    expect(committed).toEqual([{ runId: 'run-1', messageId: 'sms-1' }])
    expect(await a.messages('delivered')).toEqual([expect.objectContaining({ messageId: 'sms-1', runIds: ['run-1'] })])
    expect(await a.sweep()).toEqual({ delivered: 0, expired: 0 })
  })

  it('delivers a message once when two processes are handed it at the same moment', async () => {
    await waitFor(opened.store, 'run-1', 'sms.reply', 'appt-1')
    await waitFor(opened.store, 'run-2', 'sms.reply', 'appt-1')
    const answers = await Promise.all([a.deliver(reply('sms-1')), b.deliver(reply('sms-1'))])
    expect(answers.filter((answer) => answer.duplicate)).toHaveLength(1)
    expect(committed.map((step) => step.runId).sort()).toEqual(['run-1', 'run-2'])
    expect(await a.messages('delivered')).toEqual([
      expect.objectContaining({ messageId: 'sms-1', runIds: expect.arrayContaining(['run-1', 'run-2']) }),
    ])
  })

  it('gives a pending message to a run once when two processes sweep it at the same moment', async () => {
    await a.deliver(reply('sms-1'))
    await waitFor(opened.store, 'run-1', 'sms.reply', 'appt-1')
    const swept = await Promise.all([a.sweep(), b.sweep()])
    expect(swept.reduce((sum, s) => sum + s.delivered, 0)).toBe(1)
    expect(committed).toEqual([{ runId: 'run-1', messageId: 'sms-1' }])
    expect(await b.messages('delivered')).toEqual([expect.objectContaining({ runIds: ['run-1'] })])
  })

  it('expires an unmatched message once, into one dead letter, and redelivers it when asked', async () => {
    await a.deliver(reply('sms-1'))
    clock += 2 * HOUR
    const swept = await Promise.all([a.sweep(), b.sweep()])
    expect(swept.reduce((sum, s) => sum + s.expired, 0)).toBe(1)
    expect(letters).toEqual([
      expect.objectContaining({ source: 'event', key: 'event:sms-1', reasonCode: 'unmatched-expired' }),
    ])
    expect(JSON.parse(letters[0]!.payload)).toEqual({ name: 'sms.reply', key: 'appt-1', payload: { answer: 'C' } })

    await waitFor(opened.store, 'run-1', 'sms.reply', 'appt-1')
    expect(await b.redeliver('sms-1')).toMatchObject({ runIds: ['run-1'] })
    expect(await a.redeliver('sms-1')).toBeUndefined()
    expect(committed).toEqual([{ runId: 'run-1', messageId: 'sms-1' }])
  })
})
