// One HTTP exchange with a deadline, failing with a plain, PHI-free NodeError.
import { NodeError } from '@carepath/dsl'

export type FetchLike = typeof fetch

export interface Exchange {
  status: number
  contentType: string
  text: string
  /** The peer's Retry-After (delta-seconds or an HTTP date), in ms from now. */
  retryAfterMs?: number
}

/** A Retry-After header value in ms from `now`, when it is one (RFC 9110: delta-seconds or an HTTP date). */
export function retryAfterMsOf(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * An answer's HTTP status as a plain, PHI-free failure coded `${prefix}-${status}`: retryable for
 * 429 and 5xx (with the peer's Retry-After), never for another 4xx.
 */
export function statusFailure(what: string, prefix: string, answer: Exchange): NodeError {
  const { status } = answer
  return new NodeError(`${capital(what)} answered HTTP ${status}.`, {
    code: `${prefix}-${status}`,
    retryable: status === 429 || status >= 500,
    ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}),
  })
}

/** `what` names the peer in messages ("the FHIR server", "the payer"): never a URL with a query. */
export async function exchange(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
): Promise<Exchange> {
  let response: Response
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' })
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
    if (untrustedCertificate(error))
      throw new NodeError(
        `${capital(what)} presented a certificate no trusted CA signed; if it is the hospital's own CA, add it to the settings (tls.privateCa).`,
        { code: 'untrusted-certificate', retryable: false },
      )
    throw new NodeError(
      timedOut ? `${capital(what)} did not answer within ${timeoutMs} ms.` : `${capital(what)} could not be reached.`,
      { code: timedOut ? 'timeout' : 'unreachable', retryable: true },
    )
  }
  let text: string
  try {
    text = await response.text()
  } catch {
    throw new NodeError(`${capital(what)} broke off its answer.`, { code: 'unreachable', retryable: true })
  }
  const answer: Exchange = { status: response.status, contentType: response.headers.get('content-type') ?? '', text }
  const retryAfterMs = retryAfterMsOf(response.headers.get('retry-after'))
  if (retryAfterMs !== undefined) answer.retryAfterMs = retryAfterMs
  return answer
}

// The verification failures Node's TLS reports: retrying cannot help until someone trusts the CA.
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])
function untrustedCertificate(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined
  return cause instanceof Error && 'code' in cause && CERTIFICATE_CODES.has(String(cause.code))
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
