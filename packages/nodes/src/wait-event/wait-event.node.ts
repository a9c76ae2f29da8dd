import { z } from 'zod'
import { defineNodeType, NodeError } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { addDuration, durationSchema, parseDuration } from '../iso-duration.ts'

export const waitEventConfigSchema = z
  .object({
    event: z
      .string()
      .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'a message name in lower case, dotted, like sms.reply')
      .describe('The name of the message to wait for, as the sender delivers it (e.g. sms.reply).'),
    correlateOn: factPathSchema.describe(
      'The fact whose value the message must carry as its key (e.g. appointment.id): only that run wakes.',
    ),
    into: factPathSchema.describe('Where the message’s payload is written when it arrives.'),
    timeout: durationSchema
      .optional()
      .describe('How long to wait (ISO-8601, e.g. P2D); then the run leaves by timeout. Absent: it waits on.'),
  })
  .strict()
export type WaitEventConfig = z.infer<typeof waitEventConfigSchema>

/**
 * Pause the run until a message with the run's correlation key arrives (an SMS reply, a result
 * message, an outside system's callback), then continue on `received` with its payload at `into`.
 * Inbound webhooks, HL7 messages and API calls deliver to it; a message that arrives before the
 * run waits is kept for a while and delivered when it does.
 */
export const waitEvent = defineNodeType({
  type: 'wait.event',
  typeVersion: 1,
  title: 'Wait for a message',
  description: 'Pauses the run until a message carrying its key arrives (a reply, a callback), or a timeout.',
  category: 'Flow',
  icon: '↯',
  keywords: ['wait', 'event', 'message', 'reply', 'callback', 'correlate', 'resume', 'webhook'],
  config: waitEventConfigSchema,
  // Neither name can be empty; both say what they stand for instead of another flow's SMS reply to
  // an appointment. Validation reports the key until the analyst picks or declares the fact.
  defaults: { event: 'reply', correlateOn: 'request.id', into: 'reply', timeout: 'P1D' },
  ports: (config) => [
    { name: 'received', required: true, title: 'Message received' },
    ...(config.timeout ? [{ name: 'timeout', required: true, title: 'No message in time' }] : []),
    { name: 'error', required: false, title: 'No key to wait on' },
  ],
  reads: (config) => [config.correlateOn],
  writes: (config) => [config.into],
  // Waits on a key read from the facts and writes the payload where the facts schema classifies it.
  phi: [],
  connectors: [], // calls no connector: the runtime delivers the message
  execute(ctx, config) {
    const key = ctx.get(config.correlateOn)
    if (typeof key !== 'string' && typeof key !== 'number') {
      throw new NodeError(`The fact ${config.correlateOn} holds no key to wait on.`, { code: 'missing-key' })
    }
    const until = config.timeout ? addDuration(ctx.now(), parseDuration(config.timeout)!) : undefined
    return { kind: 'event', name: config.event, key: String(key), until, into: config.into }
  },
})
