// The "http" connector for http.request: only allow-listed hosts, a deadline per attempt, and
// retries with exponential backoff on network faults, timeouts and the statuses the node names.
import { z } from 'zod'
import { NodeError, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import { exchange, type FetchLike } from './fetch-with-timeout.ts'

const requestSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  url: z.url({ protocol: /^https?$/ }),
  query: z.array(z.tuple([z.string(), z.string()])).default([]),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.unknown().optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  retries: z.number().int().min(0).max(5).default(0),
  backoffMs: z.number().int().min(0).max(60_000).default(500),
  retryOn: z.array(z.number().int()).default([429, 502, 503, 504]),
})

export interface HttpAdapterDeps {
  fetch?: FetchLike
  /** Waits between attempts (tests pass a fake; the default really waits). */
  sleep?: (ms: number) => Promise<void>
}

/** `host` or `host:port` against patterns `api.example.org`, `127.0.0.1:8089`, `*.example.org`. */
export function hostAllowed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase()
  const hostPort = `${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`
  return allowHosts.some((pattern) => {
    const p = pattern.toLowerCase()
    if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1
    return p.includes(':') ? p === hostPort : p === host
  })
}

export function createHttpAdapter(allowHosts: readonly string[], deps: HttpAdapterDeps = {}): ConnectorAdapter {
  const fetchImpl = deps.fetch ?? fetch
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  return async (raw) => {
    const parsed = requestSchema.safeParse(raw)
    if (!parsed.success)
      throw new NodeError('The HTTP request is malformed.', { code: 'invalid-request', retryable: false })
    const request = parsed.data
    const url = new URL(request.url)
    for (const [name, value] of request.query) url.searchParams.append(name, value)
    // Only the host is named: paths and queries can carry patient data.
    if (!hostAllowed(url, allowHosts)) {
      throw new NodeError(`The host ${url.host} is not on this environment's allow-list.`, {
        code: 'host-not-allowed',
        retryable: false,
      })
    }
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
    const init: RequestInit = { method: request.method, headers }
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(request.body)
    }
    for (let attempt = 0; ; attempt++) {
      let failure: NodeError | undefined
      try {
        const answer = await exchange(fetchImpl, url.toString(), init, request.timeoutMs, `the host ${url.host}`)
        if (!request.retryOn.includes(answer.status) || attempt >= request.retries) {
          let body: JsonValue = answer.text
          if (/json/.test(answer.contentType)) {
            try {
              body = JSON.parse(answer.text) as JsonValue
            } catch {
              body = answer.text
            }
          }
          return { status: answer.status, body, attempts: attempt + 1 }
        }
      } catch (error) {
        failure =
          error instanceof NodeError
            ? error
            : new NodeError(`The host ${url.host} could not be reached.`, { retryable: true })
        // The node's own `retries` are its retry policy: once spent, the engine tries no more.
        if (attempt >= request.retries) throw new NodeError(failure.message, { ...failure.options, retryable: false })
      }
      await sleep(request.backoffMs * 2 ** attempt)
    }
  }
}
