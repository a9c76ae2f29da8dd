// hl7.send's queue on SQLite and PostgreSQL from one suite: two runtime processes deliver one
// destination's queue, each message is sent once and in order, and a message claimed by a
// process that died is sent by the other once the claim's lease has run out.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { hl7OutSettingsSchema } from '@carepath/nodes'
import type { Store } from '../../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../../testing/test-stores.ts'
import { waitUntil } from '../../testing/wait-until.ts'
import { createHl7Outbound, type Hl7Outbound } from './hl7-outbound.ts'
import { createOutboxStore } from './outbox.store.ts'

const settings = hl7OutSettingsSchema.parse({
  destinations: { lab: { host: '127.0.0.1', port: 1, retryBackoffMs: 10, maxBackoffMs: 50, waitMs: 0 } },
})
const controlIdOf = (message: string) => message.split('\r')[0]!.split('|')[9]!
const ackOf = (controlId: string) => `MSH|^~\\&|LAB||CAREPATH||20260301000000||ACK|K|P|2.5.1\rMSA|AA|${controlId}\r`
const message = (controlId: string) => ({
  destination: 'lab',
  controlId,
  messageType: 'ORU^R01',
  message: `MSH|^~\\&|CAREPATH||LAB||20260301080000||ORU^R01|${controlId}|P|2.5.1\rPID|1||MRN1\r`,
})

describeOnEachStore('hl7.send queue on the store', (backend) => {
  let opened: OpenedStore
  /** Every send, by whom, in the order the receiver got them. */
  let sent: { by: string; controlId: string }[]
  const processes: Hl7Outbound[] = []
  const processOn = (store: Store, by: string, send?: (message: string) => Promise<string>, leaseMs = 2_000) => {
    const outbound = createHl7Outbound({
      store,
      now: () => new Date(),
      leaseMs,
      send: (_target, text) => {
        sent.push({ by, controlId: controlIdOf(text) })
        return send ? send(text) : Promise.resolve(ackOf(controlIdOf(text)))
      },
    })
    processes.push(outbound)
    return outbound
  }
  beforeEach(async () => {
    opened = await backend.open('outbox')
    sent = []
  })
  afterEach(async () => {
    for (const outbound of processes.splice(0)) outbound.close()
    await opened.dispose()
  })

  it('sends each queued message once, in order, when two processes deliver the same queue', async () => {
    const a = processOn(opened.store, 'a')
    const b = processOn(await opened.another(), 'b')
    const ids = Array.from({ length: 8 }, (_, i) => `M${i + 1}`)
    const queue = createOutboxStore(opened.store)
    for (const id of ids)
      await queue.enqueue(
        { ...message(id), runId: `run-${id}`, nodeId: 'send', settingsRevision: null },
        new Date().toISOString(),
      )
    a.configure(settings)
    b.configure(settings)
    await waitUntil(
      async () => (await queue.list('lab')).every((row) => row.status === 'accepted'),
      'every message accepted',
    )
    expect(sent.map((s) => s.controlId)).toEqual(ids)
    expect((await queue.list('lab')).map((row) => row.attempts)).toEqual(ids.map(() => 1))
  })

  it('lets only one process claim a message, and another take it over once the claim has lapsed', async () => {
    const queue = createOutboxStore(opened.store)
    const row = await queue.enqueue(
      { ...message('M1'), runId: 'run-1', nodeId: 'send', settingsRevision: null },
      '2026-12-05T10:00:00.000Z',
    )
    const other = createOutboxStore(await opened.another())
    const lease = '2026-12-05T10:00:10.000Z'
    const claims = await Promise.all([
      queue.claim(row.seq, row.nextAttemptAt, lease),
      other.claim(row.seq, row.nextAttemptAt, lease),
    ])
    expect(claims.filter(Boolean)).toHaveLength(1)
    // The holder renews its claim; a stale token does not.
    expect(await other.renew(row.seq, lease, '2026-12-05T10:00:20.000Z')).toBe(true)
    expect(await queue.renew(row.seq, lease, '2026-12-05T10:00:30.000Z')).toBe(false)
    // A process that died mid-send: its message is sent by another once the lease is past.
    const dead = processOn(opened.store, 'dead', () => new Promise<string>(() => {}), 300)
    dead.configure(settings)
    const queued = await dead.adapter({ ...message('M2') }, { runId: 'run-2', nodeId: 'send', attempt: 1 })
    expect(queued).toEqual({ status: 'queued' })
    await waitUntil(() => sent.length >= 1, 'the first process to start sending M1 (its lease is in the past)')
    // (M1's lease above is in 2026, long past: the dead process took M1 at once, then hangs.)
    dead.close()
    const alive = processOn(await opened.another(), 'alive', undefined, 300)
    alive.configure(settings)
    await waitUntil(
      async () => (await queue.list('lab')).every((r) => r.status === 'accepted'),
      'the other process to deliver both',
    )
    expect(sent).toEqual([
      { by: 'dead', controlId: 'M1' },
      { by: 'alive', controlId: 'M1' },
      { by: 'alive', controlId: 'M2' },
    ])
  })
})
