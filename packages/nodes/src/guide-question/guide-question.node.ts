import { z } from 'zod'
import { AnswerError, defineNodeType } from '@carepath/dsl'
import { factPathSchema, roleNameSchema } from '../fact-path.schema.ts'
import {
  dueSchema,
  duePorts,
  humanStepAccess,
  shownFactsSchema,
  taskHead,
  UNCHOSEN_ROLE,
} from '../human-step.schema.ts'
import { answerObject, answerOptionSchema, chosenOption, uniqueBy } from '../task-form/task-answer.ts'

export const guideQuestionConfigSchema = z
  .object({
    role: roleNameSchema.describe('The flow role (e.g. the call-centre agents) who asks the question.'),
    question: z.string().min(1).describe('The question, worded as the agent reads it out.'),
    script: z.string().optional().describe('Guidance for the agent: what to say or check before choosing an answer.'),
    shows: shownFactsSchema('the agent sees while asking'),
    options: z
      .array(answerOptionSchema)
      .min(2)
      .describe('The possible answers; each one is an output port named by its value.'),
    due: dueSchema,
    into: factPathSchema.describe('Where the chosen answer’s value is written.'),
  })
  .strict()
  .superRefine((config, ctx) => uniqueBy(config.options, (option) => option.value, ctx, 'options', 'The answer'))
export type GuideQuestionConfig = z.infer<typeof guideQuestionConfigSchema>

/** One question of an agent script: each answer leads somewhere else. */
export const guideQuestion = defineNodeType({
  type: 'guide.question',
  typeVersion: 1,
  title: 'Guided question',
  description: 'A question an agent asks (an agent script); each answer is a port of its own.',
  category: 'Human',
  icon: '?',
  keywords: ['script', 'agent', 'call', 'question', 'answer', 'branch', 'human'],
  config: guideQuestionConfigSchema,
  // A dropped step belongs to no flow yet: it says what to write instead of borrowing another
  // flow's question, and its role is the placeholder every human step starts with.
  defaults: {
    role: UNCHOSEN_ROLE,
    question: 'Write the question to ask',
    shows: [],
    options: [
      { value: 'yes', label: 'Yes' },
      { value: 'no', label: 'No' },
    ],
    into: 'answer',
  },
  ports: (config) => [
    ...config.options.map((option) => ({ name: option.value, required: true, title: option.label })),
    ...duePorts(config),
  ],
  ...humanStepAccess,
  writes: (config) => [config.into],
  // Shows only the facts in `shows` (PHI-checked); the answer's class comes from the facts schema at `into`.
  phi: [],
  connectors: [], // calls no connector
  execute: (ctx, config) => ({
    kind: 'task',
    task: {
      ...taskHead(ctx, config, config.question, config.script),
      fields: [],
      options: config.options.map((option) => ({ ...option, port: option.value })),
    },
  }),
  answer(_ctx, config, answer) {
    const values = answerObject(answer)
    const extra = Object.keys(values).find((key) => key !== 'value')
    if (extra !== undefined) throw new AnswerError('The answer has a field this step does not ask for.', extra)
    const option = chosenOption(config.options, values)
    return { kind: 'next', port: option.value, set: { [config.into]: option.value } }
  },
})
