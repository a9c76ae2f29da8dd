import { describe, expect, it } from 'vitest'
import { AnswerError, type JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { taskForm } from './task-form.node.ts'

const config = taskForm.config.parse({
  role: 'front-desk',
  title: 'Ask the patient for their insurance card',
  prompt: 'Record payer and member id, or mark the visit self-pay.',
  shows: ['patient.firstName', 'appointment.date'],
  fields: [
    { name: 'memberId', label: 'Member id', type: 'string' },
    { name: 'selfPay', label: 'Patient will self-pay', type: 'boolean', required: true },
    { name: 'copay', label: 'Copay', type: 'number' },
    { name: 'cardDate', label: 'Card issued', type: 'date' },
    {
      name: 'plan',
      label: 'Plan',
      type: 'choice',
      options: [
        { value: 'ppo', label: 'PPO' },
        { value: 'hmo', label: 'HMO' },
      ],
    },
  ],
  into: 'coverage',
})
const ctx = createFakeContext()
const answer = (value: JsonValue) => taskForm.answer!(ctx, config, value)

function refusal(value: JsonValue): AnswerError {
  try {
    answer(value)
  } catch (error) {
    if (error instanceof AnswerError) return error
    throw error
  }
  throw new Error('the answer was accepted')
}

describe('task.form', () => {
  it('opens a task for the role that shows only the listed facts', () => {
    expect(taskForm.execute(ctx, config)).toEqual({
      kind: 'task',
      task: {
        role: 'front-desk',
        title: 'Ask the patient for their insurance card',
        prompt: 'Record payer and member id, or mark the visit self-pay.',
        shows: ['patient.firstName', 'appointment.date'],
        fields: [
          { name: 'memberId', label: 'Member id', type: 'string', required: false, options: undefined },
          { name: 'selfPay', label: 'Patient will self-pay', type: 'boolean', required: true, options: undefined },
          { name: 'copay', label: 'Copay', type: 'number', required: false, options: undefined },
          { name: 'cardDate', label: 'Card issued', type: 'date', required: false, options: undefined },
          {
            name: 'plan',
            label: 'Plan',
            type: 'choice',
            required: false,
            options: [
              { value: 'ppo', label: 'PPO' },
              { value: 'hmo', label: 'HMO' },
            ],
          },
        ],
      },
    })
    expect(taskForm.human?.role(config)).toBe('front-desk')
    expect(taskForm.human?.shows(config)).toEqual(['patient.firstName', 'appointment.date'])
  })

  it('writes each answer under `into` and continues on submitted; blanks become null', () => {
    expect(answer({ memberId: 'W123', selfPay: false, copay: 25, plan: 'ppo', cardDate: '2024-02-29' })).toEqual({
      kind: 'next',
      port: 'submitted',
      set: {
        'coverage.memberId': 'W123',
        'coverage.selfPay': false,
        'coverage.copay': 25,
        'coverage.cardDate': '2024-02-29',
        'coverage.plan': 'ppo',
      },
    })
    expect(answer({ selfPay: true, memberId: '  ' })).toMatchObject({
      set: { 'coverage.memberId': null, 'coverage.selfPay': true, 'coverage.copay': null },
    })
    expect(taskForm.writes(config)).toEqual([
      'coverage.memberId',
      'coverage.selfPay',
      'coverage.copay',
      'coverage.cardDate',
      'coverage.plan',
    ])
  })

  it('refuses bad answers with a plain message and the field, without echoing the value', () => {
    expect(refusal({ memberId: 'W123' })).toMatchObject({
      message: '"Patient will self-pay" is required.',
      path: 'selfPay',
    })
    expect(refusal({ selfPay: 'yes' })).toMatchObject({
      message: '"Patient will self-pay" must be yes or no.',
      path: 'selfPay',
    })
    expect(refusal({ selfPay: true, copay: '25' })).toMatchObject({
      message: '"Copay" must be a number.',
      path: 'copay',
    })
    expect(refusal({ selfPay: true, cardDate: '2025-02-30' })).toMatchObject({ path: 'cardDate' })
    expect(refusal({ selfPay: true, plan: 'medicaid' })).toMatchObject({
      message: '"Plan" must be one of: PPO, HMO.',
      path: 'plan',
    })
    expect(refusal({ selfPay: true, ssn: '123-45-6789' })).toMatchObject({ path: 'ssn' })
    expect(refusal({ selfPay: true, ssn: '123-45-6789' }).message).not.toContain('123-45-6789')
    expect(refusal(['W123'])).toMatchObject({ message: 'The answer must be a set of named fields.' })
  })

  it('refuses configs with repeated fields or choice fields without options', () => {
    const base = { role: 'front-desk', title: 'T', into: 'x' }
    const twice = {
      ...base,
      fields: [
        { name: 'a', label: 'A', type: 'string' },
        { name: 'a', label: 'B', type: 'number' },
      ],
    }
    expect(taskForm.config.safeParse(twice).success).toBe(false)
    expect(taskForm.config.safeParse({ ...base, fields: [{ name: 'a', label: 'A', type: 'choice' }] }).success).toBe(
      false,
    )
    expect(taskForm.config.safeParse({ ...base, fields: [] }).success).toBe(false)
  })

  it('a file field takes an attachment reference (id and sha256) and nothing else', () => {
    const withFile = taskForm.config.parse({
      role: 'integration',
      title: 'Upload the test evidence',
      fields: [{ name: 'evidence', label: 'Test evidence', type: 'file', required: true }],
      into: 'testing',
    })
    const send = (value: JsonValue) => taskForm.answer!(ctx, withFile, { evidence: value })
    const reference = { attachment: 'a1b2c3d4-0000-4000-8000-000000000001', sha256: 'ab'.repeat(32) }
    expect(send(reference)).toEqual({ kind: 'next', port: 'submitted', set: { 'testing.evidence': reference } })
    for (const bad of [
      'mapping.csv',
      { attachment: 'x' },
      { ...reference, sha256: 'nope' },
      { ...reference, name: 'a' },
    ])
      expect(() => send(bad)).toThrow(/"Test evidence" must be a file attached to this task/)
    expect(() => taskForm.answer!(ctx, withFile, {})).toThrow(/"Test evidence" is required/)
  })
})
