// The audit trail on the store, on SQLite and PostgreSQL: records (with their explanations stored
// once) listed and read whole, checkpoints of the committed head written by several processes,
// verify passing and naming a tampered record, and the search, all through the one service.
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { DecisionExplanation } from '@carepath/dsl'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { checkpointSigned, type AnchorSink, type Checkpoint } from './audit-checkpoints.ts'
import { loggedIn, runRead, runStepped } from './audit-entries.ts'
import { createAuditSearch } from './audit-search.ts'
import { readDbCheckpoint, writeDbCheckpoint } from './audit-verify.ts'
import { createAuditService, type AuditService } from './audit.service.ts'
import { decisionForAudit } from './decision-why.ts'
import { patientRef } from './patient-index.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
let tick = Date.parse('2026-03-01T09:00:00.000Z')
const now = () => new Date(tick++)

/** An anchor kept in memory (the file anchor's behaviour without the file). */
function memoryAnchor(): AnchorSink & { checkpoints: Checkpoint[] } {
  const checkpoints: Checkpoint[] = []
  return {
    where: 'memory',
    checkpoints,
    append: (c) => void checkpoints.push(c),
    read: () => ({ checkpoints: [...checkpoints], damaged: [] }),
  }
}

function explanation(age: number): DecisionExplanation {
  return {
    outcome: age > 64 ? 'review' : 'routine',
    fired: age > 64 ? ['older'] : [],
    rules: [
      {
        id: 'older',
        fired: age > 64,
        conditions: [
          { path: 'all.0', fact: 'patient.age', operator: 'greaterThan', expected: 64, seen: age, result: age > 64 },
        ],
      },
    ],
    outputs: {},
  }
}

const entity = (run: string) => ({ flow: 'intake', hash: 'h1', run })
const step = (run: string, age: number, first = true) =>
  runStepped(first, { who: 'system', role: 'system' }, entity(run), {
    events: 2,
    decisions: [
      decisionForAudit({ nodeId: 'triage', port: 'out', explanation: explanation(age) }, keys.phiReferenceSecret),
    ],
    status: 'running',
  })

