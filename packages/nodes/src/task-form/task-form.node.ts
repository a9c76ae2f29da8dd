import { z } from 'zod'
import { defineNodeType } from '@carepath/dsl'
import { factPathSchema, roleNameSchema } from '../fact-path.schema.ts'
import {
  dueSchema,
  duePorts,
  humanStepAccess,
  shownFactsSchema,
  taskHead,
  UNCHOSEN_ROLE,
} from '../human-step.schema.ts'
import { answerObject, checkFields, taskFieldSchema, toTaskFields, uniqueBy } from './task-answer.ts'

export const taskFormConfigSchema = z
  .object({
    role: roleNameSchema.describe('The flow role whose work queue gets this task.'),
    title: z.string().min(1).describe('What the task asks, as the inbox shows it.'),
    prompt: z.string().optional().describe('Instructions shown above the form.'),
    shows: shownFactsSchema('the person sees while filling in the form'),
    fields: z.array(taskFieldSchema).min(1).describe('The form fields to fill in.'),
    due: dueSchema,
    into: factPathSchema.describe('Where the answers go: each field is written to `<into>.<field name>`.'),
  })
  .strict()
  .superRefine((config, ctx) => uniqueBy(config.fields, (field) => field.name, ctx, 'fields', 'The field'))
export type TaskFormConfig = z.infer<typeof taskFormConfigSchema>

/** A form a person fills in; the run waits until it is submitted. */
export const taskForm = defineNodeType({
  type: 'task.form',
  typeVersion: 1,
  title: 'Form task',
  description: 'Asks a person in a role to fill in a form; the run waits for the answer.',
  category: 'Human',
  icon: '✎',
  keywords: ['human', 'form', 'input', 'task', 'inbox', 'manual'],
  config: taskFormConfigSchema,
  defaults: {
    role: UNCHOSEN_ROLE,
    title: 'Complete the form',
    shows: [],
    fields: [{ name: 'note', label: 'Note', type: 'string', required: false }],
    into: 'form',
  },
  ports: (config) => [{ name: 'submitted', required: true, title: 'Submitted' }, ...duePorts(config)],
  ...humanStepAccess,
  writes: (config) => config.fields.map((field) => `${config.into}.${field.name}`),
  // Shows only the facts in `shows` and stores answers where the facts schema classifies
  // them; validation checks both against the role's PHI classes, so the type itself adds none.
  phi: [],
  connectors: [], // calls no connector
  execute: (ctx, config) => ({
    kind: 'task',
    task: {
      ...taskHead(ctx, config, config.title, config.prompt),
      fields: toTaskFields(config.fields),
    },
  }),
  answer(_ctx, config, answer) {
    const values = checkFields(config.fields, answerObject(answer))
    const set = Object.fromEntries(Object.entries(values).map(([name, value]) => [`${config.into}.${name}`, value]))
    return { kind: 'next', port: 'submitted', set }
  },
})
