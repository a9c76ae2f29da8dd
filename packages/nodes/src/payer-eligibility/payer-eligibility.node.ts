import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { payerConnector } from './payer-settings.schema.ts'

export const payerEligibilityConfigSchema = z
  .object({
    format: z.enum(['fhir', 'x12']).default('x12').describe('fhir: CoverageEligibilityRequest/Response; x12: 270/271.'),
    payer: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'the name of a payer in the environment settings')
      .describe('The payer, by its name in the environment settings (endpoint and ids live there).'),
    memberIdFrom: factPathSchema.describe('The fact holding the member (subscriber) id.'),
    lastNameFrom: factPathSchema.describe('The fact holding the member’s family name.'),
    firstNameFrom: factPathSchema.optional().describe('The fact holding the member’s given name.'),
    birthDateFrom: factPathSchema.describe('The fact holding the member’s birth date (YYYY-MM-DD).'),
    serviceType: z
      .string()
      .regex(/^[A-Z0-9]{1,2}$/)
      .default('30')
      .describe('X12 service type code asked about (30 = health benefit plan coverage).'),
    into: factPathSchema
      .default('eligibility')
      .describe('Where the answer goes: status, plan, copay, deductible, rejections.'),
  })
  .strict()
export type PayerEligibilityConfig = z.infer<typeof payerEligibilityConfigSchema>

/** The payer adapter's normalised answer (from a CoverageEligibilityResponse or a 271). */
export const eligibilityAnswerSchema = z.object({
  status: z.enum(['active', 'inactive', 'rejected']),
  plan: z.string().nullable().default(null),
  copay: z.number().nullable().default(null),
  deductible: z.number().nullable().default(null),
  deductibleRemaining: z.number().nullable().default(null),
  /** X12 AAA reject reason codes (72 invalid member id, 42 payer unable to respond ...) and their text. */
  rejections: z.array(z.object({ code: z.string(), reason: z.string() })).default([]),
})
export type EligibilityAnswer = z.infer<typeof eligibilityAnswerSchema>

/** AAA03 codes meaning "ask again later", not "this member is wrong". */
const PAYER_UNAVAILABLE = new Set(['42', '79', '80'])
const INVALID_MEMBER = new Set(['72', '73', '75', '58', '64', '65', '67', '71'])

function text(
  ctx: { get(path: string): JsonValue | undefined },
  path: string | undefined,
  what: string,
): string | undefined {
  if (!path) return undefined
  const value = ctx.get(path)
  if (typeof value !== 'string' || value.trim() === '')
    throw new NodeError(`The fact ${path} holds no ${what}.`, { code: 'missing-input' })
  return value.trim()
}

/** Asks a payer whether a member's coverage is active, and what it pays. */
export const payerEligibility = defineNodeType({
  type: 'payer.eligibility',
  typeVersion: 1,
  title: 'Payer eligibility',
  description:
    'Asks the payer (FHIR CoverageEligibilityRequest or X12 270) whether coverage is active, with plan, copay and deductible.',
  category: 'Integration',
  icon: '✚',
  keywords: ['eligibility', 'insurance', 'payer', '270', '271', 'coverage', 'benefits', 'x12'],
  config: payerEligibilityConfigSchema,
  defaults: {
    format: 'x12',
    payer: 'default',
    memberIdFrom: 'coverage.memberId',
    lastNameFrom: 'patient.family',
    birthDateFrom: 'patient.birthDate',
    serviceType: '30',
    into: 'eligibility',
  },
  ports: () => [
    { name: 'active', required: true, title: 'Active' },
    { name: 'inactive', required: true, title: 'Inactive' },
    { name: 'rejected', required: true, title: 'Rejected' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => [
    config.memberIdFrom,
    config.lastNameFrom,
    config.birthDateFrom,
    ...(config.firstNameFrom ? [config.firstNameFrom] : []),
  ],
  writes: (config) => [config.into],
  phi: ['identifier', 'demographic', 'coverage', 'financial'], // member id, name and birth date out; benefits back
  connectors: [payerConnector], // its settings are stored per environment, never in the flow
  async execute(ctx, config) {
    const birthDate = text(ctx, config.birthDateFrom, 'birth date')!
    if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate))
      throw new NodeError(`The fact ${config.birthDateFrom} is not a date (YYYY-MM-DD).`, { code: 'missing-input' })
    const member: { [key: string]: JsonValue } = {
      id: text(ctx, config.memberIdFrom, 'member id')!,
      lastName: text(ctx, config.lastNameFrom, 'family name')!,
      birthDate,
    }
    const firstName = text(ctx, config.firstNameFrom, 'given name')
    if (firstName) member['firstName'] = firstName
    const request = {
      format: config.format,
      payer: config.payer,
      serviceType: config.serviceType,
      asOf: ctx.now().slice(0, 10),
      member,
    }
    const parsed = eligibilityAnswerSchema.safeParse(await ctx.call('payer', request))
    if (!parsed.success)
      throw new NodeError('The payer connector gave an answer that is not an eligibility result.', {
        code: 'invalid-response',
      })
    const answer = parsed.data
    const codes = answer.rejections.map((r) => r.code)
    const facts: { [key: string]: JsonValue } = {
      ...answer,
      active: answer.status === 'active',
      payerUnavailable: codes.some((code) => PAYER_UNAVAILABLE.has(code)),
      invalidMember: codes.some((code) => INVALID_MEMBER.has(code)),
    }
    return { kind: 'next', port: answer.status, set: { [config.into]: facts } }
  },
})
