import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'

// The client keeps the session token in sessionStorage and calls /trpc with fetch: both are stood in for here.
const stored = new Map<string, string>()
vi.stubGlobal('sessionStorage', {
  getItem: (key: string) => stored.get(key) ?? null,
  setItem: (key: string, value: string) => void stored.set(key, value),
  removeItem: (key: string) => void stored.delete(key),
})
const requests: { url: string; init: RequestInit | undefined }[] = []
let reply: () => Response = () => new Response('{}')
vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
  requests.push({ url: String(url), init })
  return reply()
})

let client: typeof import('./trpc-client.ts')
beforeAll(async () => {
  client = await import('./trpc-client.ts')
})
afterEach(() => {
  requests.length = 0
  client.setSessionToken(null)
})

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const failure = (status: number, message: string, data: Record<string, unknown>) =>
  json(status, { error: { message, code: -32600, data: { httpStatus: status, path: 'flows.save', ...data } } })

describe('the designer client', () => {
  it('calls a procedure at /trpc with the session token as a Bearer header, one request per call', async () => {
    client.setSessionToken('secret-token')
    reply = () => json(200, { result: { data: { id: 'u1', username: 'ana', role: 'analyst', flowRoles: [] } } })
    const me = await client.call(client.trpc.auth.me.query())
    expect(me.username).toBe('ana')
    expect(requests).toHaveLength(1)
    expect(requests[0]?.url).toMatch(/^\/trpc\/auth\.me(\?|$)/)
    expect(new Headers(requests[0]?.init?.headers).get('authorization')).toBe('Bearer secret-token')
    expect(stored.get('carepath.session')).toBe('secret-token')
  })

  it('sends no Authorization header without a session', async () => {
    reply = () => json(200, { result: { data: { ok: true } } })
    await client.call(client.trpc.auth.logout.mutate())
    expect(new Headers(requests[0]?.init?.headers).has('authorization')).toBe(false)
  })

  it('turns a refusal into an ApiError with the tRPC code, the plain sentence and the typed detail', async () => {
    reply = () =>
      failure(412, 'Publishing is blocked.', {
        code: 'PRECONDITION_FAILED',
        appCode: 'publish-blocked',
        blockers: ['Nobody approved it.'],
      })
    const error = await client.call(client.trpc.review.publish.mutate({ id: 'intake', hash: 'a'.repeat(64) })).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(client.ApiError)
    expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', message: 'Publishing is blocked.' })
    expect(error instanceof client.ApiError && error.data?.blockers).toEqual(['Nobody approved it.'])
  })

  it('shows the first zod issue of a raw issue list, with where it is', async () => {
    reply = () =>
      failure(400, JSON.stringify([{ message: 'Too short', path: ['document', 'title'] }]), { code: 'BAD_REQUEST' })
    await expect(client.call(client.trpc.flows.get.query({ id: 'intake' }))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Too short (at document.title)',
    })
  })

  it('reports an expired session so the app can return to log-in', async () => {
    const expired = vi.fn()
    client.onSessionExpired(expired)
    reply = () => failure(401, '', { code: 'UNAUTHORIZED' })
    await expect(client.call(client.trpc.auth.me.query())).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Please log in again.',
    })
    expect(expired).toHaveBeenCalledOnce()
  })

  it('says plainly when something other than the server failed', async () => {
    await expect(client.call(Promise.reject(new Error('boom')))).rejects.toMatchObject({
      code: 'NETWORK',
      message: 'The server could not be reached. Check that the runtime is running.',
    })
  })
})
