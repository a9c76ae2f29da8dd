import { z } from 'zod'
import { AnswerError, defineNodeType, type JsonValue, type TaskField } from '@carepath/dsl'
import { factPathSchema, roleNameSchema } from '../fact-path.schema.ts'
import {
  dueSchema,
  duePorts,
  humanStepAccess,
  shownFactsSchema,
  taskHead,
  UNCHOSEN_ROLE,
} from '../human-step.schema.ts'
import { answerObject, chosenOption } from '../task-form/task-answer.ts'

export const taskApprovalConfigSchema = z
  .object({
    role: roleNameSchema.describe('The flow role whose work queue gets the approval.'),
    title: z.string().min(1).describe('What is to be approved, as the inbox shows it.'),
    prompt: z.string().optional().describe('What the approver should check before deciding.'),
    shows: shownFactsSchema('the approver sees'),
    due: dueSchema,
    into: factPathSchema.describe('Where the decision (approved or rejected) is written.'),
    comment: z
      .enum(['none', 'optional', 'required-on-reject', 'required'])
      .default('optional')
      .describe('Whether the approver writes a comment: never, may, must when rejecting, or always.'),
    commentInto: factPathSchema.optional().describe('Where the comment is written (needed unless comment is none).'),
    approveLabel: z.string().min(1).default('Approve').describe('Text on the approve button.'),
    rejectLabel: z.string().min(1).default('Reject').describe('Text on the reject button.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.comment !== 'none' && !config.commentInto) {
      ctx.addIssue({
        code: 'custom',
        path: ['commentInto'],
        message: 'say where the comment is written, or set comment to none',
      })
    }
  })
export type TaskApprovalConfig = z.infer<typeof taskApprovalConfigSchema>

function commentField(config: TaskApprovalConfig): TaskField[] {
  if (config.comment === 'none') return []
  const label = config.comment === 'required-on-reject' ? 'Comment (required when rejecting)' : 'Comment'
  return [{ name: 'comment', label, type: 'string', required: config.comment === 'required' }]
}

/** An approve/reject decision by a person; the run continues on `approved` or `rejected`. */
export const taskApproval = defineNodeType({
  type: 'task.approval',
  typeVersion: 1,
  title: 'Approval',
  description: 'Asks a person in a role to approve or reject; the run waits for the decision.',
  category: 'Human',
  icon: '✓',
  keywords: ['human', 'approve', 'reject', 'sign-off', 'review', 'task'],
  config: taskApprovalConfigSchema,
  defaults: {
    role: UNCHOSEN_ROLE,
    title: 'Review this request',
    shows: [],
    into: 'approval.decision',
    comment: 'none',
  },
  ports: (config) => [
    { name: 'approved', required: true, title: 'Approved' },
    { name: 'rejected', required: true, title: 'Rejected' },
    ...duePorts(config),
  ],
  ...humanStepAccess,
  writes: (config) =>
    config.commentInto && config.comment !== 'none' ? [config.into, config.commentInto] : [config.into],
  // Shows only the facts in `shows` (PHI-checked against the role); the decision is a code.
  phi: [],
  connectors: [], // calls no connector
  execute: (ctx, config) => ({
    kind: 'task',
    task: {
      ...taskHead(ctx, config, config.title, config.prompt),
      fields: commentField(config),
      options: [
        { value: 'approved', label: config.approveLabel, port: 'approved' },
        { value: 'rejected', label: config.rejectLabel, port: 'rejected' },
      ],
    },
  }),
  answer(_ctx, config, answer) {
    const values = answerObject(answer)
    for (const key of Object.keys(values)) {
      if (key !== 'value' && !(key === 'comment' && config.comment !== 'none')) {
        throw new AnswerError('The answer has a field this step does not ask for.', key)
      }
    }
    const option = chosenOption(
      [
        { value: 'approved', label: config.approveLabel },
        { value: 'rejected', label: config.rejectLabel },
      ],
      values,
    )
    const raw = values['comment']
    if (raw !== undefined && raw !== null && typeof raw !== 'string')
      throw new AnswerError('The comment must be text.', 'comment')
    const comment = typeof raw === 'string' && raw.trim() !== '' ? raw : null
    const needed =
      config.comment === 'required' || (config.comment === 'required-on-reject' && option.value === 'rejected')
    if (needed && comment === null) {
      throw new AnswerError(option.value === 'rejected' ? 'Say why you reject.' : 'A comment is required.', 'comment')
    }
    const set: Record<string, JsonValue> = { [config.into]: option.value }
    if (config.commentInto && config.comment !== 'none') set[config.commentInto] = comment
    return { kind: 'next', port: option.value, set }
  },
})
