// HL7 control ids across processes, on SQLite and PostgreSQL from one suite: two runtime
// processes (each with its own intake and its own memory of messages) take the same message, by
// the same sender and control id, at the same moment or one after the other. The message for the
// waiting run is stored under a unique id made of the sender and control id, so the run gets it
// once, and the second process recognises the copy from the unique constraint.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createStoreAuditRecorder } from '../../audit/audit-recorder.ts'
import { correlationRef } from '../../events/correlation-ref.ts'
import { eventRouteSchema, hl7RouteMessages } from '../../events/event-routes.ts'
import { createEventsService, type EventRuns } from '../../events/events.service.ts'
import { generateKeyFile, keyStoreOf } from '../../keys/key-store.ts'
import type { Store } from '../../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../../testing/test-stores.ts'
import { createHl7Intake, type AcceptResult, type Hl7Inbound } from './hl7-intake.ts'
import { createMemoryHl7Store } from './hl7-store.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const SECRET = 'reference-secret'
const routes = [
  eventRouteSchema.parse({ via: 'hl7', name: 'lab.result', messageTypes: ['ORU'], keyField: 'OBR-3', payload: {} }),
]
const oru = (controlId: string) =>
  `MSH|^~\\&|LAB|HOSP|CAREPATH|HOSP|20261205100000||ORU^R01|${controlId}|P|2.5.1\rPID|1||MRN1\rOBR|1||ORD-1\r`

describeOnEachStore('HL7 control ids across processes', (backend) => {
  let opened: OpenedStore
  const now = () => new Date('2026-12-05T10:00:00.000Z')
  /** Every run step committed, by any process. */
  let committed: { runId: string; messageId: string }[]

  /** One process: its own intake and memory store, the events service over the shared database. */
  const processOn = (store: Store) => {
    const runs = {
      store: { events: async () => [] },
      async resume(runId, signal, _actor, work) {
        await store.transaction(async () => {
          await work()
        })
        committed.push({ runId, messageId: signal.messageId })
      },
    } satisfies EventRuns
    const events = createEventsService({
      store,
      audit: createStoreAuditRecorder(store, keys, now),
      now,
      runs,
      referenceSecret: SECRET,
    })
    const acceptRun = async (message: Hl7Inbound): Promise<AcceptResult> => {
      const runIds: string[] = []
      for (const event of hl7RouteMessages(routes, message))
        runIds.push(...(await events.deliver({ ...event, source: 'hl7' })).runIds)
      return { accepted: true, runIds }
    }
    return createHl7Intake({ store: createMemoryHl7Store(), acceptRun, now })
  }

  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  beforeEach(async () => {
    opened = await backend.open('hl7-control-ids')
    committed = []
    a = processOn(opened.store)
    b = processOn(await opened.another())
    await opened.store.sql.run('INSERT INTO event_waits (run_id, name, key, node_id, since) VALUES (?, ?, ?, ?, ?)', [
      'run-1',
      'lab.result',
      correlationRef(SECRET, 'ORD-1'),
      'wait',
      now().toISOString(),
    ])
  })
  afterEach(() => opened.dispose())

  it('gives a message to the waiting run once when two processes take it at the same moment', async () => {
    const answers = await Promise.all([a(oru('CTRL-1'), 'mllp'), b(oru('CTRL-1'), 'http')])
    expect(answers.map((answer) => answer.code)).toEqual(['AA', 'AA'])
    expect(committed).toEqual([{ runId: 'run-1', messageId: 'hl7:LAB^HOSP:CTRL-1:lab.result' }])
    const stored = await opened.store.sql.all<{ message_id: string }>('SELECT message_id FROM inbound_events')
    expect(stored).toEqual([{ message_id: 'hl7:LAB^HOSP:CTRL-1:lab.result' }])
  })

  it('answers a resend at the other process from the database, and starts nothing again', async () => {
    expect(await a(oru('CTRL-2'), 'mllp')).toMatchObject({ code: 'AA', runIds: ['run-1'] })
    // The other process never saw it: the unique message id tells it the copy, with its run.
    expect(await b(oru('CTRL-2'), 'mllp')).toMatchObject({ code: 'AA', runIds: ['run-1'] })
    expect(committed).toHaveLength(1)
    // Another control id from the same sender is a new message (the stand-in run still waits).
    expect(await b(oru('CTRL-3'), 'mllp')).toMatchObject({ code: 'AA', runIds: ['run-1'] })
    expect(committed.map((step) => step.messageId)).toEqual([
      'hl7:LAB^HOSP:CTRL-2:lab.result',
      'hl7:LAB^HOSP:CTRL-3:lab.result',
    ])
    expect(
      await opened.store.sql.all<{ message_id: string; status: string }>(
        'SELECT message_id, status FROM inbound_events ORDER BY message_id',
      ),
    ).toEqual([
      { message_id: 'hl7:LAB^HOSP:CTRL-2:lab.result', status: 'delivered' },
      { message_id: 'hl7:LAB^HOSP:CTRL-3:lab.result', status: 'delivered' },
    ])
  })
})
