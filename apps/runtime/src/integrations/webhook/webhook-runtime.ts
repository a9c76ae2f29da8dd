// Wiring signed webhooks to a running Carepath runtime: published flows whose start node is
// trigger.webhook with the requested path, secrets from the settings revision each published
// version is pinned to (event routes: the current settings), runs started as the system user
// `webhook` keyed by the delivery's signature.
import type { JsonValue } from '@carepath/dsl'
import { AppError } from '../../errors.ts'
import type { Runtime } from '../../runtime.ts'
import { integrationSettingsSchema } from '../settings.schema.ts'
import { bodyText } from '../../events/event-routes.ts'
import { eventRoutesOf } from '../hl7/hl7-runtime.ts'
import { createWebhookHandler, type WebhookTarget } from './webhook.handler.ts'
import { createWebhookVerifier } from './webhook-verify.ts'

export const WEBHOOK = {
  userId: 'system:webhook',
  username: 'webhook',
  role: 'developer' as const,
  flowRoles: [] as string[],
}

/** Event routes on `path`: the verified body is a message for the runs waiting at wait.event. */
function eventTargets(runtime: Runtime, path: string): WebhookTarget[] {
  return eventRoutesOf(runtime).flatMap((route) =>
    route.via === 'webhook' && route.hook === path
      ? [
          {
            flowId: `event:${route.name}`,
            secret: route.secret,
            toleranceSeconds: route.toleranceSeconds,
            into: '',
            async deliver(body: JsonValue, signature: string) {
              const key = bodyText(body, route.keyPath)
              if (key === undefined || key === '') {
                throw new AppError('bad-input', `The body carries no ${route.keyPath} to match waiting runs by.`)
              }
              const messageId = (route.messageIdPath && bodyText(body, route.messageIdPath)) || `webhook:${signature}`
              const delivered = await runtime.events.deliver({
                name: route.name,
                key,
                messageId,
                payload: body,
                source: 'webhook',
              })
              return delivered.runIds
            },
          },
        ]
      : [],
  )
}

/** Published flows whose start node is trigger.webhook on `path`, and the event routes on it. */
export async function webhookTargets(runtime: Runtime, path: string): Promise<WebhookTarget[]> {
  return [...(await flowTargets(runtime, path)), ...eventTargets(runtime, path)]
}

async function flowTargets(runtime: Runtime, path: string): Promise<WebhookTarget[]> {
  const type = runtime.registry.get('trigger.webhook')
  if (!type) return []
  const targets: WebhookTarget[] = []
  for (const flow of await runtime.flowService.list()) {
    if (!flow.publishedHash || flow.status === 'retired') continue
    const document = (await runtime.flowService.version(flow.id, flow.publishedHash)) as
      { start?: string; nodes?: Record<string, { type: string; config: unknown }> } | undefined
    const start = document?.start ? document.nodes?.[document.start] : undefined
    if (start?.type !== 'trigger.webhook') continue
    const config = type.config.safeParse(start.config)
    if (!config.success) continue
    const c = config.data as { path: string; secret: string; toleranceSeconds: number; into: string }
    if (c.path !== path) continue
    // The secret the published version was reviewed with: its pinned settings revision's.
    const pinned = integrationSettingsSchema.safeParse(runtime.integrations.forVersion(flow.id, flow.publishedHash))
    const secrets = pinned.success ? pinned.data.webhooks.secrets : {}
    targets.push({ flowId: flow.id, secret: c.secret, secrets, toleranceSeconds: c.toleranceSeconds, into: c.into })
  }
  return targets
}

/**
 * `(req, res, path)` for `POST /api/hooks/:path`. The secrets are read at each call: a flow's from
 * its version's pinned revision, an event route's from the current settings; the replay memory
 * lives as long as the handler.
 */
export function createRuntimeWebhookHandler(runtime: Runtime, options: { maxBytes?: number } = {}) {
  const secrets = () => {
    const parsed = integrationSettingsSchema.safeParse(runtime.integrations.get())
    return parsed.success ? parsed.data.webhooks.secrets : {}
  }
  return createWebhookHandler({
    verifier: createWebhookVerifier(secrets, runtime.now),
    targets: (path) => webhookTargets(runtime, path),
    // A delivery another process took: its run (by the idempotency key the handler gives it, as
    // the runs service stores it under the starting user), or
    // for an event route keyed by the signature, its stored message.
    takenElsewhere: async (signature, target) =>
      target.deliver
        ? (await runtime.store.sql.get('SELECT 1 AS taken FROM inbound_events WHERE message_id = ?', [
            `webhook:${signature}`,
          ])) !== undefined
        : (await runtime.runs.store.runByKey(`${WEBHOOK.userId}:webhook:${signature}:${target.flowId}`)) !== undefined,
    startRun: (flowId, input: { [key: string]: JsonValue }, idempotencyKey) =>
      runtime.runs.start({ flowId, input, idempotencyKey }, WEBHOOK),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    onStartFailed: async ({ path, flowId, rawBody, idempotencyKey, error }) => {
      const reason =
        error instanceof AppError ? error.message : 'The run could not be started; the server log says where.'
      await runtime.deadLetters.record({
        source: 'webhook',
        key: idempotencyKey,
        controlId: idempotencyKey.split(':')[1] ?? '',
        messageType: `webhook:${path}`,
        sender: flowId,
        reasonCode: error instanceof AppError ? error.code : 'failed',
        reason,
        payload: rawBody,
        receivedAt: runtime.now().toISOString(),
      })
      return runtime.deadLetters.idOfKey(idempotencyKey)
    },
  })
}
