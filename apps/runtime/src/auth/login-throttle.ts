// Log-in throttling that slows guessing without letting a guesser lock a person out.
//
// Three counters (rate-limiter-flexible, in memory):
// - per address: failed log-ins from one address, whatever the username. Past the limit that
//   address waits; this also bounds what unknown usernames cost (each still pays one scrypt).
// - per username and address: consecutive failures; after a few, that pair backs off
//   exponentially (1 s, 2 s, 4 s … up to 15 min). A guesser elsewhere never slows this pair.
// - per username, any address: many failures from many addresses (a distributed guess) slow the
//   username too, but only from addresses where this person has not logged in lately: at their
//   usual workstation their correct password still works.
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible'

export interface ThrottleLimits {
  /** Failed log-ins one address may make in an hour (any usernames). */
  perAddressPerHour: number
  /** Consecutive failures of one username from one address before it backs off. */
  freePerPair: number
  /** Failures of one username from all addresses in an hour before unknown addresses back off. */
  freePerUsername: number
  /** The longest wait a backoff asks for. */
  maxBackoffSeconds: number
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perAddressPerHour: 50,
  freePerPair: 3,
  freePerUsername: 10,
  maxBackoffSeconds: 15 * 60,
}

/** How long an address stays "where this person logs in" after a successful log-in from it. */
const KNOWN_ADDRESS_MS = 30 * 24 * 3600_000
const KNOWN_ADDRESSES_PER_USER = 20

export type ThrottleVerdict =
  { ok: true } | { ok: false; retryAfterSeconds: number; scope: 'address' | 'username-and-address' | 'username' }

const live = (res: RateLimiterRes | null): res is RateLimiterRes => res !== null && res.msBeforeNext > 0

export function createLoginThrottle(limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
  const perAddress = new RateLimiterMemory({
    keyPrefix: 'login-address',
    points: limits.perAddressPerHour,
    duration: 3600,
  })
  const pairFailures = new RateLimiterMemory({ keyPrefix: 'login-pair', points: 1_000_000, duration: 24 * 3600 })
  const pairBackoff = new RateLimiterMemory({ keyPrefix: 'login-pair-wait', points: 1, duration: 1 })
  const userFailures = new RateLimiterMemory({ keyPrefix: 'login-user', points: 1_000_000, duration: 3600 })
  const userBackoff = new RateLimiterMemory({ keyPrefix: 'login-user-wait', points: 1, duration: 1 })
  const known = new Map<string, Map<string, number>>()

  const pairKey = (username: string, address: string) => `${username}\u0000${address}`
  const backoffSeconds = (failures: number, free: number) =>
    Math.min(limits.maxBackoffSeconds, 2 ** Math.max(0, failures - free))
  const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000))

  function isKnown(username: string, address: string): boolean {
    const seen = known.get(username)?.get(address)
    return seen !== undefined && Date.now() - seen < KNOWN_ADDRESS_MS
  }

  /** Before a password or a code is checked: may this username try from this address now? */
  async function check(username: string, address: string): Promise<ThrottleVerdict> {
    const byAddress = await perAddress.get(address)
    if (live(byAddress) && byAddress.consumedPoints >= limits.perAddressPerHour)
      return { ok: false, retryAfterSeconds: seconds(byAddress), scope: 'address' }
    const pair = await pairBackoff.get(pairKey(username, address))
    if (live(pair) && pair.consumedPoints > 1)
      return { ok: false, retryAfterSeconds: seconds(pair), scope: 'username-and-address' }
    if (!isKnown(username, address)) {
      const user = await userBackoff.get(username)
      if (live(user) && user.consumedPoints > 1)
        return { ok: false, retryAfterSeconds: seconds(user), scope: 'username' }
    }
    return { ok: true }
  }

  /** A wrong password or code: count it everywhere, and start or lengthen the backoffs it crosses. */
  async function failed(username: string, address: string): Promise<{ failures: number }> {
    await perAddress.penalty(address)
    const pair = await pairFailures.penalty(pairKey(username, address))
    if (pair.consumedPoints >= limits.freePerPair)
      await pairBackoff.block(pairKey(username, address), backoffSeconds(pair.consumedPoints, limits.freePerPair))
    const user = await userFailures.penalty(username)
    if (user.consumedPoints >= limits.freePerUsername)
      await userBackoff.block(username, backoffSeconds(user.consumedPoints, limits.freePerUsername))
    return { failures: pair.consumedPoints }
  }

  /** A complete log-in: this pair starts afresh and the address becomes one this person uses. */
  async function succeeded(username: string, address: string): Promise<void> {
    await pairFailures.delete(pairKey(username, address))
    await pairBackoff.delete(pairKey(username, address))
    const addresses = known.get(username) ?? new Map<string, number>()
    addresses.delete(address)
    addresses.set(address, Date.now())
    // The oldest address goes first (a Map keeps insertion order).
    while (addresses.size > KNOWN_ADDRESSES_PER_USER) addresses.delete(addresses.keys().next().value ?? '')
    known.set(username, addresses)
  }

  return { check, failed, succeeded }
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>
