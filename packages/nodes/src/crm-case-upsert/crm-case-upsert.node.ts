import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
import { factPathSchema, jsonValueSchema } from '../fact-path.schema.ts'
import { fillTemplate, templateFacts } from '../fhir-create/fhir-template.ts'
import { callCrm, crmConnector, crmUpsertedSchema } from '../crm-contact-find/crm-connector.ts'

export const crmCaseUpsertConfigSchema = z
  .object({
    fields: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a CRM field name, like Subject'), jsonValueSchema)
      .describe(
        'The case fields (Subject, Status, Description, ContactId …); {"$fact": "path"} takes a value from a fact.',
      ),
    keyFrom: factPathSchema
      .optional()
      .describe(
        'A fact whose value identifies the case (e.g. a call id): the same key updates the same case. Default: one case per run and node.',
      ),
    idInto: factPathSchema.optional().describe('Where the CRM id of the case goes.'),
  })
  .strict()
export type CrmCaseUpsertConfig = z.infer<typeof crmCaseUpsertConfigSchema>

/** Writes the outcome of a call back to the CRM as a case, created once and updated after. */
export const crmCaseUpsert = defineNodeType({
  type: 'crm.case.upsert',
  typeVersion: 1,
  title: 'Create or update CRM case',
  description:
    'Writes a case (the outcome of a call, a follow-up) to the CRM; the same key updates the same case, so a retried or resumed run never makes two.',
  category: 'Integration',
  icon: '▤',
  keywords: ['crm', 'case', 'activity', 'salesforce', 'write', 'outcome', 'sync'],
  config: crmCaseUpsertConfigSchema,
  // The subject says what to write rather than naming another flow's calls; the contact is the one
  // crm.contact.find puts at `contact` by default.
  defaults: { fields: { Subject: 'Write the case subject', Status: 'Closed', ContactId: { $fact: 'contact.id' } } },
  ports: () => [
    { name: 'created', required: true, title: 'Created' },
    { name: 'updated', required: true, title: 'Updated' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => [...templateFacts(config.fields), ...(config.keyFrom ? [config.keyFrom] : [])],
  writes: (config) => (config.idInto ? [config.idInto] : []),
  phi: ['identifier', 'demographic', 'contact', 'coverage', 'clinical', 'financial', 'sensitive'], // fields may carry any fact
  connectors: [crmConnector], // its settings are stored per environment, never in the flow
  async execute(ctx, config) {
    const filled = fillTemplate(ctx, config.fields)
    const fields: { [key: string]: JsonValue } =
      filled !== null && typeof filled === 'object' && !Array.isArray(filled) ? filled : {}
    let key = `${ctx.runId}:${ctx.nodeId}`
    if (config.keyFrom) {
      const value = ctx.get(config.keyFrom)
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new NodeError(`The fact ${config.keyFrom} holds no case key.`, { code: 'missing-input' })
      key = String(value)
    }
    const answer = await callCrm(ctx, { op: 'upsertCase', key, fields }, crmUpsertedSchema)
    return { kind: 'next', port: answer.status, ...(config.idInto ? { set: { [config.idInto]: answer.id } } : {}) }
  },
})
