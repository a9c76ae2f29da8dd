import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { callCrm, crmConnector, crmFoundSchema, crmHistorySchema } from './crm-connector.ts'

export const crmContactFindConfigSchema = z
  .object({
    by: z.enum(['phone', 'email', 'externalId']).describe('What the caller is looked up by.'),
    valueFrom: factPathSchema.describe('The fact holding the phone number, email or external id.'),
    into: factPathSchema.describe(
      'Where the contact goes: {id, firstName, lastName, phone, email, birthDate} (null where the CRM has none).',
    ),
    historyInto: factPathSchema
      .optional()
      .describe('Where the contact’s recent interactions go: a list of {id, subject, status, date}, newest first.'),
    historyLimit: z.number().int().min(1).max(50).default(10).describe('At most this many interactions.'),
  })
  .strict()
export type CrmContactFindConfig = z.infer<typeof crmContactFindConfigSchema>

/** Finds the caller in the CRM and, optionally, what happened in their last interactions. */
export const crmContactFind = defineNodeType({
  type: 'crm.contact.find',
  typeVersion: 1,
  title: 'Find CRM contact',
  description:
    'Looks the caller up in the CRM by phone, email or external id and reads their recent interaction history.',
  category: 'Integration',
  icon: '✆',
  keywords: ['crm', 'contact', 'caller', 'salesforce', 'history', 'interactions'],
  config: crmContactFindConfigSchema,
  defaults: { by: 'phone', valueFrom: 'caller.phone', into: 'contact', historyInto: 'history', historyLimit: 10 },
  ports: () => [
    { name: 'found', required: true, title: 'Found' },
    { name: 'notFound', required: true, title: 'Not found' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => [config.valueFrom],
  writes: (config) => [config.into, ...(config.historyInto ? [config.historyInto] : [])],
  phi: ['identifier', 'demographic', 'contact'], // names, birth date, phone and email of the caller
  connectors: [crmConnector], // its settings are stored per environment, never in the flow
  async execute(ctx, config) {
    const value = ctx.get(config.valueFrom)
    if (typeof value !== 'string' || value.trim() === '') {
      throw new NodeError(`The fact ${config.valueFrom} holds no ${config.by} to look the caller up by.`, {
        code: 'missing-input',
      })
    }
    const found = await callCrm(ctx, { op: 'findContact', by: config.by, value: value.trim() }, crmFoundSchema)
    if (found.status === 'notFound') return { kind: 'next', port: 'notFound' }
    const set: Record<string, JsonValue> = { [config.into]: found.contact }
    if (config.historyInto) {
      const history = await callCrm(
        ctx,
        { op: 'history', contactId: found.contact.id, limit: config.historyLimit },
        crmHistorySchema,
      )
      set[config.historyInto] = history.activities
    }
    return { kind: 'next', port: 'found', set }
  },
})
