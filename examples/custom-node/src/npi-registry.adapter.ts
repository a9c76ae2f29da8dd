// The connector behind `ctx.call('npi', …)`: the only place that talks to the NPPES registry.
// It ships in this package (see `npiRegistry` in index.ts) but runs in the host, which builds it
// from the stored `npi` settings; the node itself never does I/O. `fetch` is injected too, so
// this file has no network of its own.
import { NodeError, provideConnector, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import { NPPES_API, npiConnector } from './npi-settings.schema.ts'

type Fetch = (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>

/**
 * Build the `npi` connector adapter over one registry.
 * @example
 * const npi = createNpiRegistryAdapter(fetch, 'http://127.0.0.1:8089/api/')
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

/**
 * The `npi` connector with its adapter, as this package contributes it: the host builds the
 * adapter from the stored settings and rebuilds it when they change. Without settings every call
 * fails plainly, and validation has already warned that the connector is not configured.
 */
export const npiRegistry = provideConnector(npiConnector, (settings, deps) => {
  if (!settings) {
    return async () => {
      throw new NodeError('No NPI registry is configured for this environment.', {
        code: 'not-configured',
        retryable: false,
      })
    }
  }
  return createNpiRegistryAdapter(deps.fetch, settings.baseUrl)
})
