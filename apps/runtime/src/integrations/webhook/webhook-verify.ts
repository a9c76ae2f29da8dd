// Signed webhooks: `X-Carepath-Timestamp: <unix seconds>` and
// `X-Carepath-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` with a shared
// secret. A delivery is refused when the signature is wrong, the timestamp is outside the
// window, or the same signature was already accepted (a replay).
import { createHmac, timingSafeEqual } from 'node:crypto'

export type WebhookRefusal = 'missing-signature' | 'malformed' | 'stale' | 'bad-signature' | 'replay' | 'unknown-secret'

export type WebhookVerdict = { ok: true; signature: string } | { ok: false; reason: WebhookRefusal; message: string }

export const SIGNATURE_HEADER = 'x-carepath-signature'
export const TIMESTAMP_HEADER = 'x-carepath-timestamp'

/** The headers a sender attaches (also used by tests and the docs' example). */
export function signWebhook(secret: string, rawBody: string, timestampSeconds: number): Record<string, string> {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex')
  return { [TIMESTAMP_HEADER]: String(timestampSeconds), [SIGNATURE_HEADER]: `sha256=${mac}` }
}

export interface WebhookVerifier {
  verify(input: {
    secretName: string
    /** The secrets to look `secretName` up in (a flow version's pinned settings); the verifier's own when absent. */
    secrets?: Record<string, string>
    rawBody: string
    headers: Record<string, string | string[] | undefined>
    toleranceSeconds: number
  }): WebhookVerdict
}

const refuse = (reason: WebhookRefusal, message: string): WebhookVerdict => ({ ok: false, reason, message })

/**
 * A verifier holding the replay memory (signatures seen in the window). `secrets` by name, or a
 * function reading them at each call (settings a developer changes apply at once).
 */
export function createWebhookVerifier(
  secrets: Record<string, string> | (() => Record<string, string>),
  now: () => Date = () => new Date(),
): WebhookVerifier {
  const current = typeof secrets === 'function' ? secrets : () => secrets
  const seen = new Map<string, number>() // signature → when it may be forgotten (ms)
  return {
    verify({ secretName, secrets: pinned, rawBody, headers, toleranceSeconds }) {
      const known = pinned ?? current()
      const secret = Object.hasOwn(known, secretName) ? known[secretName] : undefined
      if (!secret) return refuse('unknown-secret', 'This hook has no signing secret configured.')
      const header = (name: string) => {
        const value = headers[name]
        return Array.isArray(value) ? value[0] : value
      }
      const signature = header(SIGNATURE_HEADER)
      const timestamp = header(TIMESTAMP_HEADER)
      if (!signature || !timestamp) return refuse('missing-signature', 'The request is not signed.')
      const hex = /^sha256=([0-9a-f]{64})$/.exec(signature)?.[1]
      if (!hex || !/^\d{1,12}$/.test(timestamp))
        return refuse('malformed', 'The signature or timestamp header is malformed.')
      const nowMs = now().getTime()
      if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds)
        return refuse('stale', 'The signature timestamp is outside the accepted window.')
      const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest()
      if (!timingSafeEqual(expected, Buffer.from(hex, 'hex')))
        return refuse('bad-signature', 'The signature does not match.')
      for (const [key, until] of seen) if (until < nowMs) seen.delete(key)
      if (seen.has(hex)) return refuse('replay', 'This delivery was already received.')
      seen.set(hex, Number(timestamp) * 1000 + toleranceSeconds * 1000)
      return { ok: true, signature: hex }
    },
  }
}
