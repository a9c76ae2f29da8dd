import { z } from 'zod'
import { defineNodeType, NodeError, phiClassAt, type ConfigProblem, type JsonValue } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { callFhir } from '../fhir-read/fhir-connector.ts'
import { CHANNELS, contentProblems, fill, placeholders, type Channel } from './notify-content.ts'
import { fhirConnector } from '../fhir-read/fhir-settings.schema.ts'
import { notifyConnector } from './notify-settings.schema.ts'

export const notifyConfigSchema = z
  .object({
    channel: z.enum(CHANNELS).default('log').describe('log (no patient data), email or sms.'),
    toFrom: factPathSchema
      .optional()
      .describe('The fact holding the recipient’s address or phone number (a contact fact).'),
    subject: z.string().max(200).default('').describe('Subject line (email). May use {{fact.path}}.'),
    message: z
      .string()
      .min(1)
      .max(2000)
      .describe('The text. {{fact.path}} inserts a fact; the channel decides which classes of data are allowed.'),
    patientFrom: factPathSchema.optional().describe('The fact holding the patient id the FHIR Communication is about.'),
    record: z.boolean().default(true).describe('Record a FHIR Communication for what was sent.'),
    into: factPathSchema.optional().describe('Where the message id (and Communication id) go.'),
  })
  .strict()
  .refine((config) => config.channel === 'log' || config.toFrom !== undefined, {
    path: ['toFrom'],
    message: 'email and sms need a recipient',
  })
export type NotifyConfig = z.infer<typeof notifyConfigSchema>

const MEDIUM: Record<Channel, string> = { log: 'WRITTEN', email: 'EMAILWRIT', sms: 'SMSWRIT' }
const sentSchema = z.object({ messageId: z.string().min(1) })

function templates(config: NotifyConfig) {
  return [
    { path: 'subject', text: config.subject },
    { path: 'message', text: config.message },
  ]
}

/** Sends a message through a channel adapter and records it as a FHIR Communication. */
export const notify = defineNodeType({
  type: 'notify',
  typeVersion: 1,
  title: 'Send notification',
  description:
    'Sends a message by log, email or SMS with only the data the channel may carry, and records a FHIR Communication.',
  category: 'Integration',
  icon: '⇢',
  keywords: ['notify', 'email', 'sms', 'message', 'reminder', 'communication'],
  config: notifyConfigSchema,
  defaults: { channel: 'log', subject: '', message: 'Flow reached this step.', record: true },
  ports: () => [
    { name: 'sent', required: true, title: 'Sent' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => [
    ...new Set([
      ...placeholders(config.subject),
      ...placeholders(config.message),
      ...(config.toFrom ? [config.toFrom] : []),
      ...(config.patientFrom ? [config.patientFrom] : []),
    ]),
  ],
  writes: (config) => (config.into ? [config.into] : []),
  phi: ['contact', 'identifier', 'demographic', 'coverage', 'financial'], // the ceiling of the widest channel, plus the recipient
  connectors: [notifyConnector, fhirConnector], // fhir records the Communication (`record`, on by default)
  check(config, env): ConfigProblem[] {
    const problems = contentProblems(config.channel, templates(config), env.factsSchema)
    if (config.toFrom && phiClassAt(env.factsSchema, config.toFrom) !== 'contact') {
      problems.push({
        code: 'invalid-config',
        path: 'toFrom',
        message: `${config.toFrom} is not marked as contact data in the facts schema.`,
      })
    }
    return problems
  },
  async execute(ctx, config) {
    const refused = contentProblems(config.channel, templates(config), ctx.factsSchema)
    if (refused.length > 0) throw new NodeError(refused[0]!.message, { code: 'phi-not-allowed', retryable: false })
    const subject = fill(config.subject, (path) => ctx.get(path))
    const body = fill(config.message, (path) => ctx.get(path))
    for (const filled of [subject, body]) {
      if (typeof filled !== 'string')
        throw new NodeError(`The fact ${filled.badPath} is not a single value that can go into a message.`, {
          code: 'invalid-input',
        })
    }
    let to: string | undefined
    if (config.toFrom) {
      const value = ctx.get(config.toFrom)
      if (typeof value !== 'string' || value.trim() === '')
        throw new NodeError(`The fact ${config.toFrom} holds no recipient.`, { code: 'missing-input' })
      to = value.trim()
    }
    const request: { [key: string]: JsonValue } = {
      channel: config.channel,
      subject: subject as string,
      body: body as string,
      idempotencyKey: `${ctx.runId}:${ctx.nodeId}`,
    }
    if (to !== undefined) request['to'] = to
    const sent = sentSchema.safeParse(await ctx.call('notify', request))
    if (!sent.success) throw new NodeError('The notification channel gave no message id.', { code: 'invalid-response' })
    const result: { [key: string]: JsonValue } = { messageId: sent.data.messageId }
    if (config.record) {
      const patientId = config.patientFrom ? ctx.get(config.patientFrom) : undefined
      const communication: { [key: string]: JsonValue } = {
        resourceType: 'Communication',
        status: 'completed',
        identifier: [{ system: 'urn:carepath:notification', value: `${ctx.runId}:${ctx.nodeId}` }],
        medium: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode', code: MEDIUM[config.channel] },
            ],
          },
        ],
        sent: ctx.now(),
        payload: [{ contentString: body as string }],
      }
      if (typeof patientId === 'string' && patientId !== '')
        communication['subject'] = { reference: `Patient/${patientId.split('/').at(-1)}` }
      const created = await callFhir(ctx, { op: 'create', resource: communication })
      if ((created.status !== 201 && created.status !== 200) || typeof created.resource?.['id'] !== 'string') {
        throw new NodeError(`The message was sent but the FHIR server answered ${created.status} when recording it.`, {
          code: 'record-failed',
          retryable: false,
        })
      }
      result['communicationId'] = created.resource['id']
    }
    return { kind: 'next', port: 'sent', ...(config.into ? { set: { [config.into]: result } } : {}) }
  },
})
