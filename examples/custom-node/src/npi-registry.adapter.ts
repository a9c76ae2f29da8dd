// The connector behind `ctx.call('npi', …)`: the only place that talks to the NPPES registry.
// It lives with the node type but runs in the host (the runtime injects it by name); the node
// itself never does I/O. `fetch` is injected too, so this file has no network of its own.
import { NodeError, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'

/** The public NPPES NPI Registry API (no key needed), version 2.1. */
export const NPPES_API = 'https://npiregistry.cms.hhs.gov/api/'

type Fetch = (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>

/**
 * Build the `npi` connector adapter.
 * @example
 * const connectors = { ...createConnectorAdapters(settings), npi: createNpiRegistryAdapter(fetch) }
 */
export function createNpiRegistryAdapter(fetchImpl: Fetch, baseUrl: string = NPPES_API): ConnectorAdapter {
  return async (request) => {
    const number =
      request !== null && typeof request === 'object' && !Array.isArray(request) ? request['number'] : undefined
    if (typeof number !== 'string' || !/^\d{10}$/.test(number)) {
      throw new NodeError('The NPI request needs a 10-digit number.', { code: 'bad-request', retryable: false })
    }
    const response = await fetchImpl(`${baseUrl}?version=2.1&number=${number}`)
    // 5xx and 429 are worth retrying (the engine's retry policy decides how often); 4xx is not.
    if (!response.ok) {
      const retryable = response.status >= 500 || response.status === 429
      throw new NodeError(`The NPI registry answered HTTP ${response.status}.`, { code: 'registry-error', retryable })
    }
    return (await response.json()) as JsonValue
  }
}