describeOnEachStore('the audit trail on the store', (backend) => {
  let opened: OpenedStore
  let store: Store
  let anchor: ReturnType<typeof memoryAnchor>
  let audit: AuditService
  const services: AuditService[] = []
  const open = (s: Store, a: AnchorSink = anchor) => {
    const service = createAuditService(s, now, { keys, anchor: a, checkpointDelayMs: 60_000 })
    services.push(service)
    return service
  }

  beforeEach(async () => {
    opened = await backend.open('audit-trail')
    store = opened.store
    anchor = memoryAnchor()
    audit = open(store)
    await audit.started
  })
  afterEach(async () => {
    for (const service of services.splice(0)) await service.close()
    await opened.dispose()
  })

  it('records in the caller’s transaction, lists and reads records whole, explanations included', async () => {
    await audit.record(loggedIn({ who: 'ada', role: 'agent' }))
    await store.transaction(async () => {
      await audit.record(step('r1', 70))
      await audit.record(step('r1', 71, false))
    })
    // The same shape again (another patient's references): stored once.
    await audit.record(step('r2', 80))
    const shapes = await store.sql.values('SELECT hash FROM audit_explanations')
    expect(shapes).toHaveLength(1)

    const first = await audit.list({ limit: 2 })
    expect(first.items.map((i) => [i.seq, i.record.action])).toEqual([
      [1, 'auth.login'],
      [2, 'run.start'],
    ])
    expect(first.nextCursor).toBe(2)
    const rest = await audit.list({ limit: 10, cursor: first.nextCursor })
    expect(rest.items.map((i) => i.seq)).toEqual([3, 4])
    expect(rest.nextCursor).toBeUndefined()

    const start = first.items[1]!.record
    expect(start).toMatchObject({ action: 'run.start', entity: entity('r1') })
    if (start.action !== 'run.start') throw new Error('not a run.start')
    expect(start.why.decisions[0]).toMatchObject({ node: 'triage', explanation: { outcome: 'review' } })
    // The stored JSON names the shape; read back, it is whole again.
    const stored = await store.sql.get<{ record: string }>('SELECT record FROM audit_log WHERE seq = 2')
    expect(stored!.record).toMatch(/"shape":"[0-9a-f]{64}"/)
    expect(await audit.readRecord(stored!.record)).toEqual(start)
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 4, problems: [] })
  })

  it('leaves no record, and writes the shape again, when the transaction rolls back', async () => {
    const refused = store.transaction(async () => {
      await audit.record(step('r1', 70))
      throw new Error('the change failed')
    })
    await expect(refused).rejects.toThrow('the change failed')
    expect(await store.sql.values('SELECT hash FROM audit_explanations')).toHaveLength(0)
    await audit.record(step('r2', 75))
    expect(await store.sql.values('SELECT hash FROM audit_explanations')).toHaveLength(1)
    const { items } = await audit.list({ limit: 10 })
    expect(items.map((i) => [i.seq, i.record.entity.run])).toEqual([[1, 'r2']])
  })

  it('signs checkpoints of the committed head from several processes, and verify holds the trail to them', async () => {
    // The empty trail is anchored at start.
    expect(anchor.checkpoints.map((c) => c.seq)).toEqual([0])
    const other = open(await opened.another())
    await other.started
    for (let i = 0; i < 3; i++) await audit.record(loggedIn({ who: `a${i}`, role: 'agent' }))
    for (let i = 0; i < 2; i++) await other.record(loggedIn({ who: `b${i}`, role: 'agent' }))
    // A checkpoint is not signed inside a transaction (its head could still roll back).
    expect(await store.transaction(() => audit.checkpoint())).toBeUndefined()
    const latest = await other.checkpoint()
    expect(latest).toMatchObject({ seq: 5 })
    // The first process signs the same head later; an older checkpoint never replaces a newer copy.
    await audit.record(loggedIn({ who: 'c', role: 'agent' }))
    const sixth = await audit.checkpoint()
    expect(sixth).toMatchObject({ seq: 6 })
    expect(checkpointSigned(keys, sixth!)).toBe(true)
    expect(await readDbCheckpoint(store)).toEqual(sixth)
    // The second process's checkpoint written late: the database keeps the later one.
    await writeDbCheckpoint(store, keys, latest!)
    expect(await readDbCheckpoint(store)).toEqual(sixth)
    // Both processes write at once: the copy in the database is the latest, signed.
    await Promise.all([audit.checkpoint(), other.checkpoint()])
    expect((await readDbCheckpoint(store))?.seq).toBe(6)
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 6, checkpoint: { seq: 6 }, problems: [] })
    expect(await other.verifyOnThreads()).toMatchObject({ ok: true, checked: 6 })
  })

  it('names a record edited behind the triggers’ back, and a trail cut below its checkpoint', async () => {
    for (const who of ['a', 'b', 'c', 'd']) await audit.record(loggedIn({ who, role: 'agent' }))
    await audit.checkpoint()
    const sql = store.sql
    if (sql.dialect === 'postgres') await sql.run('ALTER TABLE audit_log DISABLE TRIGGER USER')
    else {
      await sql.run('DROP TRIGGER audit_log_no_update')
      await sql.run('DROP TRIGGER audit_log_no_delete')
    }
    await sql.run(`UPDATE audit_log SET record = replace(record, '"b"', '"z"') WHERE seq = 2`)
    const edited = await audit.verify()
    expect(edited).toMatchObject({ ok: false, checked: 1, firstBroken: { seq: 2 } })
    expect(edited.problems[0]).toBe('Record 2: its content does not match its hash.')
    await sql.run('DELETE FROM audit_log WHERE seq = 4')
    expect((await audit.verify()).problems.join('\n')).toMatch(/1 record was cut from its end/)
  })

  it('searches by user, action, run and access, newest first, and audits the search', async () => {
    await audit.record(loggedIn({ who: 'ada', role: 'agent' }))
    await audit.record(step('r1', 70))
    await audit.record(runRead({ who: 'ada', role: 'agent' }, entity('r1'), ['demographic']))
    await audit.record(runRead({ who: 'bo', role: 'agent' }, entity('r2'), ['demographic']))
    const search = createAuditSearch({
      store,
      audit,
      secret: keys.phiReferenceSecret,
      version: () => {
        throw new Error('no task is listed here')
      },
    })
    const auditor = { who: 'aud', role: 'auditor' }
    const byAda = await search.search({ user: 'ada' }, auditor)
    expect(byAda.rows.map((r) => [r.seq, r.action])).toEqual([
      [3, 'run.read'],
      [1, 'auth.login'],
    ])
    expect(byAda.rows[0]).toMatchObject({ who: 'ada', run: 'r1', classes: ['demographic'] })
    expect((await search.search({ run: 'r1' }, auditor)).rows.map((r) => r.seq)).toEqual([3, 2])
    expect((await search.search({ action: 'run.read' }, auditor)).rows.map((r) => r.who)).toEqual(['bo', 'ada'])
    const access = await search.search({ accessOnly: true, limit: 2 }, auditor)
    expect(access.rows.map((r) => r.seq)).toEqual([4, 3])
    expect(access.nextBefore).toBe(3)
    expect((await search.search({ accessOnly: true, before: 3 }, auditor)).rows.map((r) => r.seq)).toEqual([2])
    expect((await search.search({ from: '2000-01-01', to: '2001-01-01' }, auditor)).rows).toEqual([])
    // By patient: through the keyed-hash index to the patient's runs.
    await store.sql.run('INSERT INTO patient_refs (ref, run_id) VALUES (?, ?)', [
      patientRef(keys.phiReferenceSecret, 'MRN-1'),
      'r2',
    ])
    expect((await search.search({ patient: 'MRN-1' }, auditor)).rows.map((r) => [r.seq, r.who])).toEqual([[4, 'bo']])
    // Every search is itself a record.
    const searches = (await audit.list({ limit: 100 })).items.filter((i) => i.record.action === 'audit.search')
    expect(searches).toHaveLength(7)
    expect(await audit.verify()).toMatchObject({ ok: true })
  })
})
