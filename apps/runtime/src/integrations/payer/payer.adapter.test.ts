import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { payerEligibility } from '@carepath/nodes'
import { runNode } from '../testing/node-harness.ts'
import { TEST_CONNECTOR_TIMEOUT_MS } from '../../testing/wait-until.ts'
import { startPayerStub, type PayerStub } from '../testing/payer-stub.ts'
import type { PayerSettings } from '../settings.schema.ts'
import { createPayerAdapter } from './payer.adapter.ts'
import { read271 } from './x12-271.ts'
import { buildEligibilityRequest } from './fhir-eligibility.ts'
import { fhirValidationErrors } from '../fhir/fhir-validate.ts'

let stub: PayerStub
beforeAll(async () => {
  stub = await startPayerStub({
    M123456789: {
      lastName: 'Smith',
      birthDate: '1963-05-19',
      active: true,
      plan: 'GOLD 123 PLAN',
      copay: 25,
      deductible: 1500,
      deductibleRemaining: 300,
    },
    M000000002: {
      lastName: 'Jones',
      birthDate: '1970-01-01',
      active: false,
      plan: 'SILVER PLAN',
      copay: 0,
      deductible: 0,
      deductibleRemaining: 0,
    },
  })
})
afterAll(() => stub.close())
beforeEach(() => {
  stub.mode = 'normal'
})

// A generous timeout unless a test is about the timeout (then short, against a payer that hangs).
const settings = (timeoutMs = TEST_CONNECTOR_TIMEOUT_MS): Record<string, PayerSettings> => ({
  acme: {
    fhir: { baseUrl: `${stub.url}/fhir`, headers: {} },
    x12: {
      url: `${stub.url}/x12`,
      headers: {},
      senderId: 'CAREPATH',
      receiverId: 'ACMEPAYER',
      payerName: 'ACME HEALTH',
      payerId: '842610001',
      providerName: 'BONE AND JOINT CLINIC',
      providerNpi: '1234567893',
      strict: true,
    },
    timeoutMs,
  },
})
const facts = (memberId: string, birthDate = '1963-05-19') => ({
  coverage: { memberId },
  patient: { family: 'Smith', given: 'John', birthDate },
})
const check = (format: 'fhir' | 'x12', memberId: string, birthDate?: string, timeoutMs?: number) =>
  runNode(
    payerEligibility,
    {
      format,
      payer: 'acme',
      memberIdFrom: 'coverage.memberId',
      lastNameFrom: 'patient.family',
      firstNameFrom: 'patient.given',
      birthDateFrom: 'patient.birthDate',
    },
    { facts: facts(memberId, birthDate), connectors: { payer: createPayerAdapter(settings(timeoutMs)) } },
  )

describe.each(['x12', 'fhir'] as const)('payer connector over %s against a loopback payer', (format) => {
  it('reads active coverage with plan, copay and deductible', async () => {
    const { outcome } = await check(format, 'M123456789')
    expect(outcome).toMatchObject({
      port: 'active',
      set: {
        eligibility: {
          status: 'active',
          plan: 'GOLD 123 PLAN',
          copay: 25,
          deductible: 1500,
          deductibleRemaining: 300,
          rejections: [],
        },
      },
    })
  })

  it('reads inactive coverage', async () => {
    expect((await check(format, 'M000000002', '1970-01-01')).outcome).toMatchObject({
      port: 'inactive',
      set: { eligibility: { active: false, plan: 'SILVER PLAN' } },
    })
  })

  it('reports an invalid member id (72), a birth date mismatch (71) and an unavailable payer (42)', async () => {
    expect((await check(format, 'NOPE')).outcome).toMatchObject({
      port: 'rejected',
      set: {
        eligibility: {
          invalidMember: true,
          rejections: [{ code: '72', reason: 'Invalid/Missing Subscriber/Insured ID' }],
        },
      },
    })
    expect((await check(format, 'M123456789', '1999-09-09')).outcome).toMatchObject({
      port: 'rejected',
      set: { eligibility: { rejections: [{ code: '71' }] } },
    })
    stub.mode = 'unavailable'
    expect((await check(format, 'M123456789')).outcome).toMatchObject({
      port: 'rejected',
      set: { eligibility: { payerUnavailable: true, rejections: [{ code: '42' }] } },
    })
  })

  it('fails plainly on a timeout and on an answer in no known format', async () => {
    stub.mode = 'hang'
    const hang = await check(format, 'M123456789', undefined, 300)
    expect(hang.error?.message).toBe('The payer did not answer within 300 ms.')
    stub.mode = 'garbage'
    const garbage = await check(format, 'M123456789')
    expect(garbage.error?.message).toMatch(/^The payer's answer is not/)
    expect(garbage.error?.message).not.toMatch(/Smith|M123456789/)
  })
})

describe('X12 on the wire', () => {
  it('sends a 270 that a strict parser accepts, naming the member and the service type', async () => {
    await check('x12', 'M123456789')
    const sent = stub.received.at(-1)!
    expect(sent).toMatch(/^ISA\*/)
    expect(sent).toContain('ST*270*0001*005010X279A1~')
    expect(sent).toContain('NM1*IL*1*SMITH*JOHN****MI*M123456789~')
    expect(sent).toContain('DMG*D8*19630519~')
    expect(sent).toContain('EQ*30~')
  })

  it('reads the imsweb 271 sample leniently but refuses it strictly (its SE01 count is wrong)', () => {
    const sample = readFileSync(new URL('../testing/fixtures/imsweb_x271.txt', import.meta.url), 'utf8')
    expect(read271(sample, { strict: false })).toMatchObject({
      status: 'active',
      plan: 'GOLD 123 PLAN',
      rejections: [],
    })
    expect(() => read271(sample, { strict: true })).toThrow(
      'The value in SE01 (22) does not match the number of segments in the transaction (18).',
    )
    const sample270 = readFileSync(new URL('../testing/fixtures/imsweb_x270.txt', import.meta.url), 'utf8')
    expect(() => read271(sample270, { strict: false })).toThrow('it is a 270 transaction, not a 271.')
    expect(() => read271(sample.slice(0, 200), { strict: true })).toThrow(/not a valid X12 271/)
  })
})

describe('FHIR on the wire', () => {
  it('sends a CoverageEligibilityRequest that is valid R4', async () => {
    const request = buildEligibilityRequest(
      {
        format: 'fhir',
        payer: 'acme',
        serviceType: '30',
        asOf: '2025-03-01',
        member: { id: 'M1', lastName: 'Smith', firstName: 'John', birthDate: '1963-05-19' },
      },
      { payerId: '842610001', payerName: 'ACME', requestId: 'req-1' },
      new Date('2025-03-01T09:00:00Z'),
    )
    expect(fhirValidationErrors(request as { resourceType: string })).toEqual([])
    await check('fhir', 'M123456789')
    expect(JSON.parse(stub.received.at(-1)!)).toMatchObject({
      resourceType: 'CoverageEligibilityRequest',
      contained: expect.arrayContaining([
        expect.objectContaining({ resourceType: 'Coverage', subscriberId: 'M123456789' }),
      ]),
    })
  })
})
