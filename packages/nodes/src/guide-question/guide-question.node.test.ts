import { describe, expect, it } from 'vitest'
import { AnswerError } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { guideQuestion } from './guide-question.node.ts'

const config = guideQuestion.config.parse({
  role: 'agent',
  question: 'Has the patient had a fall in the last 12 months?',
  script: 'Ask exactly as written; a near-fall counts as no.',
  shows: ['patient.firstName'],
  options: [
    { value: 'yes', label: 'Yes' },
    { value: 'no', label: 'No' },
    { value: 'declined', label: 'Declined to answer' },
  ],
  into: 'screening.fall',
})
const ctx = createFakeContext()

describe('guide.question', () => {
  it('offers one port per answer option', () => {
    expect(guideQuestion.ports(config)).toEqual([
      { name: 'yes', required: true, title: 'Yes' },
      { name: 'no', required: true, title: 'No' },
      { name: 'declined', required: true, title: 'Declined to answer' },
    ])
  })

  it('opens a task for the agent with the question, script and answer buttons', () => {
    const outcome = guideQuestion.execute(ctx, config)
    expect(outcome).toMatchObject({
      kind: 'task',
      task: {
        role: 'agent',
        title: 'Has the patient had a fall in the last 12 months?',
        prompt: 'Ask exactly as written; a near-fall counts as no.',
        shows: ['patient.firstName'],
        fields: [],
        options: [
          { value: 'yes', label: 'Yes', port: 'yes' },
          { value: 'no', label: 'No', port: 'no' },
          { value: 'declined', label: 'Declined to answer', port: 'declined' },
        ],
      },
    })
  })

  it('leaves by the chosen answer’s port and records the answer', () => {
    expect(guideQuestion.answer!(ctx, config, { value: 'declined' })).toEqual({
      kind: 'next',
      port: 'declined',
      set: { 'screening.fall': 'declined' },
    })
  })

  it('refuses unknown, missing or malformed answers', () => {
    expect(() => guideQuestion.answer!(ctx, config, { value: 'sometimes' })).toThrow(AnswerError)
    expect(() => guideQuestion.answer!(ctx, config, {})).toThrow('Choose one of: Yes, No, Declined to answer.')
    expect(() => guideQuestion.answer!(ctx, config, 'yes')).toThrow('The answer must be a set of named fields.')
    expect(() => guideQuestion.answer!(ctx, config, { value: 'yes', note: 'x' })).toThrow(AnswerError)
  })

  it('refuses configs with repeated answers, one answer only, or answers that cannot be ports', () => {
    const base = { role: 'agent', question: 'Q', into: 'a' }
    const twice = [
      { value: 'yes', label: 'Yes' },
      { value: 'yes', label: 'Sure' },
    ]
    expect(guideQuestion.config.safeParse({ ...base, options: twice }).success).toBe(false)
    expect(guideQuestion.config.safeParse({ ...base, options: [{ value: 'yes', label: 'Yes' }] }).success).toBe(false)
    const spaced = [
      { value: 'not sure', label: 'Not sure' },
      { value: 'no', label: 'No' },
    ]
    expect(guideQuestion.config.safeParse({ ...base, options: spaced }).success).toBe(false)
  })
})
