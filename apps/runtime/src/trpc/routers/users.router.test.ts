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

  it('changes a product role and switches a log-in off and on, audited', async () => {
    await t.runtime.auth.addUser(
      { username: 'pat', password: TEST_PASSWORD, role: 'agent' },
      { who: 'test', role: 'system' },
    )
    await passwordOnly(t.runtime, ['pat'])
    const pat = t.caller(sessionToken(await t.runtime.auth.login('pat', TEST_PASSWORD)))
    await expect(pat.flows.list()).resolves.toBeDefined()

    await t.as.admin.users.set({ username: 'pat', role: 'analyst', active: true })
    expect((await t.as.admin.users.list()).find((u) => u.username === 'pat')).toMatchObject({
      role: 'analyst',
      disabled: false,
    })

    await t.as.admin.users.set({ username: 'pat', role: 'analyst', active: false })
    // The open session stops working at once.
    const refused = await pat.flows.list().catch((e: unknown) => e)
    expect((refused as TRPCError).code).toBe('UNAUTHORIZED')
    await expect(t.runtime.auth.login('pat', TEST_PASSWORD)).rejects.toThrow()

    await t.as.admin.users.set({ username: 'pat', role: 'agent', active: true })
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
      .set({ username: 'admin', role: 'analyst', active: true })
      .catch((e: unknown) => e)
    expect((self as TRPCError).code).toBe('CONFLICT')
    expect((self as TRPCError).message).toMatch(/another admin can/)
    const off = await t.as.admin.users.set({ username: 'admin', role: 'admin', active: false }).catch((e: unknown) => e)
    expect((off as TRPCError).code).toBe('CONFLICT')
    const unknown = await t.as.admin.users
      .set({ username: 'nobody', role: 'agent', active: true })
      .catch((e: unknown) => e)
    expect((unknown as TRPCError).code).toBe('NOT_FOUND')
    const forbidden = await t.as.analyst.users
      .set({ username: 'agent', role: 'admin', active: true })
      .catch((e: unknown) => e)
    expect((forbidden as TRPCError).code).toBe('FORBIDDEN')
    const users = await t.as.admin.users.list()
    expect(users.find((u) => u.username === 'admin')).toMatchObject({ role: 'admin', disabled: false })
    expect(users.find((u) => u.username === 'agent')).toMatchObject({ role: 'agent', disabled: false })
    const audited = (await t.runtime.audit.list({ limit: 100 })).items.map((i) => i.record)
    expect(audited.filter((r) => r.action === 'user.set')).toEqual([])
  })
})
