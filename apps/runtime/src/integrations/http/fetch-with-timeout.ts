// One HTTP exchange with a deadline, failing with a plain, PHI-free NodeError.
import { NodeError } from '@carepath/dsl'

export type FetchLike = typeof fetch

export interface Exchange {
  status: number
  contentType: string
  text: string
  /** The Retry-After header of a 429 or 503, when sent. */
  retryAfter?: string | undefined
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
  const retryAfter = response.headers.get('retry-after') ?? undefined
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, retryAfter }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
