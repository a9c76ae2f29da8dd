import { z } from 'zod'
import { defineNodeType } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { addDuration, durationSchema, parseDuration } from '../iso-duration.ts'
import { isTimeZone, nextCronTime, parseCron } from './cron.ts'

export const triggerScheduleConfigSchema = z
  .object({
    schedule: z
      .discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('interval').describe('Start a run at a fixed interval after the previous one.'),
            every: durationSchema.describe('Time between runs, as an ISO-8601 duration: PT15M, PT1H, P1D.'),
          })
          .strict(),
        z
          .object({
            kind: z.literal('cron').describe('Start runs at the times a cron expression names.'),
            cron: z
              .string()
              .superRefine((text, ctx) => {
                const parsed = parseCron(text)
                if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed })
              })
              .describe('Five fields: minute hour day-of-month month day-of-week, e.g. "0 7 * * MON-FRI".'),
          })
          .strict(),
      ])
      .describe('When runs start.'),
    timezone: z
      .string()
      .refine(isTimeZone, 'an IANA time zone such as America/Chicago or UTC')
      .default('UTC')
      .describe('The time zone cron times are read in (IANA name, e.g. America/Chicago).'),
    overlap: z
      .enum(['skip', 'queue', 'allow'])
      .default('skip')
      .describe(
        'When a time comes while the previous scheduled run is still going: skip this time, queue it until that run ends, or allow both at once.',
      ),
    catchUp: z
      .enum(['skip', 'fire'])
      .default('fire')
      .describe(
        'Times missed while the runtime was down (more than a minute late): fire them on start-up, up to the limit, or skip them.',
      ),
    catchUpLimit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(1)
      .describe('At most this many missed times are fired (the latest ones); older missed times are skipped.'),
    into: factPathSchema
      .optional()
      .describe('Where the run gets the time it was scheduled for (ISO-8601), e.g. schedule.at; none when absent.'),
  })
  .strict()
export type TriggerScheduleConfig = z.infer<typeof triggerScheduleConfigSchema>

/**
 * When a schedule next fires after `after` (the previous run, or the moment it was published).
 * The runtime's scheduler calls this with its injected clock; undefined means never.
 */
export function nextScheduledRun(config: TriggerScheduleConfig, after: string): string | undefined {
  const { schedule } = config
  if (schedule.kind === 'interval') return addDuration(after, parseDuration(schedule.every)!)
  const cron = parseCron(schedule.cron)
  return typeof cron === 'string' ? undefined : nextCronTime(cron, config.timezone, after)
}

/**
 * The times a schedule fires in `(after, until]`, oldest first, at most `limit` of them; `more`
 * says whether the list was cut short (the scheduler then knows ticks were left out).
 */
export function scheduledTimesBetween(
  config: TriggerScheduleConfig,
  after: string,
  until: string,
  limit: number,
): { times: string[]; more: boolean } {
  const times: string[] = []
  let at = nextScheduledRun(config, after)
  while (at !== undefined && at <= until) {
    if (times.length === limit) return { times, more: true }
    times.push(at)
    at = nextScheduledRun(config, at)
  }
  return { times, more: false }
}

/** Entry point for runs the runtime starts on a schedule (daily work lists, reminders). */
export const triggerSchedule = defineNodeType({
  type: 'trigger.schedule',
  typeVersion: 1,
  title: 'Schedule',
  description: 'Starts a run at set times: every interval, or at times given as a cron expression.',
  category: 'Trigger',
  icon: '◷',
  keywords: ['cron', 'timer', 'daily', 'every', 'batch', 'start'],
  trigger: true,
  config: triggerScheduleConfigSchema,
  defaults: {
    schedule: { kind: 'cron', cron: '0 7 * * MON-FRI' },
    timezone: 'UTC',
    overlap: 'skip',
    catchUp: 'fire',
    catchUpLimit: 1,
  },
  ports: () => [{ name: 'next', required: true, title: 'Started' }],
  reads: (config) => (config.into ? [config.into] : []),
  writes: () => [],
  phi: [], // starts runs on a timer; the scheduled time is no patient data
  connectors: [], // calls no connector
  execute: () => ({ kind: 'next', port: 'next' }),
})
