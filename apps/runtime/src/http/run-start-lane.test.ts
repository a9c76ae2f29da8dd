// The run-start lane answers exactly what the REST route behind express answers. Two servers on
// one runtime: the lane alone (anything it leaves to express gets a marker status instead) and the
// app with the lane turned off. Each request is sent to both and the answers compared: status,
// headers and body bytes.
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { intakeFlow } from '../testing/test-registry.ts'
import { createApp } from './app.ts'
import { runStartLane } from './run-start-lane.ts'

/** What the lane-only server answers for a request the lane leaves to express. */
const LEFT_TO_EXPRESS = 599
const internalErrors: unknown[] = []

let t: TestRuntime
let laneOnly: string
let expressOnly: string
const servers: Server[] = []
let apiToken: string
let readOnlyToken: string

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  t = await createTestRuntime({ bodyLimit: '4kb' })
  await publishFlow(t, intakeFlow())
  await t.as.analyst.flows.create({ document: { ...intakeFlow(), id: 'draft-only' }, suites: [] })
  const system = { who: 'test', role: 'system' as const }
  apiToken = (await t.runtime.auth.createApiToken({ username: 'agent', name: 'lane', scopes: ['runs:start'] }, system))
    .token
  readOnlyToken = (
    await t.runtime.auth.createApiToken({ username: 'agent', name: 'read', scopes: ['runs:read'] }, system)
  ).token
  const lane = runStartLane(t.runtime, (error) => internalErrors.push(error))
  laneOnly = await listen((req, res) => {
    if (lane(req, res)) return
    req.resume()
    res.writeHead(LEFT_TO_EXPRESS).end()
  })
  expressOnly = await listen(createApp(t.runtime, { isReady: () => true, log: () => {}, runStartLane: false }))
})
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
  await t.close()
})

interface Sent {
  path?: string
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
}

/** Status, headers (but those of the connection and the clock) and body of one answer. */
async function answer(base: string, sent: Sent) {
  const res = await fetch(`${base}${sent.path ?? '/api/flows/intake-check/runs'}`, {
    method: sent.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...sent.headers },
    ...(sent.body !== undefined ? { body: sent.body } : {}),
  })
  const headers = [...res.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)).sort()
  return { status: res.status, headers, body: await res.text() }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const start = (key: string, input: object = { score: 2 }) => JSON.stringify({ input, idempotencyKey: key })

describe('the run-start lane', () => {
  // The lane goes first, so a run it starts is the one express then finds by the same key: the two
  // answers of a start are the same run, byte for byte.
  const served: [string, Sent, number][] = [
    ['a start with an API token', { headers: bearer('API'), body: start('k-1') }, 201],
    ['a start with a session', { headers: bearer('DEVELOPER'), body: start('k-2') }, 201],
    ['a body with a byte order mark', { headers: bearer('API'), body: `\uFEFF${start('k-3')}` }, 201],
    [
      'a charset in the content type',
      { headers: { ...bearer('API'), 'content-type': 'application/json; charset=UTF-8' }, body: start('k-4') },
      201,
    ],
    ['an escaped flow id', { path: '/api/flows/%69ntake-check/runs', headers: bearer('API'), body: start('k-5') }, 201],
    ['no token', { body: start('k-6') }, 401],
    ['an unknown token', { headers: bearer('cp_nobody'), body: start('k-7') }, 401],
    ['a token without runs:start', { headers: bearer('READ_ONLY'), body: start('k-8') }, 403],
    ['a role that may not start runs', { headers: bearer('ANALYST'), body: start('k-9') }, 403],
    ['an unknown flow', { path: '/api/flows/no-such-flow/runs', headers: bearer('API'), body: start('k-10') }, 404],
    [
      'a flow never published',
      { path: '/api/flows/draft-only/runs', headers: bearer('API'), body: start('k-11') },
      409,
    ],
    [
      'a key used for another flow',
      { path: '/api/flows/draft-only/runs', headers: bearer('API'), body: start('k-1') },
      409,
    ],
    ['a body that is not JSON', { headers: bearer('API'), body: '{"input": ' }, 400],
    ['a body nested too deep', { headers: bearer('API'), body: '['.repeat(150) + ']'.repeat(150) }, 400],
    ['a body over the limit', { headers: bearer('API'), body: start('k-12', { note: 'x'.repeat(5000) }) }, 413],
    ['an empty body', { headers: bearer('API'), body: '' }, 400],
    ['a body that is an array', { headers: bearer('API'), body: '[1, 2]' }, 400],
    [
      'an unknown field',
      { headers: bearer('API'), body: JSON.stringify({ input: {}, idempotencyKey: 'k', x: 1 }) },
      400,
    ],
    [
      'an input that does not fit the facts schema',
      { headers: bearer('API'), body: start('k-13', { score: 'high' }) },
      400,
    ],
    ['no idempotency key', { headers: bearer('API'), body: JSON.stringify({ input: { score: 1 } }) }, 400],
  ]
  const tokenFor = (headers: Record<string, string> | undefined): Record<string, string> | undefined => {
    const named = headers?.authorization?.replace('Bearer ', '')
    const token =
      named === 'API'
        ? apiToken
        : named === 'READ_ONLY'
          ? readOnlyToken
          : named === 'DEVELOPER'
            ? t.tokens.developer
            : named === 'ANALYST'
              ? t.tokens.analyst
              : undefined
    return token ? { ...headers, authorization: `Bearer ${token}` } : headers
  }

  it.each(served)('answers %s as express does', async (_what, sent, status) => {
    const request = { ...sent, headers: tokenFor(sent.headers) }
    const fromLane = await answer(laneOnly, request)
    const fromExpress = await answer(expressOnly, request)
    expect(fromLane.status).toBe(status)
    expect(fromLane).toEqual(fromExpress)
  })

  it('starts the run it answers for, once per key', async () => {
    const res = await answer(laneOnly, { headers: bearer(apiToken), body: start('k-once') })
    const { id } = JSON.parse(res.body) as { id: string }
    const again = await answer(laneOnly, { headers: bearer(apiToken), body: start('k-once') })
    expect(JSON.parse(again.body)).toMatchObject({ id })
    expect(await t.as.auditor.runs.get({ id })).toMatchObject({ id, status: 'completed' })
    expect(internalErrors).toEqual([])
  })

  const left: [string, Sent][] = [
    ['another method', { method: 'PUT', body: start('x') }],
    ['another content type', { headers: { 'content-type': 'text/plain' }, body: start('x') }],
    ['a compressed body', { headers: { 'content-encoding': 'gzip' }, body: gzipSync(start('x')) }],
    ['a query string', { path: '/api/flows/intake-check/runs?x=1', body: start('x') }],
    ['a trailing slash', { path: '/api/flows/intake-check/runs/', body: start('x') }],
    ['a malformed escape', { path: '/api/flows/intake%E0%A4%A/runs', body: start('x') }],
    ['another charset', { headers: { 'content-type': 'application/json; charset=latin1' }, body: start('x') }],
  ]
  it.each(left)('leaves %s to express', async (_what, sent) => {
    expect((await answer(laneOnly, sent)).status).toBe(LEFT_TO_EXPRESS)
  })
})
