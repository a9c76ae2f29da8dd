// Dead letters kept in the database, on SQLite and PostgreSQL from one suite: a message refused at
// one runtime process is listed at another (never with its content), its payload is sealed in the
// row and opens only where it was kept, a resend counts a delivery more, and a letter is closed once
// whichever processes reprocess it at the same time.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createDataCipher } from '../keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createDeadLetters, type DeadLetterInput } from './dead-letters.service.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const CANARY = 'MSH|^~\\&|LAB|X|||20261205||VXU^V04|42|P|2.5\rPID|1||0042^^^MRN||Canary^DeadLetter-Patient'
const refused = (over: Partial<DeadLetterInput> = {}): DeadLetterInput => ({
  source: 'hl7-http',
  key: 'hl7:LAB^X:42',
  controlId: '42',
  messageType: 'VXU^V04',
  sender: 'LAB^X',
  reasonCode: 'not-accepted',
  reason: 'No workflow here starts on VXU^V04 messages; they are not accepted.',
  payload: CANARY,
  receivedAt: '2026-12-05T10:00:00.000Z',
  ...over,
})

describeOnEachStore('dead letters on the store', (backend) => {
  let opened: OpenedStore
  // Each process seals with its own cipher over its own store, under the same keys.
  const processOn = (store: Store) => createDeadLetters(store, createDataCipher(store, keys))
  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  beforeEach(async () => {
    opened = await backend.open('dead-letters')
    a = processOn(opened.store)
    b = processOn(await opened.another())
  })
  afterEach(() => opened.dispose())

  it('keeps a refused message at one process; the other lists and finds it, never with its content', async () => {
    await a.record(refused())
    await a.record(
      refused({ source: 'hl7-mllp', key: 'hl7:ADT^Y:7', controlId: '7', messageType: 'ADT^A04', sender: 'ADT^Y' }),
    )
    await a.record(
      refused({ source: 'webhook', key: undefined, controlId: '', messageType: 'webhook:sms', sender: 'reminders' }),
    )
    const listed = await b.list({}, 10)
    expect(listed).toHaveLength(3)
    expect(JSON.stringify(listed)).not.toContain('Canary')
    expect(listed[0]).not.toHaveProperty('payload')
    expect(await b.count({})).toBe(3)
    expect(await b.count({ messageType: 'VXU' })).toBe(1)
    expect(await b.count({ messageType: 'vxu' })).toBe(1)
    expect(await b.count({ messageType: 'ADT^A04' })).toBe(1)
    expect(await b.count({ sender: 'lab' })).toBe(1)
    expect(await b.count({ source: 'webhook' })).toBe(1)
    expect(await b.count({ controlId: '42' })).toBe(1)
    expect(await b.count({ receivedAfter: '2099-01-01T00:00:00.000Z' })).toBe(0)
    const [vxu] = await b.list({ controlId: '42' }, 10)
    expect(vxu).toMatchObject({ source: 'hl7-http', sender: 'LAB^X', deliveries: 1, status: 'open', runIds: [] })
    expect(await b.idOfKey('hl7:LAB^X:42')).toBe(vxu!.id)
    expect(await b.ids({ source: 'hl7-http' }, 10)).toEqual([vxu!.id])
  })

  it('seals the payload in the row, bound to its letter: only reprocessing reads it', async () => {
    await a.record(refused())
    const id = (await a.idOfKey('hl7:LAB^X:42'))!
    const row = await opened.store.sql.get<{ payload: string }>('SELECT payload FROM dead_letters WHERE id = ?', [id])
    expect(row!.payload).not.toContain('Canary')
    expect(row!.payload.startsWith('enc1:')).toBe(true)
    expect((await b.byId(id))?.payload).toBe(CANARY)
    // A sealed payload copied onto another letter does not open there.
    await a.record(refused({ key: 'hl7:LAB^X:43', controlId: '43', payload: 'other' }))
    const other = (await a.idOfKey('hl7:LAB^X:43'))!
    await opened.store.sql.run('UPDATE dead_letters SET payload = ? WHERE id = ?', [row!.payload, other])
    await expect(b.byId(other)).rejects.toThrow()
  })

  it('counts a resend of an open letter; a resend after it was reprocessed changes nothing', async () => {
    await a.record(refused())
    await b.record(refused({ reason: 'Still not accepted.', receivedAt: '2026-12-05T11:00:00.000Z' }))
    const [letter] = await a.list({}, 10)
    expect(letter).toMatchObject({
      deliveries: 2,
      reason: 'Still not accepted.',
      receivedAt: '2026-12-05T11:00:00.000Z',
    })
    expect(await a.markReprocessed(letter!.id, ['run-1'], 'operator', '2026-12-05T12:00:00.000Z')).toBe(true)
    await b.record(refused({ receivedAt: '2026-12-05T13:00:00.000Z' }))
    expect(await a.count({})).toBe(0)
    const [done] = await b.list({ status: 'reprocessed' }, 10)
    expect(done).toMatchObject({ deliveries: 2, runIds: ['run-1'], reprocessedBy: 'operator' })
  })

  it('closes a letter once when two processes reprocess it at the same time; refusals keep it open', async () => {
    await a.record(refused())
    const id = (await a.idOfKey('hl7:LAB^X:42'))!
    await b.refusedAgain(id, 'not-accepted', 'Still no flow for VXU^V04.')
    expect((await a.list({}, 10))[0]).toMatchObject({ status: 'open', reason: 'Still no flow for VXU^V04.' })
    const closed = await Promise.all([
      a.transaction(() => a.markReprocessed(id, ['run-1'], 'operator', '2026-12-05T12:00:00.000Z')),
      b.transaction(() => b.markReprocessed(id, ['run-1'], 'operator2', '2026-12-05T12:00:00.000Z')),
    ])
    expect(closed.filter(Boolean)).toHaveLength(1)
    const [done] = await a.list({ status: 'reprocessed' }, 10)
    expect(done).toMatchObject({ runIds: ['run-1'], reprocessedAt: '2026-12-05T12:00:00.000Z' })
    // A refusal after it was closed does not reopen or rewrite it.
    await b.refusedAgain(id, 'late', 'late')
    expect((await a.list({ status: 'reprocessed' }, 10))[0]?.reason).toBe('Still no flow for VXU^V04.')
  })

  it('is closed by a later accepted delivery of the same message, at whichever process takes it', async () => {
    await a.record(refused())
    await b.acceptedLater('hl7:LAB^X:42', ['run-9'], '2026-12-05T12:00:00.000Z')
    await b.acceptedLater('hl7:LAB^X:42', ['run-10'], '2026-12-05T12:01:00.000Z')
    const [done] = await a.list({ status: 'reprocessed' }, 10)
    expect(done).toMatchObject({
      runIds: ['run-9'],
      reprocessedBy: 'sender',
      reprocessedAt: '2026-12-05T12:00:00.000Z',
    })
  })

  it('rolls the letter back with the transaction it was kept in', async () => {
    await expect(
      a.transaction(async () => {
        await a.record(refused())
        throw new Error('the caller failed')
      }),
    ).rejects.toThrow('the caller failed')
    expect(await b.count({})).toBe(0)
  })
})
