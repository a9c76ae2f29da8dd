// Log-in throttling that slows guessing without letting a guesser lock a person out.
//
// Three counters:
// - per address: failed log-ins from one address, whatever the username. Past the limit that
//   address waits; this also bounds what unknown usernames cost (each still pays one scrypt).
// - per username and address: consecutive failures; after a few, that pair backs off
//   exponentially (1 s, 2 s, 4 s … up to 15 min). A guesser elsewhere never slows this pair.
// - per username, any address: many failures from many addresses (a distributed guess) slow the
//   username too, but only from addresses where this person has not logged in lately: at their
//   usual workstation their correct password still works.
//
// The counters live in the database (the login_attempts table, through the store), so they hold
// across every runtime process on one database and across restarts: a guesser gains nothing by
// spreading tries over processes behind a load balancer. Each counter is one row keyed by its kind
// and subject ("address …", "pair …", "user …", "known …"): no key can be a username, which holds
// no space. A row's columns read, for counters: failures in the window, when the window opened,
// and until when the subject waits; for a known address: when the person last logged in from it,
// and until when it counts as theirs. A failure is one atomic upsert, so processes failing at the
// same moment add up instead of overwriting each other.
import type { Store } from '../store/store.ts'

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
const HOUR_MS = 3600_000
const PAIR_WINDOW_MS = 24 * HOUR_MS

export type ThrottleVerdict =
  { ok: true } | { ok: false; retryAfterSeconds: number; scope: 'address' | 'username-and-address' | 'username' }

interface CounterRow {
  failures: number
  last_failure_at: number
  blocked_until: number
}

const addressKey = (address: string) => `address ${JSON.stringify(address)}`
const pairKey = (username: string, address: string) => `pair ${JSON.stringify([username, address])}`
const userKey = (username: string) => `user ${JSON.stringify(username)}`
const knownKey = (username: string, address: string) => `known ${JSON.stringify([username, address])}`
/** What every known-address key of this person starts with. */
const knownPrefix = (username: string) => `known ${JSON.stringify([username]).slice(0, -1)},`

// One failure counted: a fresh window when the last one has closed, one more failure otherwise.
// `blocked_until` is kept (a backoff in force stays); for the address counter it is the window's end.
const COUNT_FAILURE = `INSERT INTO login_attempts (username, failures, last_failure_at, blocked_until) VALUES (?, 1, ?, ?)
  ON CONFLICT (username) DO UPDATE SET
    failures = CASE WHEN login_attempts.last_failure_at <= ? THEN 1 ELSE login_attempts.failures + 1 END,
    blocked_until = CASE WHEN login_attempts.last_failure_at <= ? THEN excluded.blocked_until ELSE login_attempts.blocked_until END,
    last_failure_at = CASE WHEN login_attempts.last_failure_at <= ? THEN excluded.last_failure_at ELSE login_attempts.last_failure_at END
  RETURNING failures`

export function createLoginThrottle(store: Store, now: () => Date, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
  const backoffMs = (failures: number, free: number) =>
    Math.min(limits.maxBackoffSeconds, 2 ** Math.max(0, failures - free)) * 1000
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))
  const row = (key: string) =>
    store.sql.get<CounterRow>(
      'SELECT failures, last_failure_at, blocked_until FROM login_attempts WHERE username = ?',
      [key],
    )

  async function isKnown(username: string, address: string, t: number): Promise<boolean> {
    const known = await row(knownKey(username, address))
    return known !== undefined && known.blocked_until > t
  }

  /** Before a password or a code is checked: may this username try from this address now? */
  async function check(username: string, address: string): Promise<ThrottleVerdict> {
    const t = now().getTime()
    const byAddress = await row(addressKey(address))
    if (byAddress && byAddress.blocked_until > t && byAddress.failures >= limits.perAddressPerHour)
      return { ok: false, retryAfterSeconds: seconds(byAddress.blocked_until - t), scope: 'address' }
    const pair = await row(pairKey(username, address))
    if (pair && pair.blocked_until > t)
      return { ok: false, retryAfterSeconds: seconds(pair.blocked_until - t), scope: 'username-and-address' }
    const user = await row(userKey(username))
    if (user && user.blocked_until > t && !(await isKnown(username, address, t)))
      return { ok: false, retryAfterSeconds: seconds(user.blocked_until - t), scope: 'username' }
    return { ok: true }
  }

  /** Count one failure under `key` in a window of `windowMs`; the count after it. */
  async function count(key: string, t: number, windowMs: number, blockedUntil: number): Promise<number> {
    const opened = t - windowMs
    const counted = await store.sql.get<{ failures: number }>(COUNT_FAILURE, [
      key,
      t,
      blockedUntil,
      opened,
      opened,
      opened,
    ])
    return counted?.failures ?? 1
  }

  /** Start or lengthen the backoff of `key` (never shorten one in force). */
  async function block(key: string, until: number): Promise<void> {
    await store.sql.run('UPDATE login_attempts SET blocked_until = ? WHERE username = ? AND blocked_until < ?', [
      until,
      key,
      until,
    ])
  }

  /** A wrong password or code: count it everywhere, and start or lengthen the backoffs it crosses. */
  async function failed(username: string, address: string): Promise<{ failures: number }> {
    const t = now().getTime()
    // The address counter's window is an hour from its first failure, and it waits out the window.
    await count(addressKey(address), t, HOUR_MS, t + HOUR_MS)
    const pairFailures = await count(pairKey(username, address), t, PAIR_WINDOW_MS, 0)
    if (pairFailures >= limits.freePerPair)
      await block(pairKey(username, address), t + backoffMs(pairFailures, limits.freePerPair))
    const userFailures = await count(userKey(username), t, HOUR_MS, 0)
    if (userFailures >= limits.freePerUsername)
      await block(userKey(username), t + backoffMs(userFailures, limits.freePerUsername))
    await forgetExpired(t)
    return { failures: pairFailures }
  }

  /**
   * Counters whose windows closed and whose waits ran out are forgotten, so guessing made-up
   * names from many addresses cannot grow the table without bound. A person's own row (the audit
   * count, keyed by the bare username) holds no space and is never touched here.
   */
  async function forgetExpired(t: number): Promise<void> {
    await store.sql.run(
      "DELETE FROM login_attempts WHERE username LIKE '% %' AND blocked_until <= ? AND (substr(username, 1, 6) = 'known ' OR last_failure_at <= ?)",
      [t, t - PAIR_WINDOW_MS],
    )
  }

  /** A complete log-in: this pair starts afresh and the address becomes one this person uses. */
  async function succeeded(username: string, address: string): Promise<void> {
    const t = now().getTime()
    await store.transaction(async () => {
      await store.sql.run('DELETE FROM login_attempts WHERE username = ?', [pairKey(username, address)])
      await store.sql.run(
        `INSERT INTO login_attempts (username, failures, last_failure_at, blocked_until) VALUES (?, 0, ?, ?)
          ON CONFLICT (username) DO UPDATE SET last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until`,
        [knownKey(username, address), t, t + KNOWN_ADDRESS_MS],
      )
      // The person's most recent addresses are kept; the oldest beyond them go.
      const prefix = knownPrefix(username)
      const known = await store.sql.all<{ username: string }>(
        'SELECT username FROM login_attempts WHERE substr(username, 1, ?) = ? ORDER BY last_failure_at DESC, username',
        [prefix.length, prefix],
      )
      for (const old of known.slice(KNOWN_ADDRESSES_PER_USER))
        await store.sql.run('DELETE FROM login_attempts WHERE username = ?', [old.username])
    })
  }

  return { check, failed, succeeded }
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>
