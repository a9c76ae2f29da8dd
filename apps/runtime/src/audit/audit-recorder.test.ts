// The audit chain appended through the store, on SQLite and PostgreSQL: several stores on one
// database stand for several runtime processes appending at once.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { auditRows, verifyChainRows } from './audit-chain.ts'
import { loggedIn } from './audit-entries.ts'
import { createStoreAuditRecorder, storeAuditPages } from './audit-recorder.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
let tick = Date.parse('2026-03-01T09:00:00.000Z')
const now = () => new Date(tick++)

describeOnEachStore('the audit chain appended through the store', (backend) => {
  let opened: OpenedStore
  let stores: Store[]
  beforeEach(async () => {
    opened = await backend.open('audit')
    stores = [opened.store, await opened.another(), await opened.another()]
  })
  afterEach(() => opened.dispose())
  const verify = () => verifyChainRows(auditRows(storeAuditPages(stores[0]!), 7), keys)

  it('stays one unbroken chain when three stores append at once', async () => {
    const perWriter = 10
    await Promise.all(
      stores.flatMap((store, p) => {
        const recorder = createStoreAuditRecorder(store, keys, now)
        // Four concurrent writers per store: twelve transactions contend for the chain at a time.
        return [0, 1, 2, 3].map(async (w) => {
          for (let i = 0; i < perWriter; i++) await recorder.record(loggedIn({ who: `p${p}w${w}`, role: 'agent' }))
        })
      }),
    )
    const seqs = await stores[1]!.sql.values('SELECT seq FROM audit_log ORDER BY seq')
    expect(seqs.flat()).toEqual(Array.from({ length: 120 }, (_, i) => i + 1))
    expect(await verify()).toMatchObject({ ok: true, checked: 120, head: { seq: 120 } })
  })

  it('records inside the caller’s transaction, and leaves no gap when it rolls back', async () => {
    const recorder = createStoreAuditRecorder(stores[0]!, keys, now)
    await recorder.record(loggedIn({ who: 'first', role: 'agent' }))
    const refused = stores[0]!.transaction(async () => {
      await recorder.record(loggedIn({ who: 'rolled-back', role: 'agent' }))
      throw new Error('the change it recorded failed')
    })
    await expect(refused).rejects.toThrow('the change it recorded failed')
    await recorder.record(loggedIn({ who: 'next', role: 'agent' }))
    expect(await verify()).toMatchObject({ ok: true, checked: 2 })
    const records = await stores[0]!.sql.values('SELECT record FROM audit_log ORDER BY seq')
    expect(records.flat().join('\n')).not.toContain('rolled-back')
    expect(records.flat().join('\n')).toContain('next')
  })

  it('appends a transaction’s records as it commits, in order, without those of a savepoint rolled back', async () => {
    const store = stores[0]!
    const recorder = createStoreAuditRecorder(store, keys, now)
    const headInside = await store.transaction(async () => {
      await recorder.record(loggedIn({ who: 'one', role: 'agent' }))
      await store
        .transaction(async () => {
          await recorder.record(loggedIn({ who: 'undone', role: 'agent' }))
          throw new Error('this part failed')
        })
        .catch(() => undefined)
      await recorder.record(loggedIn({ who: 'two', role: 'agent' }))
      // Not yet in the trail: records go in just before the commit, under the chain's key.
      return store.sql.values('SELECT seq FROM audit_log')
    })
    expect(headInside).toEqual([])
    const records = await store.sql.values('SELECT seq, record FROM audit_log ORDER BY seq')
    expect(records.map(([seq, record]) => [seq, /"who":"(\w+)"/.exec(String(record))?.[1]])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ])
    expect(await verify()).toMatchObject({ ok: true, checked: 2 })
  })

  it('names the first record edited behind the triggers’ back', async () => {
    const recorder = createStoreAuditRecorder(stores[0]!, keys, now)
    for (const who of ['a', 'b', 'c']) await recorder.record(loggedIn({ who, role: 'agent' }))
    const sql = stores[0]!.sql
    // Only the database's owner can switch the append-only guard off: that is the tampering this catches.
    if (sql.dialect === 'postgres') await sql.run('ALTER TABLE audit_log DISABLE TRIGGER USER')
    else await sql.run('DROP TRIGGER audit_log_no_update')
    await sql.run(`UPDATE audit_log SET record = replace(record, '"b"', '"z"') WHERE seq = 2`)
    expect(await verify()).toMatchObject({
      ok: false,
      checked: 1,
      firstBroken: { seq: 2, reason: 'its content does not match its hash' },
    })
  })
})
