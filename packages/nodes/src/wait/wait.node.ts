import { z } from 'zod'
import { defineNodeType, NodeError } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { addDuration, durationSchema, parseDuration, toInstant } from '../iso-duration.ts'

export const waitConfigSchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('duration').describe('Wait a fixed time from when the run reaches this step.'),
      duration: durationSchema.describe('How long to wait, as an ISO-8601 duration: PT30M, P2D, P1M.'),
    })
    .strict(),
  z
    .object({
      mode: z.literal('until').describe('Wait until the date or date-time held in a fact.'),
      untilFrom: factPathSchema.describe('Fact holding the date (midnight UTC) or date-time to wait for.'),
      offset: durationSchema
        .optional()
        .describe('Optional time added to that date, e.g. P1D for the day after, PT8H for 08:00 UTC.'),
    })
    .strict(),
])
export type WaitConfig = z.infer<typeof waitConfigSchema>

/** The instant a wait step is due, computed only from the injected clock and the facts. */
function dueAt(now: string, config: WaitConfig, value: unknown): string {
  if (config.mode === 'duration') return addDuration(now, parseDuration(config.duration)!)
  const instant = toInstant(value)
  if (!instant) {
    throw new NodeError(`The fact ${config.untilFrom} does not hold a date to wait for.`, { code: 'invalid-date' })
  }
  return config.offset ? addDuration(instant, parseDuration(config.offset)!) : instant
}

/** Pause the run until a time, then continue on `due`. A date already past is due at once. */
export const wait = defineNodeType({
  type: 'wait',
  typeVersion: 1,
  title: 'Wait',
  description: 'Pauses the run for a while or until a date, then continues.',
  category: 'Flow',
  icon: '◔',
  keywords: ['timer', 'delay', 'sleep', 'until', 'reminder'],
  config: waitConfigSchema,
  defaults: { mode: 'duration', duration: 'P1D' },
  // Waiting on a fact can fail (the fact holds no date); that may be routed on `error`.
  ports: (config) => [
    { name: 'due', required: true, title: 'Time is up' },
    ...(config.mode === 'until' ? [{ name: 'error', required: false, title: 'No date' }] : []),
  ],
  reads: (config) => (config.mode === 'until' ? [config.untilFrom] : []),
  writes: () => [],
  phi: [], // reads a date only to schedule the run; never shows or sends it
  connectors: [], // calls no connector
  execute(ctx, config) {
    const value = config.mode === 'until' ? ctx.get(config.untilFrom) : undefined
    return { kind: 'wait', until: dueAt(ctx.now(), config, value), port: 'due' }
  },
})
