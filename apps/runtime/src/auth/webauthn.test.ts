// Passkeys as a second factor, with a genuine software authenticator (P-256 keys from node:crypto,
// 'none' attestation): enrolment at first log-in, log-in with the passkey, and the refusals a
// reviewer would try — another origin, a passkey not enrolled, a replayed or cloned assertion —
// each audited.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import { TRPCError } from '@trpc/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { softwareAuthenticator } from '../testing/software-authenticator.ts'
import { createTestRuntime, type TestRuntime } from '../testing/test-runtime.ts'

const PASSWORD = 'a nurse password that is long'
const RP = { rpId: 'carepath.test', origin: 'https://carepath.test' }

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`
    throw error
  }
  throw new Error('expected a refusal')
}

describe('passkeys (WebAuthn) as a second factor', () => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await createTestRuntime({ webauthn: { rpId: RP.rpId, origins: [RP.origin] } })
    await t.as.admin.users.add({ username: 'nurse', password: PASSWORD, role: 'agent' })
  })
  afterEach(async () => {
    vi.useRealTimers()
    await t.close()
  })

  const login = () => t.caller().auth.login({ username: 'nurse', password: PASSWORD })
  const challengeOf = (step: Awaited<ReturnType<typeof login>>) => {
    if (step.status === 'ok') throw new Error('expected a second step')
    return step.challenge
  }

  async function enrol() {
    const key = softwareAuthenticator(RP)
    const challenge = challengeOf(await login())
    const options = await t.caller().auth.passkeyEnrolStart({ challenge })
    expect(options.rp).toEqual({ id: RP.rpId, name: 'Carepath' })
    expect(options.attestation).toBe('none')
    const done = await t.caller().auth.passkeyEnrolFinish({ challenge, response: key.create(options) })
    if (done.status !== 'ok') throw new Error('expected a session')
    expect(done.recoveryCodes).toHaveLength(10)
    expect(await t.caller(done.token).auth.me()).toMatchObject({ username: 'nurse' })
    return key
  }

  it('enrols a passkey at first log-in, then logs in with it; both audited', async () => {
    const key = await enrol()
    const step = await login()
    expect(step).toMatchObject({ status: 'mfa', methods: ['webauthn', 'recovery'] })
    const challenge = challengeOf(step)
    const options = await t.caller().auth.passkeyOptions({ challenge })
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([key.credentialId])
    const session = await t.caller().auth.passkeyVerify({ challenge, response: key.get(options) })
    expect(await t.caller(session.token).auth.me()).toMatchObject({ username: 'nurse' })
    const factorEvents = (await t.runtime.audit.list({ limit: 1000 })).items
      .map((i) => i.record)
      .filter((r) => r.action === 'auth.mfa-enrol' || r.action === 'auth.mfa')
      .map((r) => [r.action, r.outcome, r.why])
    expect(factorEvents).toContainEqual(['auth.mfa-enrol', 'success', expect.objectContaining({ method: 'webauthn' })])
    expect(factorEvents).toContainEqual(['auth.mfa', 'success', { method: 'webauthn' }])
    // Only the public key is kept.
    const stored = t.runtime.db.$client.prepare("SELECT secret FROM mfa_factors WHERE kind = 'webauthn'").all()
    expect(JSON.stringify(stored)).toContain(key.credentialId)
  })

  it('refuses an assertion made for another origin, a passkey not enrolled, a replay and a cloned counter', async () => {
    const key = await enrol()
    // Each refusal counts toward the log-in backoff (login-throttle.ts, on the runtime's clock): wait it out between tries.
    const attempt = async (make: (options: { challenge: string }) => AuthenticationResponseJSON) => {
      t.advance(60_000)
      const challenge = challengeOf(await login())
      const options = await t.caller().auth.passkeyOptions({ challenge })
      return refusal(t.caller().auth.passkeyVerify({ challenge, response: make(options) }))
    }
    expect(await attempt((o) => key.get(o, { origin: 'https://phishing.example' }))).toBe(
      'UNAUTHORIZED: The passkey was not accepted; try again.',
    )
    const stranger = softwareAuthenticator(RP)
    expect(await attempt((o) => stranger.get(o))).toMatch(/not accepted/)
    // An assertion over an earlier challenge does not fit a new one.
    const first = challengeOf(await login())
    const old = key.get(await t.caller().auth.passkeyOptions({ challenge: first }))
    expect(await attempt(() => old)).toMatch(/not accepted/)
    // A counter that does not move on (a cloned authenticator) is refused.
    t.advance(60_000)
    const fine = challengeOf(await login())
    const accepted = await t.caller().auth.passkeyVerify({
      challenge: fine,
      response: key.get(await t.caller().auth.passkeyOptions({ challenge: fine }), { signCount: 50 }),
    })
    expect(accepted.status).toBe('ok')
    expect(await attempt((o) => key.get(o, { signCount: 10 }))).toMatch(/not accepted/)
    const failures = (await t.runtime.audit.list({ limit: 1000 })).items
      .map((i) => i.record)
      .filter((r) => r.action === 'auth.mfa' && r.outcome === 'failure')
    expect(failures.length).toBeGreaterThanOrEqual(4)
  })

  it('lets a signed-in person add a passkey as a further factor', async () => {
    const { token } = await t
      .caller()
      .auth.login({ username: 'nurse', password: PASSWORD })
      .then(async (step) => {
        // First log-in enrols an app-less passkey, giving a session to add a second one from.
        const key = softwareAuthenticator(RP)
        const challenge = challengeOf(step)
        const done = await t.caller().auth.passkeyEnrolFinish({
          challenge,
          response: key.create(await t.caller().auth.passkeyEnrolStart({ challenge })),
        })
        if (done.status !== 'ok') throw new Error('expected a session')
        return done
      })
    const second = softwareAuthenticator(RP)
    const options = await t.caller(token).auth.passkeyEnrolStart({})
    const added = await t.caller(token).auth.passkeyEnrolFinish({ response: second.create(options), label: 'Laptop' })
    expect(added).toMatchObject({ status: 'enrolled', recoveryCodes: [] })
    expect((await t.caller(token).auth.mfaStatus()).factors.map((f) => f.label).sort()).toEqual(['Laptop', 'Passkey'])
  })
})
