// Two-step log-in as a person (and an attacker) meets it: enrolment with an authenticator app
// when the policy requires a second factor, codes that work once, recovery codes, the admin's
// policy per role, and every factor event in the audit trail.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as OTPAuth from 'otpauth'
import { TRPCError } from '@trpc/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTestRuntime, type TestRuntime } from '../testing/test-runtime.ts'

const PASSWORD = 'a nurse password that is long'
const codeAt = (secret: string, timestamp: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp })

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a refusal')
}

describe('MFA: two-step log-in', () => {
  let t: TestRuntime
  const now = () => t.runtime.now().getTime()
  beforeEach(async () => {
    t = await createTestRuntime()
    await t.as.admin.users.add({ username: 'nurse', password: PASSWORD, role: 'agent' })
  })
  afterEach(async () => {
    vi.useRealTimers()
    await t.close()
  })

  /** Log in as nurse the first time: the policy makes them enrol an authenticator app. */
  async function enrol() {
    const first = await t.caller().auth.login({ username: 'nurse', password: PASSWORD })
    expect(first).toMatchObject({ status: 'enrol', methods: ['totp', 'webauthn'] })
    expect(first).not.toHaveProperty('token')
    const challenge = (first as { challenge: string }).challenge
    const started = await t.caller().auth.mfaEnrolStart({ challenge })
    expect(started.uri).toMatch(/^otpauth:\/\/totp\/Carepath:nurse\?/)
    expect(started.qrSvg).toMatch(/^<svg/)
    // A challenge is not a session.
    expect((await failure(t.caller(challenge).auth.me())).code).toBe('UNAUTHORIZED')
    expect((await failure(t.caller().auth.mfaEnrolConfirm({ challenge, code: '000000' }))).code).toBe('UNAUTHORIZED')
    const done = await t.caller().auth.mfaEnrolConfirm({ challenge, code: codeAt(started.secret, now()) })
    expect(done).toMatchObject({ status: 'ok', user: { username: 'nurse', role: 'agent' } })
    const { token, recoveryCodes } = done as { token: string; recoveryCodes: string[] }
    expect(recoveryCodes).toHaveLength(10)
    expect(new Set(recoveryCodes).size).toBe(10)
    expect(await t.caller(token).auth.me()).toMatchObject({ username: 'nurse' })
    return { secret: started.secret, token, recoveryCodes }
  }

  async function passwordStep(): Promise<string> {
    const step = await t.caller().auth.login({ username: 'nurse', password: PASSWORD })
    expect(step).toMatchObject({ status: 'mfa', methods: ['totp', 'recovery'] })
    return (step as { challenge: string }).challenge
  }

  it('a new person must enrol before getting a session; then log-in takes the password and a code', async () => {
    const { secret, token } = await enrol()
    await t.caller(token).auth.logout()
    // A stolen session is worthless after log-out.
    expect((await failure(t.caller(token).auth.me())).code).toBe('UNAUTHORIZED')
    t.advance(30_000)
    const challenge = await passwordStep()
    const wrong = await failure(t.caller().auth.mfaVerify({ challenge, code: '123456' }))
    expect(wrong).toEqual({ code: 'UNAUTHORIZED', message: 'Wrong code.' })
    const ok = await t.caller().auth.mfaVerify({ challenge, code: codeAt(secret, now()) })
    expect(ok).toMatchObject({ status: 'ok', user: { username: 'nurse' } })
    // The challenge is spent with its session.
    expect((await failure(t.caller().auth.mfaVerify({ challenge, code: codeAt(secret, now()) }))).message).toMatch(
      /expired or was already used/,
    )
  })

  it('refuses a replayed code, a wrong password before any code, and an expired challenge', async () => {
    const { secret } = await enrol()
    t.advance(30_000)
    const code = codeAt(secret, now())
    await t.caller().auth.mfaVerify({ challenge: await passwordStep(), code })
    // The same code again, inside its 30 s window: refused as a replay.
    const replay = await failure(t.caller().auth.mfaVerify({ challenge: await passwordStep(), code }))
    expect(replay).toEqual({ code: 'UNAUTHORIZED', message: 'That code was already used; wait for the next one.' })
    expect((await failure(t.caller().auth.login({ username: 'nurse', password: 'wrong password!!' }))).code).toBe(
      'UNAUTHORIZED',
    )
    const late = await passwordStep()
    t.advance(5 * 60_000 + 1)
    expect(
      (await failure(t.caller().auth.mfaVerify({ challenge: late, code: codeAt(secret, now()) }))).message,
    ).toMatch(/expired/)
  })

  it('a recovery code works once, and a new set voids the old one', async () => {
    const { recoveryCodes, token } = await enrol()
    const [first, second] = recoveryCodes as [string, string]
    expect(
      await t.caller().auth.mfaVerify({ challenge: await passwordStep(), recoveryCode: first.toUpperCase() }),
    ).toMatchObject({
      status: 'ok',
    })
    expect(
      (await failure(t.caller().auth.mfaVerify({ challenge: await passwordStep(), recoveryCode: first }))).message,
    ).toBe('Wrong or used recovery code.')
    expect(await t.caller(token).auth.mfaStatus()).toMatchObject({ required: true, recoveryCodesLeft: 9 })
    const fresh = await t.caller(token).auth.mfaRecoveryCodes()
    expect(fresh.recoveryCodes).toHaveLength(10)
    expect(
      (await failure(t.caller().auth.mfaVerify({ challenge: await passwordStep(), recoveryCode: second }))).message,
    ).toBe('Wrong or used recovery code.')
  })

  it('wrong codes slow the person down like wrong passwords, and void the challenge after five', async () => {
    // The throttle's counters run on the runtime's clock, like its challenges.
    const wait = (ms: number) => t.advance(ms)
    await enrol()
    const challenge = await passwordStep()
    const tries: string[] = []
    const attempt = async () =>
      tries.push((await failure(t.caller().auth.mfaVerify({ challenge, code: '000000' }))).code)
    for (let i = 0; i < 4; i++) await attempt()
    // The third wrong code sets a 1 s wait, which refuses the fourth try before looking at it.
    expect(tries).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'TOO_MANY_REQUESTS'])
    wait(1_000)
    await attempt()
    wait(2_000)
    await attempt()
    wait(4_000)
    // Five wrong codes: the challenge is void, whatever comes next.
    expect((await failure(t.caller().auth.mfaVerify({ challenge, code: '000000' }))).message).toMatch(
      /expired or was already used/,
    )
  })

  it('keeps the TOTP secret out of the database in the clear', async () => {
    const { secret } = await enrol()
    t.runtime.db.$client.pragma('wal_checkpoint(TRUNCATE)')
    const file = readFileSync(join(t.dir, 'carepath.db'))
    const raw = Buffer.from(OTPAuth.Secret.fromBase32(secret).bytes)
    expect(file.includes(raw)).toBe(false)
    expect(file.includes(Buffer.from(secret))).toBe(false)
  })

  it('audits every factor event, and never the codes', async () => {
    const { secret, recoveryCodes } = await enrol()
    t.advance(30_000)
    const challenge = await passwordStep()
    await failure(t.caller().auth.mfaVerify({ challenge, code: '999999' }))
    await t.caller().auth.mfaVerify({ challenge, code: codeAt(secret, now()) })
    const { items } = await t.as.auditor.audit.list({ limit: 1000 })
    const nurse = items.filter((i) => i.record.agent.who === 'nurse').map((i) => i.record)
    expect(nurse.map((r) => [r.action, r.outcome])).toEqual([
      ['auth.password', 'success'],
      ['auth.mfa-enrol', 'failure'],
      ['auth.mfa-enrol', 'success'],
      ['auth.recovery-codes', 'success'],
      ['auth.mfa', 'success'],
      ['auth.login', 'success'],
      ['auth.password', 'success'],
      ['auth.mfa', 'failure'],
      ['auth.mfa', 'success'],
      ['auth.login', 'success'],
    ])
    expect(nurse[7]).toMatchObject({ why: { method: 'totp', reason: 'wrong code' } })
    const all = JSON.stringify(items)
    expect(all).not.toContain('999999')
    expect(all).not.toContain(secret)
    for (const code of recoveryCodes) expect(all).not.toContain(code)
  })

  it("the admin's policy says which roles need a second factor; the demo's people are exempt by name", async () => {
    expect(await t.as.admin.security.mfaPolicy()).toMatchObject({
      required: ['admin', 'agent', 'analyst', 'auditor', 'compliance', 'developer', 'operator', 'reviewer'],
    })
    expect(
      (await failure(t.as.agent.security.setMfaPolicy({ required: [], passwordOnly: [], acceptIdpMfa: true }))).code,
    ).toBe('FORBIDDEN')
    const policy = await t.as.admin.security.mfaPolicy()
    await t.as.admin.security.setMfaPolicy({ ...policy, required: policy.required.filter((r) => r !== 'agent') })
    expect(await t.caller().auth.login({ username: 'nurse', password: PASSWORD })).toMatchObject({ status: 'ok' })
    const { items } = await t.as.auditor.audit.list({ limit: 1000 })
    expect(items.some((i) => i.record.action === 'settings.mfa-policy' && i.record.agent.who === 'admin')).toBe(true)
    // Someone who enrolled anyway is still asked for their factor.
    await t.as.admin.security.setMfaPolicy(policy)
    await enrol()
    await t.as.admin.security.setMfaPolicy({ ...policy, required: [] })
    expect(await t.caller().auth.login({ username: 'nurse', password: PASSWORD })).toMatchObject({ status: 'mfa' })
  })

  it('the last factor cannot be removed while the role requires one', async () => {
    const { token } = await enrol()
    const [factor] = (await t.caller(token).auth.mfaStatus()).factors
    expect((await failure(t.caller(token).auth.mfaRemove({ factorId: factor!.id }))).code).toBe('CONFLICT')
  })
})
