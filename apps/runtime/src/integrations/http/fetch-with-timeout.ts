// One HTTP exchange with a deadline, failing with a plain, PHI-free NodeError.
import { NodeError } from '@carepath/dsl'

export type FetchLike = typeof fetch

export interface Exchange {
  status: number
  contentType: string
  text: string
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
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
