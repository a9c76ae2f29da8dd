// API token lifecycle: create (the secret once) → use over real HTTP (REST and tRPC) → revoke →
// refused at once; the admin list never carries a secret or a hash; every change is audited.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { startServer, type RunningServer } from '../server.ts'
import { createTestRuntime, passwordOnly, type TestRuntime } from '../testing/test-runtime.ts'
import { testRegistry } from '../testing/test-registry.ts'
import { appRouter } from '../trpc/routers/_app.ts'
import { createCallerFactory } from '../trpc/trpc.ts'

const PASSWORD = 'a long enough test password'
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: unknown) => (e instanceof TRPCError ? e.code : 'THROWN'),
  )

describe('API tokens over HTTP', () => {
  let server: RunningServer
  let dir: string
  let adminToken: string

  async function call(method: string, path: string, token: string | undefined, body?: unknown) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await res.text()
    return {
      status: res.status,
      text,
      json: JSON.parse(text) as Record<string, unknown> & { result?: { data: unknown }; error?: { message: string } },
    }
  }
  const trpc = (path: string, token: string | undefined, input?: unknown) =>
    input === undefined ? call('GET', `/trpc/${path}`, token) : call('POST', `/trpc/${path}`, token, input)

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carepath-tokens-'))
    server = await startServer({
      port: 0,
      dataDir: dir,
      registry: testRegistry,
      connectors: {},
      timerIntervalMs: 0,
      designerDist: join(dir, 'no-designer'),
      log: () => undefined,
    })
    const system = { who: 'test', role: 'system' }
    await server.runtime.auth.addUser({ username: 'admin', password: PASSWORD, role: 'admin' }, system)
    await server.runtime.auth.addUser(
      { username: 'intake-system', password: PASSWORD, role: 'agent', flowRoles: ['front-desk'] },
      system,
    )
    await passwordOnly(server.runtime, ['admin', 'intake-system'])
    adminToken = (await call('POST', '/api/auth/login', undefined, { username: 'admin', password: PASSWORD })).json
      .token as string
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('works until revoked, then is refused at once on REST and tRPC with a plain 401', async () => {
    const created = await trpc('tokens.create', adminToken, {
      username: 'intake-system',
      name: 'scheduler',
      scopes: ['flows:read', 'tasks:read'],
    })
    expect(created.status).toBe(200)
    const { id, token } = created.json.result!.data as { id: string; token: string }
    expect(token).toMatch(/^cpt_/)

    expect((await call('GET', '/api/flows', token)).status).toBe(200)
    expect((await call('GET', '/api/tasks', token)).status).toBe(200)
    expect((await trpc('flows.list', token)).status).toBe(200)

    const revoked = await trpc('tokens.revoke', adminToken, { id })
    expect(revoked.status).toBe(200)
    expect(revoked.json.result!.data).toMatchObject({ id, alreadyRevoked: false })

    const restRefused = await call('GET', '/api/flows', token)
    expect(restRefused.status).toBe(401)
    expect(restRefused.json).toEqual({
      error: { code: 'unauthorized', message: expect.stringMatching(/^[A-Z][^\n]*\.$/) as unknown },
    })
    expect(restRefused.text).not.toMatch(/at \w+ \(|\.ts:\d+/)
    const trpcRefused = await trpc('flows.list', token)
    expect(trpcRefused.status).toBe(401)
    expect(trpcRefused.json.error?.message).toMatch(/^Sign in first/)
    expect((await call('GET', '/api/tasks', token)).status).toBe(401)

    // Idempotent: a second revoke answers the same time and writes no second audit record.
    const again = await trpc('tokens.revoke', adminToken, { id })
    expect(again.status).toBe(200)
    expect(again.json.result!.data).toEqual({
      id,
      revokedAt: (revoked.json.result!.data as { revokedAt: string }).revokedAt,
      alreadyRevoked: true,
    })
    const revokes = (await server.runtime.audit.list({ limit: 500 })).items.filter(
      (i) => i.record.action === 'token.revoke',
    )
    expect(revokes).toHaveLength(1)
  })

  it('refuses token management to a token, even one acting for an admin', async () => {
    const { token } = await server.runtime.auth.createApiToken(
      { username: 'admin', name: 'ops', scopes: ['flows:read'] },
      { who: 'test', role: 'system' },
    )
    expect((await trpc('tokens.list', token)).status).toBe(403)
  })
})

