import { describe, expect, it } from 'vitest'
import { AnswerError, type JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { taskApproval } from './task-approval.node.ts'

const config = taskApproval.config.parse({
  role: 'billing-lead',
  title: 'Approve the financial hardship discount',
  shows: ['estimate.total'],
  into: 'discount.decision',
  comment: 'required-on-reject',
  commentInto: 'discount.comment',
})
const ctx = createFakeContext()
const answer = (value: JsonValue) => taskApproval.answer!(ctx, config, value)

describe('task.approval', () => {
  it('opens a task with approve and reject buttons and a comment field', () => {
    expect(taskApproval.execute(ctx, config)).toEqual({
      kind: 'task',
      task: {
        role: 'billing-lead',
        title: 'Approve the financial hardship discount',
        prompt: undefined,
        shows: ['estimate.total'],
        fields: [{ name: 'comment', label: 'Comment (required when rejecting)', type: 'string', required: false }],
        options: [
          { value: 'approved', label: 'Approve', port: 'approved' },
          { value: 'rejected', label: 'Reject', port: 'rejected' },
        ],
      },
    })
    expect(taskApproval.ports(config).map((port) => port.name)).toEqual(['approved', 'rejected'])
  })

  it('routes by the decision and writes it with the comment', () => {
    expect(answer({ value: 'approved' })).toEqual({
      kind: 'next',
      port: 'approved',
      set: { 'discount.decision': 'approved', 'discount.comment': null },
    })
    expect(answer({ value: 'rejected', comment: 'Income above the limit.' })).toEqual({
      kind: 'next',
      port: 'rejected',
      set: { 'discount.decision': 'rejected', 'discount.comment': 'Income above the limit.' },
    })
    expect(taskApproval.writes(config)).toEqual(['discount.decision', 'discount.comment'])
  })

  it('refuses a rejection without a reason, unknown decisions and extra fields', () => {
    expect(() => answer({ value: 'rejected', comment: ' ' })).toThrow(new AnswerError('Say why you reject.', 'comment'))
    expect(() => answer({ value: 'maybe' })).toThrow('That answer is not one of: Approve, Reject.')
    expect(() => answer({})).toThrow('Choose one of: Approve, Reject.')
    expect(() => answer({ value: 'approved', comment: 42 })).toThrow('The comment must be text.')
    expect(() => answer({ value: 'approved', amount: 10 })).toThrow(AnswerError)
  })

  it('needs a place for the comment unless comments are off', () => {
    const base = { role: 'r', title: 'T', into: 'd' }
    expect(taskApproval.config.safeParse({ ...base, comment: 'optional' }).success).toBe(false)
    expect(taskApproval.config.safeParse({ ...base, comment: 'none' }).success).toBe(true)
    const silent = taskApproval.config.parse({ ...base, comment: 'none' })
    expect(taskApproval.writes(silent)).toEqual(['d'])
    expect(() => taskApproval.answer!(ctx, silent, { value: 'approved', comment: 'hi' })).toThrow(AnswerError)
  })
})
