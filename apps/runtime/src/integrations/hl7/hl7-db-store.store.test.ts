// The inbound HL7 store in the database, on SQLite and PostgreSQL from one suite: what one process
// keeps, another knows (a resend is a resend at any process), a message whose taker stopped before
// answering it is looked at again (on PostgreSQL by any process once its lease has run out; on
// SQLite, one process per database, by the next one at once), and no message text is stored plain.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createDataCipher } from '../../keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../../keys/key-store.ts'
import type { Store } from '../../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../../testing/test-stores.ts'
import { createDbHl7Store } from './hl7-db-store.ts'
import { createHl7Intake, reprocessPending, type AcceptResult, type Hl7Inbound } from './hl7-intake.ts'
import type { Hl7MessageStore } from './hl7-store.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const CANARY = 'QUILLONVALE'
const adt = (controlId: string) =>
  `MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|20261205100000||ADT^A04|${controlId}|P|2.5\rPID|1||MRN77||${CANARY}^JOHN\r`
const meta = (controlId: string) => ({ sender: 'EPIC^EPICADT', controlId, type: 'ADT^A04', via: 'mllp' as const })
const LEASE_MS = 60_000

describeOnEachStore('Inbound HL7 messages in the database', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  /** One runtime process's message store over `store`. */
  const storeOf = (store: Store): Hl7MessageStore => {
    const cipher = createDataCipher(store, keys, now)
    return createDbHl7Store({
      sql: store.sql,
      now,
      leaseMs: LEASE_MS,
      sealer: {
        seal: (raw, id) => cipher.seal('hl7-inbound:test', raw, `hl7-inbound|${id}`),
        open: (sealed, id) => cipher.open(sealed, `hl7-inbound|${id}`),
      },
    })
  }
  /** Every message routed, by any process: its dedupe key. */
  let started: string[]
  const acceptRun = async (message: Hl7Inbound): Promise<AcceptResult> => {
    started.push(message.dedupeKey)
    return { accepted: true, runIds: [`run-of-${message.header.controlId}`] }
  }

  beforeEach(async () => {
    opened = await backend.open('hl7-db-store')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
    started = []
  })
  afterEach(() => opened.dispose())

  it('answers a resend taken by another process as a duplicate, with the first run, and starts nothing again', async () => {
    const a = createHl7Intake({ store: storeOf(opened.store), acceptRun, now })
    const b = createHl7Intake({ store: storeOf(await opened.another()), acceptRun, now })
    expect(await a(adt('C-1'), 'mllp')).toMatchObject({ code: 'AA', duplicate: false, runIds: ['run-of-C-1'] })
    expect(await b(adt('C-1'), 'http')).toMatchObject({ code: 'AA', duplicate: true, runIds: ['run-of-C-1'] })
    expect(started).toEqual(['hl7:EPIC^EPICADT:C-1'])
    // Both copies are kept, each with its answer; neither holds the message's text.
    const rows = await opened.store.sql.all<{
      via: string
      ack_code: string
      lease_until: number | null
      sealed: string
    }>('SELECT via, ack_code, lease_until, sealed FROM hl7_messages ORDER BY via DESC')
    expect(rows.map(({ via, ack_code, lease_until }) => [via, ack_code, lease_until])).toEqual([
      ['mllp', 'AA', null],
      ['http', 'AA', null],
    ])
    for (const row of rows) expect(row.sealed).not.toContain(CANARY)
  })

  it('looks afresh at a resend of a message refused before, and keeps an accepted copy the answer', async () => {
    let refuse = true
    const picky = async (message: Hl7Inbound): Promise<AcceptResult> =>
      refuse ? { accepted: false, reason: 'not-accepted' } : acceptRun(message)
    const a = createHl7Intake({ store: storeOf(opened.store), acceptRun: picky, now })
    const b = createHl7Intake({ store: storeOf(await opened.another()), acceptRun: picky, now })
    expect((await a(adt('C-2'), 'mllp')).code).toBe('AR')
    refuse = false
    expect(await b(adt('C-2'), 'mllp')).toMatchObject({ code: 'AA', duplicate: false })
    refuse = true
    expect(await a(adt('C-2'), 'mllp')).toMatchObject({ code: 'AA', duplicate: true, runIds: ['run-of-C-2'] })
    expect(started).toEqual(['hl7:EPIC^EPICADT:C-2'])
  })

  it('looks again at a message stored but never answered, once, and never at one answered', async () => {
    const dying = storeOf(opened.store)
    await dying.save(adt('C-3'), meta('C-3'), now()) // then the process stops: no answer, no ACK
    const answered = createHl7Intake({ store: dying, acceptRun, now })
    expect((await answered(adt('C-4'), 'mllp')).code).toBe('AA')
    started = []
    const survivor = storeOf(await opened.another())
    if (backend.name === 'PostgreSQL') {
      // The taker may still be answering it: the others wait for its lease to run out.
      expect(await reprocessPending({ store: survivor, acceptRun })).toBe(0)
      clock += LEASE_MS
    }
    expect(await reprocessPending({ store: survivor, acceptRun })).toBe(1)
    expect(started).toEqual(['hl7:EPIC^EPICADT:C-3'])
    // Answered now: no later sweep, at any time, takes it again, and its resend is a duplicate.
    clock += 10 * LEASE_MS
    expect(await reprocessPending({ store: storeOf(opened.store), acceptRun })).toBe(0)
    const resend = await createHl7Intake({ store: survivor, acceptRun, now })(adt('C-3'), 'mllp')
    expect(resend).toMatchObject({ code: 'AA', duplicate: true, runIds: ['run-of-C-3'] })
    expect(started).toHaveLength(1)
  })

  it('looks again, after the lease, at a message whose runs could not start, until they do', async () => {
    let fail = true
    const flaky = async (message: Hl7Inbound): Promise<AcceptResult> =>
      fail ? { accepted: false, reason: 'failed' } : acceptRun(message)
    const store = storeOf(opened.store)
    expect((await createHl7Intake({ store, acceptRun: flaky, now })(adt('C-5'), 'mllp')).code).toBe('AE')
    clock += LEASE_MS
    expect(await reprocessPending({ store, acceptRun: flaky })).toBe(0)
    fail = false
    clock += LEASE_MS
    // Accepted on this look: the dead letter its AE left is closed with the run it started.
    const closed: { dedupeKey: string; runIds: string[] }[] = []
    const onAccepted = (accepted: { dedupeKey: string; runIds: string[] }) => void closed.push(accepted)
    expect(await reprocessPending({ store, acceptRun: flaky, onAccepted })).toBe(1)
    expect(closed).toEqual([{ dedupeKey: 'hl7:EPIC^EPICADT:C-5', runIds: ['run-of-C-5'] }])
    clock += LEASE_MS
    expect(await reprocessPending({ store, acceptRun: flaky, onAccepted })).toBe(0)
    expect(started).toEqual(['hl7:EPIC^EPICADT:C-5'])
    expect(closed).toHaveLength(1)
  })

  if (backend.name === 'PostgreSQL')
    it('gives each unanswered message to one of two processes sweeping at the same moment', async () => {
      const dying = storeOf(opened.store)
      // The first makes the data key; the other 29 arrive in one burst, kept in one statement.
      await dying.save(adt('S-0'), meta('S-0'), now())
      await Promise.all(Array.from({ length: 29 }, (_, i) => dying.save(adt(`S-${i + 1}`), meta(`S-${i + 1}`), now())))
      clock += LEASE_MS
      const [a, b] = [storeOf(opened.store), storeOf(await opened.another())]
      const [fromA, fromB] = await Promise.all([a.pending!(), b.pending!()])
      const taken = [...fromA, ...fromB].map((message) => message.meta.controlId).sort()
      expect(taken).toEqual(Array.from({ length: 30 }, (_, i) => `S-${i}`).sort())
      expect(fromA[0]?.raw ?? fromB[0]?.raw).toContain(CANARY)
    })
})
