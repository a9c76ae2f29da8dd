// Two admins changing one person's access (queues, product role, log-in), on SQLite and on
// PostgreSQL from one suite: a change from the admin screen names the version of the person it was
// based on, and one based on a version someone has changed since is refused in plain words with
// nothing written or audited, so no admin silently undoes another's ticked queue. Of two changes on
// one version (two runtime processes on PostgreSQL), exactly one is written. The clock stands
// still, as it may between two saves in one millisecond: versions differ all the same.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createStoreAuditRecorder } from '../audit/audit-recorder.ts'
import { users as usersTable } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createAuthService } from './auth.service.ts'
import { createMfaService } from './mfa.service.ts'
import { appErrorOf } from '../testing/app-error-of.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const AT = new Date('2026-03-01T09:00:00.000Z')
const now = () => AT
const policy = { idleMs: 15 * 60_000, absoluteMs: 12 * 3600_000 }
const [alice, bob] = [
  { who: 'alice', role: 'admin' },
  { who: 'bob', role: 'admin' },
]

/** The auth service one runtime process would build over its store. */
function authOver(store: Store) {
  const audit = createStoreAuditRecorder(store, keys, now)
  return createAuthService(store, audit, now, policy, createMfaService({ store, audit, now, keys }))
}

describeOnEachStore('two admins changing one person', (backend) => {
  let opened: OpenedStore
  let store: Store
  let auth: ReturnType<typeof authOver>
  beforeEach(async () => {
    opened = await backend.open('people')
    store = opened.store
    auth = authOver(store)
    await auth.addUser({ username: 'pat', password: 'a password long enough', role: 'agent', flowRoles: [] }, alice)
  })
  afterEach(() => opened.dispose())

  const pat = async () => (await auth.listUsers()).find((u) => u.username === 'pat')
  const row = () =>
    store.db
      .select({
        role: usersTable.role,
        flowRoles: usersTable.flowRoles,
        disabled: usersTable.disabled,
        updatedBy: usersTable.updatedBy,
      })
      .from(usersTable)
      .all()
  const changes = async () =>
    (await store.sql.values('SELECT record FROM audit_log ORDER BY seq'))
      .map((r) => JSON.parse(String(r[0])) as { action: string; agent: { who: string }; why?: unknown })
      .filter((record) => record.action === 'user.flow-roles' || record.action === 'user.set')
      .map((record) => ({ action: record.action, who: record.agent.who, why: record.why }))

  it('refuses a change of queues based on a version someone changed since, and changes nothing', async () => {
    const read = (await pat())!.version
    expect(read).toBe('2026-03-01T09:00:00.000Z')
    // Both admins open the screen on that version; Bob ticks the pharmacy queue first.
    const bobs = await auth.setFlowRoles('pat', ['pharmacy'], bob, read)
    expect(bobs.version).not.toBe(read)
    expect((await pat())?.version).toBe(bobs.version)
    const stale = await appErrorOf(auth.setFlowRoles('pat', ['front-desk'], alice, read))
    expect(stale.code).toBe('conflict')
    expect(stale.details.path).toBe('baseVersion')
    expect(stale.message).toBe(
      'Someone else changed the access of "pat" since you opened it (at 2026-03-01 09:00:00 UTC, by bob). Reload to see their change; nothing was saved.',
    )
    // A change of role or log-in on the old version is refused the same way.
    expect((await appErrorOf(auth.setUser('pat', { role: 'analyst', active: true }, alice, read))).code).toBe(
      'conflict',
    )
    expect(await row()).toEqual([{ role: 'agent', flowRoles: ['pharmacy'], disabled: false, updatedBy: 'bob' }])
    expect(await changes()).toEqual([{ action: 'user.flow-roles', who: 'bob', why: { flowRoles: ['pharmacy'] } }])

    // Based on the version she now reads, Alice's change goes through and keeps Bob's queue.
    const after = await auth.setFlowRoles('pat', ['front-desk', 'pharmacy'], alice, bobs.version)
    expect(after.version > bobs.version).toBe(true)
    const own = await appErrorOf(auth.setUser('pat', { role: 'analyst', active: false }, alice, bobs.version))
    expect(own.message).toBe(
      'You changed the access of "pat" in another window since you opened it here (at 2026-03-01 09:00:00 UTC). Reload to see that change; nothing was saved.',
    )
    await auth.setUser('pat', { role: 'analyst', active: false }, alice, after.version)
    expect(await row()).toEqual([
      { role: 'analyst', flowRoles: ['front-desk', 'pharmacy'], disabled: true, updatedBy: 'alice' },
    ])
    expect(await changes()).toHaveLength(3)
  })

  it('changes role, log-in and queues in one write, or none of them', async () => {
    const read = (await pat())!.version
    const both = await auth.setUser('pat', { role: 'analyst', active: true, flowRoles: ['pharmacy'] }, alice, read)
    expect(both.version).not.toBe(read)
    expect(await row()).toEqual([{ role: 'analyst', flowRoles: ['pharmacy'], disabled: false, updatedBy: 'alice' }])
    expect(await changes()).toEqual([
      { action: 'user.set', who: 'alice', why: expect.anything() },
      { action: 'user.flow-roles', who: 'alice', why: { flowRoles: ['pharmacy'] } },
    ])
    // On a version changed since, neither the role nor the queues are written, and nothing is audited.
    const stale = await appErrorOf(
      auth.setUser('pat', { role: 'agent', active: false, flowRoles: ['front-desk'] }, bob, read),
    )
    expect(stale.code).toBe('conflict')
    expect(await row()).toEqual([{ role: 'analyst', flowRoles: ['pharmacy'], disabled: false, updatedBy: 'alice' }])
    expect(await changes()).toHaveLength(2)
  })

  it('writes a change with no version (the installation’s own callers), moving the version on', async () => {
    const read = (await pat())!.version
    await auth.setFlowRoles('pat', ['pharmacy'], { who: 'seed', role: 'system' })
    expect((await pat())?.version).not.toBe(read)
    expect((await appErrorOf(auth.setFlowRoles('pat', [], alice, read))).code).toBe('conflict')
    expect((await appErrorOf(auth.setFlowRoles('nobody', [], alice))).code).toBe('not-found')
  })

  it('writes exactly one of two changes based on one version, from two processes at once', async () => {
    const read = (await pat())!.version
    const other = authOver(await opened.another())
    const outcomes = await Promise.allSettled([
      auth.setFlowRoles('pat', ['front-desk'], alice, read),
      other.setFlowRoles('pat', ['pharmacy'], bob, read),
    ])
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]).toBeInstanceOf(AppError)
    expect((lost[0] as AppError).code).toBe('conflict')
    // The row is the winner's whole change, never a mix, and only the winner is audited.
    const [written] = await row()
    const winner = written?.flowRoles[0] === 'front-desk' ? 'alice' : 'bob'
    expect(written).toMatchObject({ updatedBy: winner })
    expect(await changes()).toEqual([
      { action: 'user.flow-roles', who: winner, why: { flowRoles: written?.flowRoles } },
    ])
  })
})
