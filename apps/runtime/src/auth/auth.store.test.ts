// Sessions, API tokens, the log-in lock-out and second factors kept in the database, on SQLite and
// PostgreSQL from one suite. A second store on the same database stands for a second runtime
// process: what one process does (log in, log out, fail, revoke) holds at the other at once.
import * as OTPAuth from 'otpauth'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import { AppError } from '../errors.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createAuthService, type AuthService, type LoginResult } from './auth.service.ts'
import { createMfaService, type MfaService } from './mfa.service.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const PASSWORD = 'a password long enough'
const system = { who: 'test', role: 'system' }
const policy = { idleMs: 15 * 60_000, absoluteMs: 12 * 3600_000 }
const codeAt = (secret: string, timestamp: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp })

/** The error code a call fails with, or 'OK'. */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (e: unknown) => (e instanceof AppError ? e.code : 'THROWN'),
  )
const tokenOf = (result: LoginResult) => {
  if (result.status !== 'ok') throw new Error(`the log-in asked for a second step (${result.status})`)
  return result.token
}

describeOnEachStore('auth on the store', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  /** The services one runtime process builds over its store. */
  const processOn = (store: Store): { auth: AuthService; mfa: MfaService } => {
    const audit = createStoreAuditRecorder(store, keys, now)
    const mfa = createMfaService({ store, audit, now, keys })
    return { auth: createAuthService(store, audit, now, policy, mfa), mfa }
  }
  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  const verify = () => verifyChainRows(auditRows(storeAuditPages(opened.store), 50), keys)

  beforeEach(async () => {
    opened = await backend.open('auth')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
    a = processOn(opened.store)
    b = processOn(await opened.another())
    await a.auth.addUser({ username: 'ana', password: PASSWORD, role: 'agent', flowRoles: ['front-desk'] }, system)
    await a.mfa.setPolicy({ required: ['admin'], passwordOnly: [], acceptIdpMfa: true }, system)
  })
  afterEach(() => opened.dispose())

  it('opens a session that every process knows, ends it when idle, and a log-out at one ends it at all', async () => {
    const token = tokenOf(await a.auth.login('ana', PASSWORD))
    expect(await b.auth.authenticate(token)).toMatchObject({
      username: 'ana',
      role: 'agent',
      flowRoles: ['front-desk'],
    })
    clock += policy.idleMs - 1
    expect(await a.auth.authenticate(token)).toMatchObject({ username: 'ana' })
    // Activity at one process keeps the session alive at the other.
    clock += policy.idleMs - 1
    expect(await b.auth.authenticate(token)).toMatchObject({ username: 'ana' })
    clock += policy.idleMs
    expect(await a.auth.authenticate(token)).toBeUndefined()

    const second = tokenOf(await b.auth.login('ana', PASSWORD))
    const principal = await a.auth.authenticate(second)
    if (!principal) throw new Error('the new session is unknown')
    await a.auth.logout(second, principal)
    expect(await b.auth.authenticate(second)).toBeUndefined()
    expect(await a.auth.authenticate('not a token')).toBeUndefined()
    const actions = (await opened.store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map((r) =>
      String(r[0]).includes('"auth.logout"'),
    )
    expect(actions.filter(Boolean)).toHaveLength(1)
    expect(await verify()).toMatchObject({ ok: true })
  })

  it('ends a session at its absolute limit however active, and refuses a duplicate user', async () => {
    const token = tokenOf(await a.auth.login('ana', PASSWORD))
    for (let t = 0; t < 12 * 5; t++) {
      clock += 15 * 60_000 - 1
      if (!(await b.auth.authenticate(token))) break
    }
    expect(clock - Date.parse('2026-12-05T10:00:00.000Z')).toBeLessThanOrEqual(policy.absoluteMs + 15 * 60_000)
    expect(await a.auth.authenticate(token)).toBeUndefined()
    expect(await outcome(b.auth.addUser({ username: 'ana', password: PASSWORD, role: 'agent' }, system))).toBe(
      'conflict',
    )
    expect(await a.auth.userCount()).toBe(1)
  })

  it('locks an address out after failed log-ins at one process, at the other too, never the person elsewhere', async () => {
    const attacker = '203.0.113.9'
    for (const process of [a, b, a])
      expect(await outcome(process.auth.login('ana', 'wrong password', attacker))).toBe('unauthenticated')
    expect(await outcome(b.auth.login('ana', PASSWORD, attacker))).toBe('too-many-attempts')
    expect(await outcome(a.auth.login('ana', PASSWORD, attacker))).toBe('too-many-attempts')
    expect(await outcome(b.auth.login('ana', PASSWORD, '198.51.100.7'))).toBe('OK')
    clock += 1_001
    expect(await outcome(b.auth.login('ana', PASSWORD, attacker))).toBe('OK')
    // The audit counts the failures in a row across both processes.
    const refusals = (await opened.store.sql.values('SELECT record FROM audit_log ORDER BY seq'))
      .map((r) => String(r[0]))
      .filter((r) => r.includes('"auth.login"') && r.includes('"failure"'))
    // Three wrong passwords and the two refusals while slowed.
    expect(refusals.length).toBe(5)
    expect(refusals.join('\n')).not.toContain('wrong password')
    expect(await verify()).toMatchObject({ ok: true })
  })

  it('revokes an API token at one process and refuses it at the other on the next request', async () => {
    const created = await a.auth.createApiToken({ username: 'ana', name: 'inbox', scopes: ['tasks:read'] }, system)
    expect(await b.auth.authenticate(created.token)).toMatchObject({ username: 'ana', scopes: ['tasks:read'] })
    const [first, second] = await Promise.all([
      b.auth.revokeApiToken(created.id, system),
      a.auth.revokeApiToken(created.id, system),
    ])
    expect([first.alreadyRevoked, second.alreadyRevoked].sort()).toEqual([false, true])
    expect(await a.auth.authenticate(created.token)).toBeUndefined()
    expect((await b.auth.listApiTokens()).map((t) => t.revokedAt !== null)).toEqual([true])
    const revokes = (await opened.store.sql.values('SELECT record FROM audit_log')).filter((r) =>
      String(r[0]).includes('"token.revoke"'),
    )
    expect(revokes).toHaveLength(1)
  })

  it('enrols a second factor, accepts each code and recovery code once across processes', async () => {
    await a.mfa.setPolicy({ required: ['agent'], passwordOnly: [], acceptIdpMfa: true }, system)
    const enrol = await b.auth.login('ana', PASSWORD)
    if (enrol.status !== 'enrol') throw new Error('expected enrolment')
    const started = await a.auth.enrolStart(enrol.challenge)
    const confirmed = await b.auth.enrolConfirm(enrol.challenge, codeAt(started.secret, clock))
    expect(confirmed.recoveryCodes).toHaveLength(10)
    expect(await a.auth.authenticate(confirmed.token)).toMatchObject({ username: 'ana' })
    // The challenge is spent: not again, at either process.
    expect(await outcome(a.auth.enrolConfirm(enrol.challenge, codeAt(started.secret, clock)))).toBe('unauthenticated')

    clock += 30_000
    const login = async () => {
      const step = await a.auth.login('ana', PASSWORD)
      if (step.status !== 'mfa') throw new Error('expected the second step')
      return step.challenge
    }
    const code = codeAt(started.secret, clock)
    const [one, two] = [await login(), await login()]
    const raced = await Promise.all([
      outcome(a.auth.verifySecondFactor(one, { code })),
      outcome(b.auth.verifySecondFactor(two, { code })),
    ])
    expect(raced.sort()).toEqual(['OK', 'unauthenticated'])

    const recovery = confirmed.recoveryCodes[0]!
    const user = { id: (await a.auth.listUsers())[0]!.id, username: 'ana', role: 'agent' as const }
    const used = await Promise.all([a.mfa.useRecoveryCode(user, recovery), b.mfa.useRecoveryCode(user, recovery)])
    expect(used.sort()).toEqual([false, true])
    expect(await b.mfa.recoveryCodesLeft(user.id)).toBe(9)
    expect((await a.mfa.factors(user.id)).map((f) => f.kind)).toEqual(['totp'])
    // The secret is stored wrapped, never as the base32 the app was shown.
    const secrets = await opened.store.sql.values('SELECT secret FROM mfa_factors')
    expect(JSON.stringify(secrets)).not.toContain(started.secret)
    expect(await outcome(a.mfa.removeFactor(user, (await a.mfa.factors(user.id))[0]!.id, system))).toBe('conflict')
    expect(await verify()).toMatchObject({ ok: true })
  })
})
