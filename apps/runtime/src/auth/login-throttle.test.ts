import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLoginThrottle } from './login-throttle.ts'

const limits = { perAddressPerHour: 6, freePerPair: 3, freePerUsername: 4, maxBackoffSeconds: 60 }

describe('log-in throttle', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }))
  afterEach(() => vi.useRealTimers())
  const later = (ms: number) => vi.setSystemTime(Date.now() + ms)

  it('backs a username-and-address pair off exponentially, capped, and forgets it after a log-in', async () => {
    const throttle = createLoginThrottle(limits)
    for (let i = 0; i < 2; i++) await throttle.failed('ana', '10.0.0.1')
    expect(await throttle.check('ana', '10.0.0.1')).toEqual({ ok: true })
    await throttle.failed('ana', '10.0.0.1')
    expect(await throttle.check('ana', '10.0.0.1')).toMatchObject({ ok: false, retryAfterSeconds: 1 })
    later(1_001)
    await throttle.failed('ana', '10.0.0.1')
    expect(await throttle.check('ana', '10.0.0.1')).toMatchObject({ ok: false, retryAfterSeconds: 2 })
    later(2_001)
    expect(await throttle.check('ana', '10.0.0.1')).toEqual({ ok: true })
    await throttle.succeeded('ana', '10.0.0.1')
    await throttle.failed('ana', '10.0.0.1')
    expect(await throttle.check('ana', '10.0.0.1')).toEqual({ ok: true })
  })

  it('slows a username guessed from many addresses only where the person has not logged in', async () => {
    const throttle = createLoginThrottle(limits)
    await throttle.succeeded('ana', '10.0.0.1')
    for (let i = 0; i < 4; i++) await throttle.failed('ana', `192.0.2.${i}`)
    expect(await throttle.check('ana', '192.0.2.99')).toMatchObject({ ok: false, scope: 'username' })
    expect(await throttle.check('ana', '10.0.0.1')).toEqual({ ok: true })
    expect(await throttle.check('ben', '192.0.2.99')).toEqual({ ok: true })
  })

  it('caps failures per address over any usernames, so made-up names cost a bounded amount', async () => {
    const throttle = createLoginThrottle(limits)
    for (let i = 0; i < 6; i++) await throttle.failed(`nobody-${i}`, '198.51.100.1')
    expect(await throttle.check('nobody-99', '198.51.100.1')).toMatchObject({ ok: false, scope: 'address' })
    expect(await throttle.check('nobody-99', '198.51.100.2')).toEqual({ ok: true })
    later(3600_001)
    expect(await throttle.check('nobody-99', '198.51.100.1')).toEqual({ ok: true })
  })
})