describe('tokens.list and the audit trail', () => {
  let t: TestRuntime
  beforeAll(async () => {
    t = await createTestRuntime()
  })
  afterAll(() => t.close())

  it('returns the secret only from create; the list shows metadata and never a secret or a hash', async () => {
    const created = await t.as.admin.tokens.create({
      username: 'agent',
      name: 'lab feed',
      scopes: ['runs:start', 'runs:read'],
    })
    expect(created).toMatchObject({ name: 'lab feed', username: 'agent', scopes: ['runs:start', 'runs:read'] })
    // A canary row planted straight into the table: its hash must not surface either.
    const canaryHash = 'canary-hash-7f3a9e'
    t.runtime.db.$client
      .prepare(
        "INSERT INTO api_tokens (id, token_hash, user_id, name, scopes, created_at) SELECT 'planted', ?, id, 'planted', '[\"flows:read\"]', '2026-01-01T00:00:00.000Z' FROM users WHERE username = 'agent'",
      )
      .run(canaryHash)

    const list = await t.as.admin.tokens.list()
    const text = JSON.stringify(list)
    expect(text).not.toContain(created.token)
    expect(text).not.toContain(created.token.slice(4))
    expect(text).not.toContain(sha256(created.token))
    expect(text).not.toContain(canaryHash)
    expect(list.find((r) => r.id === created.id)).toEqual({
      id: created.id,
      name: 'lab feed',
      username: 'agent',
      scopes: ['runs:start', 'runs:read'],
      createdBy: 'admin',
      createdAt: created.createdAt,
      revokedAt: null,
      expiresAt: created.expiresAt,
    })
    expect(list.find((r) => r.id === 'planted')).toMatchObject({ createdBy: null, revokedAt: null })
    for (const row of list)
      expect(Object.keys(row).sort()).toEqual([
        'createdAt',
        'createdBy',
        'expiresAt',
        'id',
        'name',
        'revokedAt',
        'scopes',
        'username',
      ])

    await t.as.admin.tokens.revoke({ id: created.id })
    expect((await t.as.admin.tokens.list()).find((r) => r.id === created.id)?.revokedAt).toBe(
      new Date(Date.parse('2026-03-01T09:00:00.000Z')).toISOString(),
    )
  })

  it('audits creation and revocation with who, the token id and scopes, never the secret', async () => {
    const { id, token, expiresAt } = await t.as.admin.tokens.create({
      username: 'agent',
      name: 'billing',
      scopes: ['tasks:read'],
    })
    await t.as.admin.tokens.revoke({ id })
    const records = (await t.runtime.audit.list({ limit: 500 })).items
      .map((i) => i.record)
      .filter((r) => r.action.startsWith('token.') && (r.why as { tokenId?: string }).tokenId === id)
    expect(records.map((r) => [r.action, r.agent.who, r.agent.role, r.entity.user, r.why])).toEqual([
      ['token.create', 'admin', 'admin', 'agent', { tokenId: id, name: 'billing', scopes: ['tasks:read'], expiresAt }],
      ['token.revoke', 'admin', 'admin', 'agent', { tokenId: id, name: 'billing', scopes: ['tasks:read'] }],
    ])
    const all = JSON.stringify(t.runtime.audit.list({ limit: 500 }))
    expect(all).not.toContain(token)
    expect(all).not.toContain(sha256(token))
    expect((await t.runtime.audit.verify()).ok).toBe(true)
  })

  it('answers an unknown id with NOT_FOUND and a malformed one with BAD_REQUEST, writing nothing', async () => {
    const before = (await t.runtime.audit.list({ limit: 500 })).items.length
    expect(await codeOf(t.as.admin.tokens.revoke({ id: 'no-such-token' }))).toBe('NOT_FOUND')
    expect(await codeOf(t.as.admin.tokens.revoke({ id: '' }))).toBe('BAD_REQUEST')
    expect(await codeOf(t.as.admin.tokens.create({ username: 'nobody', name: 'x', scopes: ['runs:read'] }))).toBe(
      'NOT_FOUND',
    )
    for (const expiresInDays of [0, 366, 1.5])
      expect(
        await codeOf(t.as.admin.tokens.create({ username: 'agent', name: 'x', scopes: ['runs:read'], expiresInDays })),
      ).toBe('BAD_REQUEST')
    expect((await t.runtime.audit.list({ limit: 500 })).items.length).toBe(before)
  })

  it('refuses a revoked token on the very next tRPC call', async () => {
    const { id, token } = await t.as.admin.tokens.create({ username: 'agent', name: 'inbox', scopes: ['tasks:read'] })
    const caller = createCallerFactory(appRouter)
    const fresh = () =>
      caller(async () => ({ runtime: t.runtime, token, principal: await t.runtime.auth.authenticate(token) }))
    expect(await codeOf(fresh().tasks.inbox())).toBe('OK')
    await t.as.admin.tokens.revoke({ id })
    expect(await codeOf(fresh().tasks.inbox())).toBe('UNAUTHORIZED')
  })

  it('expires: 90 days unless its maker says otherwise, refused from that instant on', async () => {
    const { token, createdAt, expiresAt } = await t.as.admin.tokens.create({
      username: 'agent',
      name: 'nightly export',
      scopes: ['tasks:read'],
      expiresInDays: 2,
    })
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(2 * 86_400_000)
    const byDefault = await t.as.admin.tokens.create({ username: 'agent', name: 'default', scopes: ['tasks:read'] })
    expect(Date.parse(byDefault.expiresAt) - Date.parse(byDefault.createdAt)).toBe(90 * 86_400_000)
    expect((await t.runtime.auth.authenticate(token))?.username).toBe('agent')
    t.advance(2 * 86_400_000 - 1)
    expect((await t.runtime.auth.authenticate(token))?.username).toBe('agent')
    t.advance(1)
    expect(await t.runtime.auth.authenticate(token)).toBeUndefined()
    expect((await t.runtime.auth.authenticate(byDefault.token))?.username).toBe('agent')
  })
})
