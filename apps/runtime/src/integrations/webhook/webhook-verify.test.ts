import { describe, expect, it } from 'vitest'
import { createWebhookVerifier, signWebhook } from './webhook-verify.ts'

const secret = 'whsec-0123456789abcdef'
const at = (seconds: number) => () => new Date(seconds * 1000)
const body = '{"event":"lab.result","id":"r1"}'

describe('webhook verification', () => {
  it('accepts a correctly signed delivery inside the window, once', () => {
    const verifier = createWebhookVerifier({ lab: secret }, at(1_700_000_100))
    const headers = signWebhook(secret, body, 1_700_000_000)
    expect(verifier.verify({ secretName: 'lab', rawBody: body, headers, toleranceSeconds: 300 })).toMatchObject({
      ok: true,
    })
    expect(verifier.verify({ secretName: 'lab', rawBody: body, headers, toleranceSeconds: 300 })).toEqual({
      ok: false,
      reason: 'replay',
      message: 'This delivery was already received.',
    })
  })

  it('refuses a wrong secret, a changed body, an old or future timestamp, and missing or malformed headers', () => {
    const verifier = createWebhookVerifier({ lab: secret }, at(1_700_000_000))
    const verify = (headers: Record<string, string>, raw = body) =>
      verifier.verify({ secretName: 'lab', rawBody: raw, headers, toleranceSeconds: 300 })
    expect(verify(signWebhook('another-secret-000000', body, 1_700_000_000))).toMatchObject({ reason: 'bad-signature' })
    expect(verify(signWebhook(secret, body, 1_700_000_000), body.replace('r1', 'r2'))).toMatchObject({
      reason: 'bad-signature',
    })
    expect(verify(signWebhook(secret, body, 1_700_000_000 - 301))).toMatchObject({ reason: 'stale' })
    expect(verify(signWebhook(secret, body, 1_700_000_000 + 301))).toMatchObject({ reason: 'stale' })
    expect(verify({})).toMatchObject({ reason: 'missing-signature' })
    expect(verify({ 'x-carepath-timestamp': '1700000000', 'x-carepath-signature': 'md5=abc' })).toMatchObject({
      reason: 'malformed',
    })
    expect(
      verifier.verify({
        secretName: 'nope',
        rawBody: body,
        headers: signWebhook(secret, body, 1_700_000_000),
        toleranceSeconds: 300,
      }),
    ).toMatchObject({ reason: 'unknown-secret' })
  })

  it('a stale replay stays refused after the replay memory forgets it', () => {
    let now = 1_700_000_000
    const verifier = createWebhookVerifier({ lab: secret }, () => new Date(now * 1000))
    const headers = signWebhook(secret, body, now)
    expect(verifier.verify({ secretName: 'lab', rawBody: body, headers, toleranceSeconds: 60 }).ok).toBe(true)
    now += 61
    expect(verifier.verify({ secretName: 'lab', rawBody: body, headers, toleranceSeconds: 60 })).toMatchObject({
      reason: 'stale',
    })
  })
})
