// What every human step (task.form, task.approval, guide.question) has in common: a role whose
// work queue gets the task, and the facts that person is shown, and nothing else. Validation
// checks those facts against the role's PHI classes, so all three must declare them alike.
import { z } from 'zod'
import { NodeError, type ExecuteContext, type PortSpec, type TaskRequest } from '@carepath/dsl'
import { addBusinessTime } from './business-time.ts'
import { factPathSchema } from './fact-path.schema.ts'
import { addDuration, durationSchema, parseDuration } from './iso-duration.ts'

/**
 * The `due` config field: how long the person has, counted in calendar time or in the flow's
 * working hours, and whether the run then leaves by the `timeout` port (to page someone else,
 * say) instead of waiting on. Without `timeout` the task only shows as overdue.
 */
export const dueSchema = z
  .object({
    after: durationSchema.describe('How long the person has: PT30M, PT4H, P2D.'),
    hours: z
      .enum(['calendar', 'business'])
      .default('calendar')
      .describe('Count every hour (calendar), or only the flow’s working hours, skipping its holidays (business).'),
    timeout: z
      .boolean()
      .default(false)
      .describe('When the time is up, close the task and leave by the timeout port (else it only shows overdue).'),
  })
  .strict()
  .optional()
  .describe('When the task is due; absent: no due time.')
export type Due = z.output<typeof dueSchema>

/**
 * The role a human step has when it is dropped from the palette, before the analyst picks one
 * of the flow's roles. An empty role would say "not chosen yet" best, but a role must be a
 * kebab-case name: every stored, imported and API-sent config is checked against that, and a task
 * always lands in some queue. So the default is a name that says what to do and that no flow
 * defines: validation reports it as a role the flow lacks, naming the roles the flow does have.
 * A real-looking name (`staff`) would read as a queue someone works, which nobody does.
 */
export const UNCHOSEN_ROLE = 'choose-a-role'

/** The part of a human step's config the wiring below reads. */
export interface HumanStepConfig {
  role: string
  shows: string[]
  due?: Due
}

/** The `timeout` port a step with `due.timeout` adds to its own ports. */
export function duePorts(config: HumanStepConfig): PortSpec[] {
  return config.due?.timeout ? [{ name: 'timeout', required: true, title: 'No answer in time' }] : []
}

/** The task's due time: from the node's clock, in calendar time or the flow's working hours. */
export function dueOf(ctx: ExecuteContext, due: Due): TaskRequest['due'] {
  if (!due) return undefined
  const duration = parseDuration(due.after)!
  if (due.hours === 'calendar') return { at: addDuration(ctx.now(), duration), timeout: due.timeout }
  if (!ctx.calendar) {
    throw new NodeError('This step is due in business hours, but the flow has no working calendar.', {
      code: 'no-calendar',
    })
  }
  return { at: addBusinessTime(ctx.now(), duration, ctx.calendar), timeout: due.timeout }
}

/**
 * The `shows` config field: fact paths, none by default. `sees` completes the hint the designer
 * shows, e.g. `the approver sees` → "Facts the approver sees, and nothing else (…)".
 */
export function shownFactsSchema(sees: string) {
  return z
    .array(factPathSchema)
    .default([])
    .describe(`Facts ${sees}, and nothing else (checked against the role’s PHI).`)
}

/**
 * `reads` and `human` of a human step: it reads exactly the facts it shows, and the role in its
 * config works it. Spread into `defineNodeType({ ... })`.
 */
export const humanStepAccess = {
  reads: (config: HumanStepConfig) => config.shows,
  human: { role: (config: HumanStepConfig) => config.role, shows: (config: HumanStepConfig) => config.shows },
}

/** The head of the task a human step opens: the role's queue, what is asked, the facts shown, when it is due. */
export function taskHead(
  ctx: ExecuteContext,
  config: HumanStepConfig,
  title: string,
  prompt: string | undefined,
): Pick<TaskRequest, 'role' | 'title' | 'prompt' | 'shows' | 'due'> {
  const due = dueOf(ctx, config.due)
  return { role: config.role, title, prompt, shows: config.shows, ...(due ? { due } : {}) }
}
