import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TRPCError } from '@trpc/server'
import { AppError } from '../errors.ts'
import { createTestRuntime, TEST_PASSWORD, type TestRuntime } from '../testing/test-runtime.ts'

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: unknown) => (e instanceof TRPCError ? e.code : 'THROWN'),
  )

describe('sessions, log-in backoff and API tokens', () => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await createTestRuntime({ session: { idleMs: 15 * 60_000, absoluteMs: 60 * 60_000 } })
  })
  afterEach(() => t.close())

  it('signs a person out after 15 idle minutes but not while they keep working', async () => {
    t.advance(14 * 60_000)
    expect((await t.as.analyst.auth.me()).username).toBe('analyst')
    t.advance(14 * 60_000)
    expect((await t.as.analyst.auth.me()).username).toBe('analyst')
    t.advance(15 * 60_000)
    expect(await codeOf(t.as.analyst.auth.me())).toBe('UNAUTHORIZED')
  })

  it('ends a session at its absolute lifetime however active it is', async () => {
    for (let i = 0; i < 5; i++) {
      t.advance(11 * 60_000)
      expect((await t.as.reviewer.auth.me()).username).toBe('reviewer')
    }
    t.advance(5 * 60_000)
    expect(await codeOf(t.as.reviewer.auth.me())).toBe('UNAUTHORIZED')
  })

  it('revokes the session on log-out', async () => {
    await t.as.auditor.auth.logout()
    expect(await codeOf(t.as.auditor.auth.me())).toBe('UNAUTHORIZED')
  })

  it('slows repeated failed log-ins from one address, audits them, and never locks the person out elsewhere', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const attacker = '203.0.113.9'
      const login = (username: string, password: string, address: string) =>
        t.runtime.auth.login(username, password, address).then(
          () => 'OK',
          (e: unknown) => (e instanceof AppError ? e.code : 'THROWN'),
        )
      const at = (address: string) => (password: string) => login('admin', password, address)
      const fromAttacker = at(attacker)
      for (let i = 0; i < 3; i++) expect(await fromAttacker('wrong password')).toBe('unauthenticated')
      // That address now waits, even with the right password…
      expect(await fromAttacker(TEST_PASSWORD)).toBe('too-many-attempts')
      // …while the person at their own desk logs in as usual, and other users are not affected.
      expect(await at('198.51.100.7')(TEST_PASSWORD)).toBe('OK')
      expect(await login('agent', TEST_PASSWORD, attacker)).toBe('OK')
      // The backoff runs on the runtime's clock.
      t.advance(1_001)
      expect(await fromAttacker(TEST_PASSWORD)).toBe('OK')
      const failures = (await t.runtime.audit.list({ limit: 500 })).items.filter(
        (i) => i.record.action === 'auth.login' && i.record.outcome === 'failure',
      )
      expect(failures.length).toBe(4)
      expect(JSON.stringify(failures)).not.toContain('wrong password')
    } finally {
      vi.useRealTimers()
    }
  })

  it('gives an API token only its scopes, and stores it hashed', async () => {
    const { token } = await t.as.admin.users.createToken({
      username: 'agent',
      name: 'scheduler',
      scopes: ['runs:read'],
    })
    const system = t.caller(token)
    expect(await codeOf(system.runs.get({ id: 'nope' }))).toBe('NOT_FOUND')
    expect(await codeOf(system.tasks.inbox())).toBe('FORBIDDEN')
    expect(await codeOf(system.auth.me())).toBe('FORBIDDEN')
    const stored = t.runtime.db.$client.prepare('SELECT token_hash FROM api_tokens').all() as { token_hash: string }[]
    expect(stored.map((r) => r.token_hash)).not.toContain(token)
  })
})
