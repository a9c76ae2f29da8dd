import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpRequest } from '@carepath/nodes'
import { runNode } from '../testing/node-harness.ts'
import { waitUntil } from '../../testing/wait-until.ts'
import { createHttpAdapter, hostAllowed } from './http.adapter.ts'

let server: Server
let base: string
let hits: string[] = []
let failuresLeft = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    if (req.url?.startsWith('/flaky') && failuresLeft-- > 0) return void res.writeHead(503).end()
    if (req.url?.startsWith('/hang')) return
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ got: Buffer.concat(parts).toString() || null, url: req.url })),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const waits: number[] = []
/**
 * fetch whose deadline is honoured only once the server has the request. On a loaded machine a
 * short timeout can otherwise run out before the request even reaches the loopback server (one
 * process, and timers run first when it is scheduled again), and the attempt would not be seen there.
 */
const fetchSeenByServer: typeof fetch = async (url, init) => {
  const before = hits.length
  const own = new AbortController()
  let settled = false
  const answer = fetch(url, { ...init, signal: own.signal }).finally(() => (settled = true))
  answer.catch(() => undefined) // returned below; not an unhandled rejection meanwhile
  await waitUntil(() => settled || hits.length > before, 'the request to reach the test server')
  const deadline = init?.signal
  if (deadline?.aborted) own.abort(deadline.reason)
  else deadline?.addEventListener('abort', () => own.abort(deadline.reason), { once: true })
  return answer
}
const adapter = () =>
  createHttpAdapter([`127.0.0.1:${new URL(base).port}`], {
    sleep: async (ms) => void waits.push(ms),
    fetch: fetchSeenByServer,
  })
const call = (config: Record<string, unknown>, facts = {}) =>
  runNode(httpRequest, config, { facts, connectors: { http: adapter() } })

describe('http connector', () => {
  it('calls an allowed host with query from facts and a JSON body', async () => {
    const { outcome } = await call(
      { method: 'POST', url: `${base}/echo`, query: [{ name: 'mrn', valueFrom: 'p.mrn' }], bodyFrom: 'p', into: 'res' },
      { p: { mrn: 'A&B' } },
    )
    expect(outcome).toEqual({
      kind: 'next',
      port: 'ok',
      set: { res: { status: 200, body: { got: '{"mrn":"A&B"}', url: '/echo?mrn=A%26B' } } },
    })
  })

  it('retries a retryable status with exponential backoff, then succeeds', async () => {
    failuresLeft = 2
    waits.length = 0
    hits = []
    const { outcome } = await call({ url: `${base}/flaky`, retries: 3, backoffMs: 100, into: 'res' })
    expect(outcome).toMatchObject({ port: 'ok', set: { res: { status: 200 } } })
    expect(hits).toHaveLength(3)
    expect(waits).toEqual([100, 200])
  })

  it('gives the last status to the failed port when retries run out', async () => {
    failuresLeft = 10
    const { outcome } = await call({ url: `${base}/flaky`, retries: 1, backoffMs: 0, into: 'res' })
    expect(outcome).toMatchObject({ port: 'failed', set: { res: { status: 503 } } })
  })

  it('times out each attempt and fails plainly after the retries', async () => {
    hits = []
    const { error } = await call({ url: `${base}/hang?mrn=SECRET`, retries: 1, backoffMs: 0, timeoutMs: 200 })
    expect(error?.message).toBe(`The host 127.0.0.1:${new URL(base).port} did not answer within 200 ms.`)
    expect(hits).toHaveLength(2)
  })

  it('refuses hosts not on the allow-list without calling them', async () => {
    const { error } = await call({ url: 'https://example.org/x?ssn=123' })
    expect(error?.message).toBe("The host example.org is not on this environment's allow-list.")
    expect(error?.options.retryable).toBe(false)
    const other = await call({ url: `http://127.0.0.2:${new URL(base).port}/echo` })
    expect(other.error?.options.code).toBe('host-not-allowed')
  })

  it('matches allow-list patterns by host, host:port and *.domain', () => {
    const allow = ['api.example.org', '127.0.0.1:8089', '*.payer.test']
    expect(hostAllowed(new URL('https://api.example.org/x'), allow)).toBe(true)
    expect(hostAllowed(new URL('https://evil-api.example.org/x'), allow)).toBe(false)
    expect(hostAllowed(new URL('http://127.0.0.1:8089/'), allow)).toBe(true)
    expect(hostAllowed(new URL('http://127.0.0.1:8090/'), allow)).toBe(false)
    expect(hostAllowed(new URL('https://eligibility.payer.test/'), allow)).toBe(true)
    expect(hostAllowed(new URL('https://payer.test.evil.org/'), allow)).toBe(false)
  })
})
