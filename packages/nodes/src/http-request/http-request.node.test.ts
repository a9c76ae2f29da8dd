import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { httpRequest } from './http-request.node.ts'

describe('http.request', () => {
  const config = httpRequest.config.parse({
    method: 'POST',
    url: 'https://api.example.org/referrals',
    query: [{ name: 'mrn', valueFrom: 'patient.mrn' }],
    bodyFrom: 'referral',
    into: 'response',
    retries: 3,
  })

  it('passes method, query, body, timeout and retry policy to the connector and routes on status', async () => {
    const ctx = createFakeContext({
      facts: { patient: { mrn: 'M1' }, referral: { reason: 'x' } },
      connectors: { http: async () => ({ status: 201, body: { id: 'r1' } }) },
    })
    expect(await httpRequest.execute(ctx, config)).toEqual({
      kind: 'next',
      port: 'ok',
      set: { response: { status: 201, body: { id: 'r1' } } },
    })
    expect(ctx.calls[0]!.request).toMatchObject({
      method: 'POST',
      url: 'https://api.example.org/referrals',
      query: [['mrn', 'M1']],
      body: { reason: 'x' },
      timeoutMs: 10_000,
      retries: 3,
      backoffMs: 500,
    })
    const failed = createFakeContext({
      facts: { patient: { mrn: 'M1' } },
      connectors: { http: async () => ({ status: 404, body: null }) },
    })
    expect(await httpRequest.execute(failed, config)).toMatchObject({
      port: 'failed',
      set: { response: { status: 404 } },
    })
  })

  it('refuses credentials in headers, bodies on GET, and non-http URLs', () => {
    const env = { factsSchema: { type: 'object' as const }, roles: {} }
    const withAuth = httpRequest.config.parse({
      url: 'https://x.org',
      headers: { Authorization: 'Bearer abc' },
      bodyFrom: 'a',
    })
    expect(httpRequest.check!(withAuth, env).map((p) => p.path)).toEqual(['headers.Authorization', 'bodyFrom'])
    expect(httpRequest.config.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false)
    expect(httpRequest.config.safeParse({ url: 'https://x.org', timeoutMs: 10 }).success).toBe(false)
  })

  it('fails plainly when the connector answers without a status', async () => {
    const ctx = createFakeContext({ facts: { patient: { mrn: 'M1' } }, connectors: { http: async () => 'garbage' } })
    await expect(httpRequest.execute(ctx, config)).rejects.toThrow('without a status')
  })
})
