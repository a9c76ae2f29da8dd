import { describe, expect, it } from 'vitest'
import { NodeError } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { subflow } from './subflow.node.ts'

const hash = 'ab'.repeat(32)
const config = subflow.config.parse({
  flowId: 'eligibility-verification',
  hash,
  input: [
    { to: 'patient', from: 'intake.patient' },
    { to: 'coverage.memberId', from: 'intake.memberId' },
    { to: 'coverage.payerId', from: 'intake.payerId' },
  ],
  outcomes: ['self-pay'],
  into: 'eligibility',
})

describe('subflow', () => {
  it('starts the pinned version with the mapped input, leaving absent facts out', () => {
    const ctx = createFakeContext({ facts: { intake: { patient: { firstName: 'Ada' }, memberId: 'W1' } } })
    expect(subflow.execute(ctx, config)).toEqual({
      kind: 'subflow',
      flowId: 'eligibility-verification',
      hash,
      input: { patient: { firstName: 'Ada' }, coverage: { memberId: 'W1' } },
      into: 'eligibility',
    })
  })

  it('offers a port per listed child outcome, then done and error', () => {
    expect(subflow.ports(config).map((port) => [port.name, port.required])).toEqual([
      ['self-pay', true],
      ['done', true],
      ['error', false],
    ])
    expect(subflow.reads(config)).toEqual(['intake.patient', 'intake.memberId', 'intake.payerId'])
    expect(subflow.writes(config)).toEqual(['eligibility'])
  })

  it('asks for a flow and a pinned version until both are set', () => {
    const empty = subflow.config.parse(subflow.defaults)
    const env = { factsSchema: { type: 'object' as const }, roles: {} }
    expect(subflow.check!(empty, env).map((problem) => problem.path)).toEqual(['flowId', 'hash'])
    expect(subflow.check!(config, env)).toEqual([])
    expect(() => subflow.execute(createFakeContext(), empty)).toThrow(NodeError)
  })

  it('refuses a hash that is not a content hash, overlapping inputs and reserved outcomes', () => {
    const base = { flowId: 'x', into: 'r' }
    expect(subflow.config.safeParse({ ...base, hash: 'latest' }).success).toBe(false)
    const overlap = [
      { to: 'a', from: 'x' },
      { to: 'a.b', from: 'y' },
    ]
    expect(subflow.config.safeParse({ ...base, hash, input: overlap }).success).toBe(false)
    expect(subflow.config.safeParse({ ...base, hash, outcomes: ['done'] }).success).toBe(false)
  })
})
