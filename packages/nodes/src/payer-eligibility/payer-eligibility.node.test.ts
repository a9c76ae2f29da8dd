import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { payerEligibility } from './payer-eligibility.node.ts'

const config = payerEligibility.config.parse({
  format: 'x12',
  payer: 'acme',
  memberIdFrom: 'coverage.memberId',
  lastNameFrom: 'patient.family',
  firstNameFrom: 'patient.given',
  birthDateFrom: 'patient.birthDate',
})
const facts = { coverage: { memberId: 'M123' }, patient: { family: 'Smith', given: 'John', birthDate: '1963-05-19' } }
const run = (answer: JsonValue, input: Record<string, JsonValue> = facts) => {
  const ctx = createFakeContext({
    facts: input,
    now: '2025-03-01T10:00:00Z',
    connectors: { payer: async () => answer },
  })
  return { ctx, outcome: payerEligibility.execute(ctx, config) }
}

describe('payer.eligibility', () => {
  it('sends the member from the facts and routes an active answer with its benefits', async () => {
    const { ctx, outcome } = run({
      status: 'active',
      plan: 'GOLD 123 PLAN',
      copay: 25,
      deductible: 1500,
      deductibleRemaining: 200,
    })
    expect(await outcome).toEqual({
      kind: 'next',
      port: 'active',
      set: {
        eligibility: {
          status: 'active',
          active: true,
          plan: 'GOLD 123 PLAN',
          copay: 25,
          deductible: 1500,
          deductibleRemaining: 200,
          rejections: [],
          payerUnavailable: false,
          invalidMember: false,
        },
      },
    })
    expect(ctx.calls[0]!.request).toEqual({
      format: 'x12',
      payer: 'acme',
      serviceType: '30',
      asOf: '2025-03-01',
      member: { id: 'M123', lastName: 'Smith', firstName: 'John', birthDate: '1963-05-19' },
    })
  })

  it('routes rejections and flags invalid member id (72) and payer unavailable (42)', async () => {
    const invalid = await run({
      status: 'rejected',
      rejections: [{ code: '72', reason: 'Invalid/Missing Subscriber/Insured ID' }],
    }).outcome
    expect(invalid).toMatchObject({
      port: 'rejected',
      set: { eligibility: { invalidMember: true, payerUnavailable: false } },
    })
    const down = await run({
      status: 'rejected',
      rejections: [{ code: '42', reason: 'Unable to Respond at Current Time' }],
    }).outcome
    expect(down).toMatchObject({
      port: 'rejected',
      set: { eligibility: { invalidMember: false, payerUnavailable: true } },
    })
    expect(await run({ status: 'inactive', plan: null }).outcome).toMatchObject({
      port: 'inactive',
      set: { eligibility: { active: false } },
    })
  })

  it('refuses missing or malformed member facts before calling the payer, and odd answers after', async () => {
    const missing = run({ status: 'active' }, { patient: { family: 'Smith', birthDate: '1963-05-19', given: 'J' } })
    await expect(missing.outcome).rejects.toThrow('The fact coverage.memberId holds no member id.')
    expect(missing.ctx.calls).toHaveLength(0)
    await expect(
      run({ status: 'active' }, { ...facts, patient: { ...facts.patient, birthDate: '05/19/1963' } }).outcome,
    ).rejects.toThrow('is not a date')
    await expect(run({ status: 'maybe' }).outcome).rejects.toThrow('not an eligibility result')
  })
})
