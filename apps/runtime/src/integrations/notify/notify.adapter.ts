// The "notify" connector: one message through a channel. log (default) writes to an injected
// sink; email goes through SMTP (nodemailer); sms posts {to, body} to an HTTP gateway. What a
// channel may carry is enforced upstream by notify against the facts schema's PHI classes.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { createTransport } from 'nodemailer'
import { NodeError, type ConnectorAdapter } from '@carepath/dsl'
import { exchange, statusFailure, type FetchLike } from '../http/fetch-with-timeout.ts'
import type { IntegrationConfig } from '../settings.schema.ts'

const requestSchema = z.object({
  channel: z.enum(['log', 'email', 'sms']),
  to: z.string().min(3).max(320).optional(),
  subject: z.string().max(200).default(''),
  body: z.string().min(1).max(2000),
  idempotencyKey: z.string().min(1).max(200),
})

export interface NotifyAdapterDeps {
  /** Where the log channel writes (default: standard error). */
  logSink?: (line: string) => void
  fetch?: FetchLike
  /** CAs the SMTP connection trusts (the public roots plus a private CA); default the public roots. */
  trustedCa?: readonly string[] | undefined
}

export function createNotifyAdapter(
  settings: IntegrationConfig['notify'],
  deps: NotifyAdapterDeps = {},
): ConnectorAdapter {
  const logSink = deps.logSink ?? ((line: string) => console.error(line))
  const fetchImpl = deps.fetch ?? fetch
  // A retried step must not send twice: remember what each step already sent.
  const sent = new Map<string, string>()
  const smtp = settings.smtp
    ? createTransport({
        host: settings.smtp.host,
        port: settings.smtp.port,
        secure: settings.smtp.secure,
        ...(settings.smtp.user ? { auth: { user: settings.smtp.user, pass: settings.smtp.pass ?? '' } } : {}),
        tls: { rejectUnauthorized: true, ...(deps.trustedCa ? { ca: [...deps.trustedCa] } : {}) },
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      })
    : undefined

  return async (raw) => {
    const parsed = requestSchema.safeParse(raw)
    if (!parsed.success)
      throw new NodeError('The notification request is malformed.', { code: 'invalid-request', retryable: false })
    const request = parsed.data
    const already = sent.get(request.idempotencyKey)
    if (already) return { messageId: already, channel: request.channel }
    let messageId: string
    if (request.channel === 'log') {
      messageId = `log-${randomUUID()}`
      // notify lets only non-patient data into a log message; the recipient is left out.
      logSink(`notify ${messageId}: ${request.body}`)
    } else if (request.channel === 'email') {
      if (!smtp || !settings.smtp)
        throw new NodeError('No mail server is configured for this environment.', {
          code: 'not-configured',
          retryable: false,
        })
      if (!request.to) throw new NodeError('An email needs a recipient.', { code: 'invalid-request', retryable: false })
      try {
        const info = await smtp.sendMail({
          from: settings.smtp.from,
          to: request.to,
          subject: request.subject,
          text: request.body,
        })
        messageId = String(info.messageId)
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode
        // The server's own text can quote the address; only its numeric code goes out.
        throw new NodeError(
          code ? `The mail server refused the message (${code}).` : 'The mail server could not be reached.',
          // SMTP's 4xx are transient (try later), its 5xx final: the opposite of HTTP's.
          !code
            ? { code: 'unreachable', retryable: true }
            : code < 500
              ? { code: 'smtp-transient', retryable: true }
              : { code: 'smtp-refused', retryable: false },
        )
      }
    } else {
      if (!settings.sms)
        throw new NodeError('No SMS gateway is configured for this environment.', {
          code: 'not-configured',
          retryable: false,
        })
      if (!request.to) throw new NodeError('An SMS needs a recipient.', { code: 'invalid-request', retryable: false })
      const answer = await exchange(
        fetchImpl,
        settings.sms.url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...settings.sms.headers },
          body: JSON.stringify({ to: request.to, body: request.body }),
        },
        10_000,
        'the SMS gateway',
      )
      if (answer.status < 200 || answer.status >= 300) throw statusFailure('the SMS gateway', 'sms', answer)
      messageId = `sms-${randomUUID()}`
    }
    sent.set(request.idempotencyKey, messageId)
    return { messageId, channel: request.channel }
  }
}
