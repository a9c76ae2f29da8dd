// Two admins editing one work queue, on SQLite and on PostgreSQL from one suite: a save names the
// version it was based on, and one based on a version someone has saved over since is refused in
// plain words with nothing written or audited, so no admin silently puts back what they had read.
// Of two saves on one version (two runtime processes on PostgreSQL), exactly one is written.
// The clock stands still, as it may between two saves in one millisecond: versions differ all the same.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import type { Principal } from '../auth/auth.service.ts'
import { queues as queuesTable } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { testRegistry } from '../testing/test-registry.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { versionAfter } from '../store/row-versions.ts'
import { createQueuesService } from './queues.service.ts'
import { appErrorOf } from '../testing/app-error-of.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const AT = new Date('2026-03-01T09:00:00.000Z')
const now = () => AT

const admin = (username: string): Principal => ({ userId: `u-${username}`, username, role: 'admin', flowRoles: [] })
const [alice, bob] = [admin('alice'), admin('bob')]

/** The queues service one runtime process would build over its store. */
function queuesOver(store: Store) {
  return createQueuesService({ store, audit: createStoreAuditRecorder(store, keys, now), now, registry: testRegistry })
}

describeOnEachStore('two admins saving one queue', (backend) => {
  let opened: OpenedStore
  let store: Store
  let queues: ReturnType<typeof queuesOver>
  beforeEach(async () => {
    opened = await backend.open('queues')
    store = opened.store
    queues = queuesOver(store)
  })
  afterEach(() => opened.dispose())

  const rows = () => store.db.select().from(queuesTable).all()
  const saves = async () =>
    (await store.sql.values('SELECT record FROM audit_log ORDER BY seq'))
      .map((row) => JSON.parse(String(row[0])) as { action: string; agent: { who: string }; why?: unknown })
      .filter((record) => record.action === 'queue.save')
      .map((record) => ({ who: record.agent.who, why: record.why }))
  const verify = () => verifyChainRows(auditRows(storeAuditPages(store), 50), keys)

  it('refuses a save based on a version someone saved over since, and changes nothing', async () => {
    const named = await queues.save({ name: 'pharmacy', description: 'Refills', phi: null, baseVersion: null }, alice)
    expect((await queues.list()).find((q) => q.name === 'pharmacy')?.version).toBe(named.version)
    // Both admins open the screen on that version; Bob narrows the clearance first.
    const bobs = await queues.save(
      { name: 'pharmacy', description: 'Refills', phi: ['demographic'], baseVersion: named.version },
      bob,
    )
    expect(bobs.version).not.toBe(named.version)
    const stale = await appErrorOf(
      queues.save({ name: 'pharmacy', description: 'Refill checks', phi: null, baseVersion: named.version }, alice),
    )
    expect(stale.code).toBe('conflict')
    expect(stale.details.path).toBe('baseVersion')
    expect(stale.message).toBe(
      'Someone else changed the queue "pharmacy" since you opened it (at 2026-03-01 09:00:00 UTC, by bob). Reload to see their change; nothing was saved.',
    )
    // Bob's clearance stands, Alice's description is not written, and only the two saves are audited.
    expect(await rows()).toEqual([
      { name: 'pharmacy', description: 'Refills', phi: ['demographic'], updatedAt: bobs.version, updatedBy: 'bob' },
    ])
    expect(await saves()).toEqual([
      { who: 'alice', why: { queue: 'pharmacy', description: 'Refills', phi: null } },
      { who: 'bob', why: { queue: 'pharmacy', description: 'Refills', phi: ['demographic'] } },
    ])
    // Reloaded, Alice's save on the version she now reads goes through and keeps Bob's clearance.
    const reread = (await queues.list()).find((q) => q.name === 'pharmacy')
    expect(reread).toMatchObject({ phi: ['demographic'], version: bobs.version })
    await queues.save(
      { name: 'pharmacy', description: 'Refill checks', phi: ['demographic'], baseVersion: bobs.version },
      alice,
    )
    expect(await rows()).toMatchObject([{ description: 'Refill checks', phi: ['demographic'], updatedBy: 'alice' }])
    expect(await verify()).toMatchObject({ ok: true, checked: 3 })
  })

  it('refuses a first save of a queue someone has named since, and says when it was their own', async () => {
    const first = await queues.save({ name: 'triage', description: 'Nurses', phi: null, baseVersion: null }, bob)
    const again = await appErrorOf(queues.save({ name: 'triage', description: '', phi: [], baseVersion: null }, alice))
    expect(again.code).toBe('conflict')
    expect(again.message).toMatch(/^Someone else changed the queue "triage" since you opened it \(at .*, by bob\)\./)
    // The same admin in another window is told it was them.
    const own = await appErrorOf(queues.save({ name: 'triage', description: '', phi: [], baseVersion: null }, bob))
    expect(own.message).toBe(
      'You changed the queue "triage" in another window since you opened it here (at 2026-03-01 09:00:00 UTC). Reload to see that change; nothing was saved.',
    )
    expect(await rows()).toEqual([
      { name: 'triage', description: 'Nurses', phi: null, updatedAt: first.version, updatedBy: 'bob' },
    ])
    expect(await saves()).toHaveLength(1)
  })

  it('writes exactly one of two saves based on one version, from two processes at once', async () => {
    const named = await queues.save({ name: 'pharmacy', description: 'Refills', phi: null, baseVersion: null }, alice)
    const other = queuesOver(await opened.another())
    const outcomes = await Promise.allSettled([
      queues.save({ name: 'pharmacy', description: 'Alice’s', phi: ['contact'], baseVersion: named.version }, alice),
      other.save({ name: 'pharmacy', description: 'Bob’s', phi: ['coverage'], baseVersion: named.version }, bob),
    ])
    const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]).toBeInstanceOf(AppError)
    expect((lost[0] as AppError).code).toBe('conflict')
    // The row is the winner's whole save, never a mix of the two.
    const winner = won[0]
    expect(await rows()).toEqual([
      {
        name: 'pharmacy',
        description: winner?.description,
        phi: winner?.phi,
        updatedAt: winner?.version,
        updatedBy: winner?.description === 'Alice’s' ? 'alice' : 'bob',
      },
    ])
    expect(await saves()).toHaveLength(2)
  })

  it('names a queue once when two processes name it at once', async () => {
    const other = queuesOver(await opened.another())
    const outcomes = await Promise.allSettled([
      queues.save({ name: 'billing', description: 'Alice’s', phi: null, baseVersion: null }, alice),
      other.save({ name: 'billing', description: 'Bob’s', phi: null, baseVersion: null }, bob),
    ])
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(await rows()).toHaveLength(1)
    expect(await saves()).toHaveLength(1)
  })
})

it('makes every save a version later than the one it replaces, whatever the clock says', () => {
  expect(versionAfter(AT, null)).toBe('2026-03-01T09:00:00.000Z')
  expect(versionAfter(AT, '2026-03-01T08:59:59.000Z')).toBe('2026-03-01T09:00:00.000Z')
  // The same millisecond, and a clock set back behind the version read.
  expect(versionAfter(AT, '2026-03-01T09:00:00.000Z')).toBe('2026-03-01T09:00:00.001Z')
  expect(versionAfter(AT, '2026-03-01T10:00:00.000Z')).toBe('2026-03-01T10:00:00.001Z')
})
