import { z } from 'zod'
import { defineNodeType, NodeError, PHI_CLASSES } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'

export const triggerWebhookConfigSchema = z
  .object({
    path: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a URL segment in kebab-case, like lab-results')
      .describe('The hook’s address: POST /api/hooks/<path>.'),
    secret: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'the name of a secret in the environment settings')
      .default('default')
      .describe('Name of the signing secret in the environment settings (the secret itself never sits in the flow).'),
    toleranceSeconds: z
      .number()
      .int()
      .min(30)
      .max(3600)
      .default(300)
      .describe('How far the signed timestamp may be from the server clock.'),
    into: factPathSchema.default('webhook').describe('Where the verified JSON body goes.'),
  })
  .strict()
export type TriggerWebhookConfig = z.infer<typeof triggerWebhookConfigSchema>

/**
 * Entry point for signed webhooks. The runtime verifies the HMAC-SHA256 signature, the timestamp
 * window and replays before a run starts; only then does the body reach `into`.
 */
export const triggerWebhook = defineNodeType({
  type: 'trigger.webhook',
  typeVersion: 1,
  title: 'Signed webhook',
  description:
    'Starts a run when a system posts a JSON body signed with the shared secret (HMAC-SHA256, timestamped, never replayed).',
  category: 'Trigger',
  icon: '⇴',
  keywords: ['webhook', 'hmac', 'signature', 'callback', 'start', 'inbound'],
  trigger: true,
  config: triggerWebhookConfigSchema,
  defaults: { path: 'incoming', secret: 'default', toleranceSeconds: 300, into: 'webhook' },
  ports: () => [{ name: 'next', required: true, title: 'Received' }],
  reads: (config) => [config.into],
  writes: () => [],
  phi: PHI_CLASSES.filter((phi) => phi !== 'none'), // the sender decides what the body holds
  connectors: [], // calls no connector
  execute(ctx, config) {
    const body = ctx.get(config.into)
    if (body === undefined || body === null) {
      throw new NodeError(`The run has no webhook body at ${config.into}.`, { code: 'missing-input' })
    }
    return { kind: 'next', port: 'next' }
  },
})
