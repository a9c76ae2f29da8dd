// The runtime over real HTTP: the "Done when" walk through the API (tRPC for the designer, REST
// for outside systems), error handling for bad input, limits, OpenAPI, health and the designer page.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '@carepath/runtime'
import { intakeFlow, intakeSuite, passwordOnly, testRegistry } from '@carepath/runtime/testing'

// Responses are read as loose JSON: the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const PASSWORD = 'a long enough test password'
let server: RunningServer
let dir: string
const logs: string[] = []

async function trpc(
  path: string,
  token: string | undefined,
  input?: unknown,
  method: 'query' | 'mutation' = 'mutation',
) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  }
  const url = `${server.url}/trpc/${path}`
  const res =
    method === 'query'
      ? await fetch(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(url, { method: 'POST', headers, body: JSON.stringify(input ?? null) })
  const body = (await res.json()) as {
    result?: { data: unknown }
    error?: { message: string; data: { code: string; field?: string } }
  }
  return { status: res.status, data: body.result?.data as Json, error: body.error }
}

async function rest(method: string, path: string, token?: string, body?: unknown, raw?: string) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return {
    status: res.status,
    text,
    json: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : undefined) as Json,
  }
}

const login = async (username: string) =>
  (await rest('POST', '/api/auth/login', undefined, { username, password: PASSWORD })).json.token as string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-http-'))
  server = await startServer({
    port: 0,
    dataDir: dir,
    registry: testRegistry,
    connectors: {},
    timerIntervalMs: 0,
    bodyLimit: '64kb',
    designerDist: join(dir, 'no-designer'),
    log: (l) => logs.push(l),
  })
  const system = { who: 'test', role: 'system' }
  for (const [username, role] of [
    ['analyst', 'analyst'],
    ['reviewer', 'reviewer'],
    ['reviewer2', 'reviewer'],
    ['agent', 'agent'],
    ['auditor', 'auditor'],
    ['admin', 'admin'],
  ] as const) {
    await server.runtime.auth.addUser(
      { username, password: PASSWORD, role, flowRoles: role === 'agent' ? ['front-desk'] : [] },
      system,
    )
    await passwordOnly(server.runtime, [username])
  }
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('runtime over HTTP', () => {
  it('answers /healthz, serves OpenAPI and explains a missing designer build at /', async () => {
    expect((await rest('GET', '/healthz')).status).toBe(200)
    const openapi = await rest('GET', '/api/openapi.json')
    expect(Object.keys(openapi.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/flows',
        '/api/flows/{id}/runs',
        '/api/runs/{id}',
        '/api/tasks',
        '/api/tasks/{id}/answer',
      ]),
    )
    const home = await rest('GET', '/some/spa/route')
    expect(home.status).toBe(200)
    expect(home.text).toMatch(/designer is not built/)
  })

  it('serves the built designer at / with a fallback to index.html for its routes', async () => {
    const dist = join(dir, 'designer-dist')
    mkdirSync(join(dist, 'assets'), { recursive: true })
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Carepath designer</title>')
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)')
    const other = await startServer({
      port: 0,
      dbFile: join(dir, 'other.db'),
      registry: testRegistry,
      connectors: {},
      timerIntervalMs: 0,
      designerDist: dist,
      log: (l) => logs.push(l),
    })
    try {
      for (const path of ['/', '/flows/intake-check/edit'])
        expect(await (await fetch(`${other.url}${path}`)).text()).toMatch(/Carepath designer/)
      expect(await (await fetch(`${other.url}/assets/app.js`)).text()).toBe('console.log(1)')
      expect((await fetch(`${other.url}/api/nothing-here`)).status).toBe(404)
    } finally {
      await other.close()
    }
  })

  it('walks save → submit → four eyes → publish → run → task → answer → audit verify', async () => {
    const analyst = await login('analyst')
    const reviewer = await login('reviewer')
    const reviewer2 = await login('reviewer2')
    const agent = await login('agent')
    const auditor = await login('auditor')

    const created = await trpc('flows.create', analyst, { document: intakeFlow(), suites: [intakeSuite] })
    expect(created.status).toBe(200)
    const saved = await trpc('flows.save', analyst, {
      id: 'intake-check',
      document: intakeFlow({ min: 6 }),
      baseRevision: 1,
    })
    expect(saved.data.revision).toBe(2)
    const stale = await trpc('flows.save', analyst, {
      id: 'intake-check',
      document: intakeFlow({ min: 4 }),
      baseRevision: 1,
    })
    expect(stale.status).toBe(409)

    expect((await trpc('review.submit', analyst, { id: 'intake-check' })).status).toBe(200)
    const review = await trpc('review.get', reviewer, { id: 'intake-check' }, 'query')
    expect(review.data.report.summary.cases).toBeGreaterThan(0)
    const hash = saved.data.hash
    // The author cannot approve; another reviewer can; a third person publishes.
    expect((await trpc('review.approve', analyst, { id: 'intake-check', hash, comment: '' })).status).toBe(403)
    expect((await trpc('review.approve', reviewer, { id: 'intake-check', hash, comment: 'fine' })).status).toBe(200)
    expect((await trpc('review.publish', reviewer2, { id: 'intake-check', hash })).status).toBe(200)

    const run = await rest('POST', '/api/flows/intake-check/runs', agent, {
      input: { score: 8, patient: { name: 'Test Patient' } },
      idempotencyKey: 'visit-1',
    })
    expect(run.status).toBe(201)
    expect(run.json).toMatchObject({ status: 'waiting', hash })
    const again = await rest('POST', '/api/flows/intake-check/runs', agent, {
      input: { score: 8 },
      idempotencyKey: 'visit-1',
    })
    expect(again.json.id).toBe(run.json.id)

    const tasks = await rest('GET', '/api/tasks', agent)
    expect(tasks.json).toHaveLength(1)
    const bad = await rest('POST', `/api/tasks/${tasks.json[0].id}/answer`, agent, { answer: { approved: 'perhaps' } })
    expect(bad.status).toBe(400)
    expect(bad.json.error.field).toBe('answer.approved')
    const answered = await rest('POST', `/api/tasks/${tasks.json[0].id}/answer`, agent, { answer: { approved: true } })
    expect(answered.json).toMatchObject({ status: 'completed', outcome: 'approved' })
    const final = await rest('GET', `/api/runs/${run.json.id}`, agent)
    expect(final.json.path).toEqual(['start', 'check', 'ask', 'approved'])

    const verify = await trpc('audit.verify', auditor, undefined, 'query')
    expect(verify.data.ok).toBe(true)
    expect((await trpc('audit.verify', agent, undefined, 'query')).status).toBe(403)
  })

  it('answers bad input with a 4xx, a plain message and the field, never a stack, and writes nothing', async () => {
    const analyst = await login('analyst')
    const auditBefore = (await server.runtime.audit.verify()).checked
    const malformed = await rest('POST', '/api/flows/intake-check/runs', analyst, undefined, '{"input": ')
    expect(malformed.status).toBe(400)
    expect(malformed.json.error.message).toMatch(/not valid JSON/)
    const trpcMalformed = await fetch(`${server.url}/trpc/flows.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
      body: '{nope',
    })
    expect(trpcMalformed.status).toBe(400)
    const huge = await rest('POST', '/trpc/flows.create', analyst, { document: { title: 'x'.repeat(100_000) } })
    expect(huge.status).toBe(413)
    const invalid = await trpc('flows.create', analyst, { document: { ...intakeFlow(), id: 'Not Kebab' } })
    expect(invalid.status).toBe(400)
    expect(invalid.error?.message).toMatch(/kebab-case/)
    const unknownFlow = await trpc('flows.get', analyst, { id: 'no-such-flow' }, 'query')
    expect(unknownFlow.status).toBe(404)
    const wrongShape = await trpc('flows.save', analyst, {
      id: 'intake-check',
      document: intakeFlow(),
      baseRevision: 'two',
    })
    expect(wrongShape.status).toBe(400)
    expect(wrongShape.error?.data.field).toBe('baseRevision')
    const noAuth = await rest('GET', '/api/flows')
    expect(noAuth.status).toBe(401)
    for (const r of [malformed.text, huge.text, JSON.stringify(invalid), JSON.stringify(wrongShape)])
      expect(r).not.toMatch(/\bat .*\.ts:\d+/)
    expect((await server.runtime.audit.verify()).checked).toBe(auditBefore + 0)
    expect((await trpc('flows.list', analyst, undefined, 'query')).data.map((f: { id: string }) => f.id)).toEqual([
      'intake-check',
    ])
  })
})
