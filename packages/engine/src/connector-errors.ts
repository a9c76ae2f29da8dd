import type { RetryPolicy } from '@carepath/dsl'

/**
 * What kind of failure a connector call had, from the stable code its adapter gave (`timeout`,
 * `unreachable`, `http-503`, `fhir-429`, `not-configured`, ...). Operators filter incidents by it
 * and alert rules route on it; retries follow it.
 */
export const CONNECTOR_ERROR_CLASSES = [
  'timeout',
  'unreachable',
  'server-error',
  'rate-limited',
  'client-error',
  'configuration',
  'invalid',
  'other',
] as const
/** One of CONNECTOR_ERROR_CLASSES. */
export type ConnectorErrorClass = (typeof CONNECTOR_ERROR_CLASSES)[number]

const CONFIGURATION = new Set(['not-configured', 'host-not-allowed', 'invalid-settings'])
const INVALID = new Set(['invalid-request', 'invalid-response', 'invalid-config', 'missing-input'])

/** The class of an adapter's error code (an HTTP status at the end of a code counts: `fhir-503`). */
export function connectorErrorClass(code: string | undefined): ConnectorErrorClass {
  if (code === undefined) return 'other'
  if (code === 'timeout') return 'timeout'
  if (code === 'unreachable') return 'unreachable'
  if (CONFIGURATION.has(code)) return 'configuration'
  if (INVALID.has(code)) return 'invalid'
  const status = /(?:^|-)([1-5]\d\d)$/.exec(code)?.[1]
  if (status === '429') return 'rate-limited'
  if (status?.startsWith('5')) return 'server-error'
  if (status?.startsWith('4')) return 'client-error'
  return 'other'
}

/**
 * Whether a failed call may be tried again: timeouts, unreachable peers, 5xx and 429 may (unless
 * the adapter said otherwise); a 4xx, a configuration or an invalid request never is, whatever
 * the adapter said, since the same request would fail the same way.
 */
export function isRetryable(errorClass: ConnectorErrorClass, adapterSays: boolean): boolean {
  if (errorClass === 'client-error' || errorClass === 'configuration' || errorClass === 'invalid') return false
  return adapterSays
}

/** The longest a Retry-After is honoured for; a peer asking for more gets this. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000

/**
 * How long to wait after failed attempt `attempt` (from 1): the policy's backoff, at most its
 * `maxBackoffMs`, or the peer's Retry-After when that is longer (at most MAX_RETRY_AFTER_MS).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const backoff = policy.backoffMs * (policy.factor ?? 2) ** (attempt - 1)
  const capped = Math.round(Math.min(backoff, policy.maxBackoffMs ?? Number.MAX_SAFE_INTEGER))
  if (retryAfterMs === undefined) return capped
  return Math.max(capped, Math.min(Math.round(retryAfterMs), MAX_RETRY_AFTER_MS))
}
