import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPg, type PgDb } from '../db/open-pg.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { auditRows, verifyChainRows } from './audit-chain.ts'
import { loggedIn } from './audit-entries.ts'
import { createPgAuditAppender, pgAuditPages } from './pg-audit.ts'

const testPostgres = await findTestPostgres()
const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
let tick = Date.parse('2026-03-01T09:00:00.000Z')
const now = () => new Date(tick++)

describe.skipIf(!testPostgres)('the audit chain on PostgreSQL', () => {
  const pools: PgDb[] = []
  let drop: () => Promise<void>
  beforeAll(async () => {
    const created = await testPostgres!.createDatabase('audit')
    drop = created.drop
    // Three pools stand for three runtime processes: each has connections of its own.
    for (let i = 0; i < 3; i++) pools.push(await openPg(created.url, { max: 4 }))
  })
  afterAll(async () => {
    for (const pool of pools) await pool.$client.end()
    await drop?.()
  })
  const verify = () => verifyChainRows(auditRows(pgAuditPages(pools[0]!), 7), keys)

  it('stays one unbroken chain when three pools append at once', async () => {
    const perWriter = 20
    await Promise.all(
      pools.flatMap((db, p) => {
        const appender = createPgAuditAppender(db, keys, now)
        // Four concurrent writers per pool: twelve transactions contend for the chain at a time.
        return [0, 1, 2, 3].map(async (w) => {
          for (let i = 0; i < perWriter; i++) await appender.appendAlone(loggedIn({ who: `p${p}w${w}`, role: 'agent' }))
        })
      }),
    )
    const seqs = await pools[1]!.$client.query<{ seq: number }>('SELECT seq FROM audit_log ORDER BY seq')
    expect(seqs.rows.map((r) => r.seq)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1))
    const verdict = await verify()
    expect(verdict).toMatchObject({ ok: true, checked: 240, head: { seq: 240 } })
  })

  it('leaves no gap when the transaction holding an append rolls back', async () => {
    const appender = createPgAuditAppender(pools[0]!, keys, now)
    const refused = pools[0]!.transaction(async (tx) => {
      await appender.append(tx, loggedIn({ who: 'rolled-back', role: 'agent' }))
      throw new Error('the change it recorded failed')
    })
    await expect(refused).rejects.toThrow('the change it recorded failed')
    expect(await appender.appendAlone(loggedIn({ who: 'next', role: 'agent' }))).toMatchObject({ seq: 241 })
    expect(await verify()).toMatchObject({ ok: true, checked: 241 })
  })

  it('names the first record edited behind the triggers’ back', async () => {
    const c = pools[2]!.$client
    // Only a superuser can switch the guard off: that is the tampering this catches.
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER USER')
    await c.query(
      `UPDATE audit_log SET record = replace(record, 'p1w2', 'p9w9') WHERE seq = (SELECT min(seq) FROM audit_log WHERE record LIKE '%p1w2%')`,
    )
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER USER')
    const edited = await c.query<{ seq: number }>("SELECT seq FROM audit_log WHERE record LIKE '%p9w9%'")
    const seq = edited.rows[0]!.seq
    expect(await verify()).toMatchObject({
      ok: false,
      checked: seq - 1,
      firstBroken: { seq, reason: 'its content does not match its hash' },
    })
  })
})
