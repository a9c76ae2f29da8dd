// What every human step (task.form, task.approval, guide.question) has in common: a role whose
// work queue gets the task, and the facts that person is shown, and nothing else. Validation
// checks those facts against the role's PHI classes, so all three must declare them alike.
import { z } from 'zod'
import type { TaskRequest } from '@carepath/dsl'
import { factPathSchema } from './fact-path.schema.ts'

/** The part of a human step's config the wiring below reads. */
export interface HumanStepConfig {
  role: string
  shows: string[]
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

/** The head of the task a human step opens: the role's queue, what is asked, the facts shown. */
export function taskHead(
  config: HumanStepConfig,
  title: string,
  prompt: string | undefined,
): Pick<TaskRequest, 'role' | 'title' | 'prompt' | 'shows'> {
  return { role: config.role, title, prompt, shows: config.shows }
}
