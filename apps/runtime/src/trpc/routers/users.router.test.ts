// An admin changes a person's product role and switches their log-in off and on again: the
// change holds at once for their session and API token, is audited, and an admin cannot lock
// themselves out.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import {
  describeOnEachRuntime,
  passwordOnly,
  sessionToken,
  TEST_PASSWORD,
  type TestRuntime,
} from '../../testing/test-runtime.ts'

describeOnEachRuntime('users', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await open()
  })
  afterEach(() => t.close())
  /** The version of a person the admin screen reads, which a save sends back. */
  const versionOf = async (username: string) =>
    (await t.as.admin.users.list()).find((u) => u.username === username)?.version ?? '2026-01-01T00:00:00.000Z'

  it('changes a product role and switches a log-in off and on, audited', async () => {
    await t.runtime.auth.addUser(
      { username: 'pat', password: TEST_PASSWORD, role: 'agent' },
      { who: 'test', role: 'system' },
    )
    await passwordOnly(t.runtime, ['pat'])
    const pat = t.caller(sessionToken(await t.runtime.auth.login('pat', TEST_PASSWORD)))
    await expect(pat.flows.list()).resolves.toBeDefined()

    await t.as.admin.users.set({ username: 'pat', role: 'analyst', active: true, baseVersion: await versionOf('pat') })
    expect((await t.as.admin.users.list()).find((u) => u.username === 'pat')).toMatchObject({
      role: 'analyst',
      disabled: false,
    })

    await t.as.admin.users.set({ username: 'pat', role: 'analyst', active: false, baseVersion: await versionOf('pat') })
    // The open session stops working at once.
    const refused = await pat.flows.list().catch((e: unknown) => e)
    expect((refused as TRPCError).code).toBe('UNAUTHORIZED')
    await expect(t.runtime.auth.login('pat', TEST_PASSWORD)).rejects.toThrow()

    await t.as.admin.users.set({ username: 'pat', role: 'agent', active: true, baseVersion: await versionOf('pat') })
    const again = t.caller(sessionToken(await t.runtime.auth.login('pat', TEST_PASSWORD)))
    await expect(again.flows.list()).resolves.toBeDefined()

    const audited = (await t.runtime.audit.list({ limit: 100 })).items.map((i) => i.record)
    expect(audited.filter((r) => r.action === 'user.set').map((r) => r.why)).toEqual([
      { role: 'analyst', active: true },
      { role: 'analyst', active: false },
      { role: 'agent', active: true },
    ])
  })

  it('refuses an admin demoting or switching off themselves, an unknown person and a non-admin, changing nothing', async () => {
    const self = await t.as.admin.users
      .set({ username: 'admin', role: 'analyst', active: true, baseVersion: await versionOf('admin') })
      .catch((e: unknown) => e)
    expect((self as TRPCError).code).toBe('CONFLICT')
    expect((self as TRPCError).message).toMatch(/another admin can/)
    const off = await t.as.admin.users
      .set({ username: 'admin', role: 'admin', active: false, baseVersion: await versionOf('admin') })
      .catch((e: unknown) => e)
    expect((off as TRPCError).code).toBe('CONFLICT')
    const unknown = await t.as.admin.users
      .set({ username: 'nobody', role: 'agent', active: true, baseVersion: await versionOf('nobody') })
      .catch((e: unknown) => e)
    expect((unknown as TRPCError).code).toBe('NOT_FOUND')
    const forbidden = await t.as.analyst.users
      .set({ username: 'agent', role: 'admin', active: true, baseVersion: await versionOf('agent') })
      .catch((e: unknown) => e)
    expect((forbidden as TRPCError).code).toBe('FORBIDDEN')
    const users = await t.as.admin.users.list()
    expect(users.find((u) => u.username === 'admin')).toMatchObject({ role: 'admin', disabled: false })
    expect(users.find((u) => u.username === 'agent')).toMatchObject({ role: 'agent', disabled: false })
    const audited = (await t.runtime.audit.list({ limit: 100 })).items.map((i) => i.record)
    expect(audited.filter((r) => r.action === 'user.set')).toEqual([])
  })

  it('refuses a change of queues over a change made since the admin read the person, with a plain CONFLICT', async () => {
    await t.runtime.auth.addUser(
      { username: 'admin2', password: TEST_PASSWORD, role: 'admin' },
      { who: 'test', role: 'system' },
    )
    await passwordOnly(t.runtime, ['admin2'])
    const admin2 = t.caller(sessionToken(await t.runtime.auth.login('admin2', TEST_PASSWORD)))
    // Both admins read the agent; the second ticks the pharmacy queue first.
    const read = await versionOf('agent')
    const before = (await t.as.admin.users.list()).find((u) => u.username === 'agent')
    const saved = await admin2.users.setFlowRoles({
      username: 'agent',
      flowRoles: [...(before?.flowRoles ?? []), 'pharmacy'],
      baseVersion: read,
    })
    expect(await versionOf('agent')).toBe(saved.version)

    const stale = await t.as.admin.users
      .setFlowRoles({ username: 'agent', flowRoles: [], baseVersion: read })
      .catch((e: unknown) => e)
    expect(stale).toBeInstanceOf(TRPCError)
    expect((stale as TRPCError).code).toBe('CONFLICT')
    expect((stale as TRPCError).message).toMatch(
      /^Someone else changed the access of "agent" since you opened it \(at .* UTC, by admin2\)\. Reload to see their change; nothing was saved\.$/,
    )
    const role = await t.as.admin.users
      .set({ username: 'agent', role: 'analyst', active: true, baseVersion: read })
      .catch((e: unknown) => e)
    expect((role as TRPCError).code).toBe('CONFLICT')
    expect((await t.as.admin.users.list()).find((u) => u.username === 'agent')).toMatchObject({
      role: 'agent',
      flowRoles: [...(before?.flowRoles ?? []), 'pharmacy'],
    })
    const audited = (await t.runtime.audit.list({ limit: 100 })).items.map((i) => i.record)
    expect(
      audited.filter((r) => r.action === 'user.flow-roles' || r.action === 'user.set').map((r) => r.agent.who),
    ).toEqual(['admin2'])
    // A change must say what it was based on; on the version the list now shows, it goes through.
    const shapeless = await t.as.admin.users
      .setFlowRoles({ username: 'agent', flowRoles: [], baseVersion: 'yesterday' })
      .catch((e: unknown) => e)
    expect((shapeless as TRPCError).code).toBe('BAD_REQUEST')
    await t.as.admin.users.setFlowRoles({ username: 'agent', flowRoles: [], baseVersion: saved.version })
    expect((await t.as.admin.users.list()).find((u) => u.username === 'agent')?.flowRoles).toEqual([])
  })
})
