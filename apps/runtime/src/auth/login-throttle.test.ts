// The log-in throttle on both databases: its counters are rows, so a backoff earned at one process
// holds at another on the same database.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createLoginThrottle } from './login-throttle.ts'

const limits = { perAddressPerHour: 6, freePerPair: 3, freePerUsername: 4, maxBackoffSeconds: 60 }

describeOnEachStore('log-in throttle', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  const later = (ms: number) => (clock += ms)
  beforeEach(async () => {
    opened = await backend.open('login-throttle')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
  })
  afterEach(() => opened.dispose())

  it('backs a username-and-address pair off exponentially, capped, and forgets it after a log-in', async () => {
    const throttle = createLoginThrottle(opened.store, now, limits)
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
    const throttle = createLoginThrottle(opened.store, now, limits)
    await throttle.succeeded('ana', '10.0.0.1')
    for (let i = 0; i < 4; i++) await throttle.failed('ana', `192.0.2.${i}`)
    expect(await throttle.check('ana', '192.0.2.99')).toMatchObject({ ok: false, scope: 'username' })
    expect(await throttle.check('ana', '10.0.0.1')).toEqual({ ok: true })
    expect(await throttle.check('ben', '192.0.2.99')).toEqual({ ok: true })
  })

  it('caps failures per address over any usernames, so made-up names cost a bounded amount', async () => {
    const throttle = createLoginThrottle(opened.store, now, limits)
    for (let i = 0; i < 6; i++) await throttle.failed(`nobody-${i}`, '198.51.100.1')
    expect(await throttle.check('nobody-99', '198.51.100.1')).toMatchObject({ ok: false, scope: 'address' })
    expect(await throttle.check('nobody-99', '198.51.100.2')).toEqual({ ok: true })
    later(3600_001)
    expect(await throttle.check('nobody-99', '198.51.100.1')).toEqual({ ok: true })
    // A day on, the made-up names' counters are gone with the next failure.
    later(24 * 3600_000)
    await throttle.failed('someone', '198.51.100.3')
    const left = await opened.store.sql.all<{ username: string }>('SELECT username FROM login_attempts')
    expect(left.map((r) => r.username).filter((key) => key.includes('nobody'))).toEqual([])
  })

  it('holds a backoff earned at one process at another, and counts failures made at both at once', async () => {
    const first = createLoginThrottle(opened.store, now, limits)
    const second = createLoginThrottle(await opened.another(), now, limits)
    // Failures from two processes at the same moment add up: none is lost to a race.
    await Promise.all([
      first.failed('ana', '10.0.0.1'),
      second.failed('ana', '10.0.0.1'),
      first.failed('ana', '10.0.0.1'),
    ])
    expect(await second.check('ana', '10.0.0.1')).toMatchObject({ ok: false, scope: 'username-and-address' })
    expect(await first.check('ana', '10.0.0.1')).toMatchObject({ ok: false, scope: 'username-and-address' })
    // The person's usual address, learnt at one process, lets them in at the other despite a spray.
    await first.succeeded('ben', '10.0.0.7')
    for (let i = 0; i < 4; i++) await (i % 2 ? first : second).failed('ben', `192.0.2.${i}`)
    expect(await second.check('ben', '192.0.2.99')).toMatchObject({ ok: false, scope: 'username' })
    expect(await second.check('ben', '10.0.0.7')).toEqual({ ok: true })
  })
})
