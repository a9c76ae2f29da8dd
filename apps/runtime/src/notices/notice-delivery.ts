// Delivering a change notice outside the app, through the channels alerts use: e-mail through
// the notify connector's SMTP, a webhook through the http connector (its allow-list applies).
// In-app recipients need no delivery: their inbox row is the notice.
import type { ConnectorAdapter } from '@carepath/dsl'
import type { Recipient } from '../operations/alert-rules.schema.ts'

/** How one recipient was reached (or why not), as the notice keeps it. */
export interface Delivery {
  to: string
  channel: 'in-app' | 'email' | 'webhook'
  ok: boolean
  error?: string
}

/**
 * A recipient as records name it: `user:alice`, `email:team@example.org`, or a webhook by its
 * host only (a webhook's path or query may hold a secret token).
 */
export function recipientName(r: Recipient): string {
  if ('user' in r) return `user:${r.user}`
  if ('email' in r) return `email:${r.email}`
  return `webhook:${new URL(r.webhook).host}`
}

/** What is sent: a subject line and plain sentences (flow structure and counts, never patient data). */
export interface NoticeMessage {
  id: string
  flowId: string
  kind: string
  hash: string | null
  title: string
  summary: readonly string[]
}

export async function deliverNotice(
  connectors: Record<string, ConnectorAdapter>,
  recipients: readonly Recipient[],
  message: NoticeMessage,
): Promise<Delivery[]> {
  const out: Delivery[] = []
  for (const r of recipients) {
    const to = recipientName(r)
    if ('user' in r) {
      out.push({ to, channel: 'in-app', ok: true })
      continue
    }
    const channel = 'email' in r ? 'email' : 'webhook'
    const meta = { runId: `notice:${message.id}`, nodeId: 'change-notice', attempt: 1 }
    try {
      const sent =
        'email' in r
          ? await connectors['notify']?.(
              {
                channel: 'email',
                to: r.email,
                subject: `Carepath: ${message.title}`,
                body: [message.title, '', ...message.summary].join('\n'),
                idempotencyKey: `notice:${message.id}:${r.email}`,
              },
              meta,
            )
          : await connectors['http']?.(
              {
                method: 'POST',
                url: r.webhook,
                body: {
                  notice: message.id,
                  flow: message.flowId,
                  kind: message.kind,
                  hash: message.hash,
                  title: message.title,
                  summary: [...message.summary],
                },
                timeoutMs: 5000,
              },
              meta,
            )
      if (sent === undefined)
        throw new Error(`the ${channel === 'email' ? 'notify' : 'http'} connector is not configured`)
      // The http connector answers every status; a webhook that refused the notice did not get it.
      const status = sent !== null && typeof sent === 'object' && !Array.isArray(sent) ? sent['status'] : undefined
      if (typeof status === 'number' && status >= 400) throw new Error(`the webhook answered ${status}`)
      out.push({ to, channel, ok: true })
    } catch (error) {
      out.push({ to, channel, ok: false, error: error instanceof Error ? error.message : 'not delivered' })
    }
  }
  return out
}
