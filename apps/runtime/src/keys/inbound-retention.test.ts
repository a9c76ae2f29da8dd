// Retention of inbound HL7 messages, as an admin sets it: a day of messages past the period is
// deleted and its data key shredded once every message of it has been answered; a day with one
// still to answer waits for it. Setting the period and each purge are audited; only an admin may
// set it.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createDbHl7Store, hl7InboundKeyId } from '../integrations/hl7/hl7-db-store.ts'
import { describeOnEachRuntime, sessionToken, TEST_PASSWORD, type TestRuntime } from '../testing/test-runtime.ts'

const DAY_MS = 24 * 3600_000
const adt = (controlId: string) =>
  `MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|20260301100000||ADT^A04|${controlId}|P|2.5\rPID|1||MRN5||KEEPLOW^ANN\r`
const meta = (controlId: string) => ({ sender: 'EPIC^EPICADT', controlId, type: 'ADT^A04', via: 'mllp' as const })

describeOnEachRuntime('retention of inbound HL7 messages', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await open()
  })
  afterEach(() => t.close())

  /** The runtime's inbound store, sealing under the day's key as the intake does. */
  const inboundStore = () =>
    createDbHl7Store({
      sql: t.runtime.store.sql,
      now: t.runtime.now,
      sealer: {
        seal: (raw, id) =>
          t.runtime.cipher.seal(hl7InboundKeyId(t.runtime.now().toISOString()), raw, `hl7-inbound|${id}`),
        open: (sealed, id) => t.runtime.cipher.open(sealed, `hl7-inbound|${id}`),
      },
    })
  const stored = async () =>
    (
      await t.runtime.store.sql.all<{ control_id: string }>('SELECT control_id FROM hl7_messages ORDER BY control_id')
    ).map((row) => row.control_id)

  it('deletes a day of answered messages past the period with its data key, and waits for one unanswered', async () => {
    const store = inboundStore()
    const day = t.runtime.now().toISOString().slice(0, 10)
    const accepted = await store.save(adt('R-1'), meta('R-1'), t.runtime.now())
    await store.settle(accepted.id, { ackCode: 'AA', runIds: ['run-1'] })
    const unanswered = await store.save(adt('R-2'), meta('R-2'), t.runtime.now())
    const sealed = await t.runtime.store.sql.get<{ sealed: string }>('SELECT sealed FROM hl7_messages WHERE id = ?', [
      accepted.id,
    ])

    await expect(t.as.agent.security.setInboundRetention({ days: 30 })).rejects.toThrow(/may not/)
    await expect(t.as.admin.security.setInboundRetention({ days: 0 })).rejects.toThrow()
    expect(await t.as.admin.security.setInboundRetention({ days: 30 })).toEqual({ hl7InboundDays: 30 })
    expect(await t.as.admin.security.retention()).toMatchObject({ hl7InboundDays: 30 })

    t.advance(31 * DAY_MS)
    const later = await store.save(adt('R-3'), meta('R-3'), t.runtime.now())
    await store.settle(later.id, { ackCode: 'AA', runIds: ['run-3'] })
    // R-2 is still to be answered (its taker may come back, or a sweep will): its day waits.
    expect(await t.runtime.retention.applyInbound()).toEqual([])
    await store.settle(unanswered.id, { ackCode: 'AR', reason: 'not-accepted' })
    expect(await t.runtime.retention.applyInbound()).toEqual([{ day, messages: 2 }])
    expect(await stored()).toEqual(['R-3'])
    // The day's key is shredded: a copy of a message kept anywhere can no longer be opened.
    await expect(t.runtime.cipher.open(sealed!.sealed, `hl7-inbound|${accepted.id}`)).rejects.toThrow()
    expect(await t.runtime.retention.applyInbound()).toEqual([])

    const auditor = t.caller(
      sessionToken(await t.caller().auth.login({ username: 'auditor', password: TEST_PASSWORD })),
    )
    const records = (await auditor.audit.list({ limit: 1000 })).items.map((item) => item.record)
    expect(records.filter((r) => r.action.endsWith('inbound-retention') || r.action.endsWith('inbound-purge'))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'settings.inbound-retention',
          agent: { who: 'admin', role: 'admin' },
          why: { days: 30 },
        }),
        expect.objectContaining({ action: 'retention.inbound-purge', why: { day, messages: 2 } }),
      ]),
    )
    expect((await auditor.audit.verify()).ok).toBe(true)
  })

  it('keeps every message while no period is set', async () => {
    const store = inboundStore()
    const message = await store.save(adt('K-1'), meta('K-1'), t.runtime.now())
    await store.settle(message.id, { ackCode: 'AA', runIds: [] })
    t.advance(3650 * DAY_MS)
    expect(await t.runtime.retention.applyInbound()).toEqual([])
    expect(await stored()).toEqual(['K-1'])
  })
})
