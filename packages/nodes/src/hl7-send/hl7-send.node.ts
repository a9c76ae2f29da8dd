import { z } from 'zod'
import { defineNodeType, NodeError, type ConfigProblem, type ExecuteContext, type JsonValue } from '@carepath/dsl'
import { settingsSlugSchema } from '../connector-settings.schema.ts'
import { factPathSchema } from '../fact-path.schema.ts'
import { FHIR_PHI } from '../fhir-read/fhir-connector.ts'
import {
  buildMsh,
  buildSegment,
  controlIdFor,
  FIELD_REF_PATTERN,
  HL7_SEND_TYPES,
  type SegmentValues,
} from './hl7-build.ts'
import { hl7OutConnector } from './hl7-out-settings.schema.ts'

const fieldValueSchema = z.union([
  z.string().max(2000),
  z.number(),
  z.object({ $fact: factPathSchema.describe('The fact whose value goes in the field.') }).strict(),
  z.object({ $item: factPathSchema.describe('A member of the forEach element, e.g. code.') }).strict(),
  z.object({ $index: z.literal(true).describe('The 1-based number of the forEach element (a set id).') }).strict(),
])
/** What goes into one field: text, a fact, a member of the forEach element, or its 1-based index. */
export type FieldValue = z.infer<typeof fieldValueSchema>

const segmentSchema = z
  .object({
    segment: z
      .string()
      .regex(/^(?!MSH)[A-Z][A-Z0-9]{2}$/, 'a segment id such as PID or OBX (MSH is written by the node)')
      .describe('The segment id, e.g. PID, OBR, OBX.'),
    forEach: factPathSchema
      .optional()
      .describe(
        'A list fact: one segment per element ({"$item": "code"} reads the element, {"$index": true} numbers it).',
      ),
    fields: z
      .record(z.string().regex(FIELD_REF_PATTERN, 'field[.component[.subcomponent]], like 5.1'), fieldValueSchema)
      .describe('Field → value, e.g. "3.1": {"$fact": "patient.mrn"}, "8": "F". Values are escaped.'),
  })
  .strict()

export const hl7SendConfigSchema = z
  .object({
    destination: settingsSlugSchema.describe('The receiving system, as named in the hl7out settings.'),
    messageType: z.enum(HL7_SEND_TYPES).describe('The message type and trigger (MSH-9), e.g. ORU^R01.'),
    sendingApplication: z.string().max(180).default('CAREPATH').describe('MSH-3.'),
    sendingFacility: z.string().max(180).default('').describe('MSH-4.'),
    receivingApplication: z.string().max(180).default('').describe('MSH-5.'),
    receivingFacility: z.string().max(180).default('').describe('MSH-6.'),
    processingId: z.enum(['P', 'T', 'D']).default('P').describe('MSH-11: P production, T training, D debugging.'),
    version: z.enum(['2.3', '2.4', '2.5', '2.5.1']).default('2.5.1').describe('MSH-12, the HL7 version.'),
    segments: z.array(segmentSchema).min(1).max(100).describe('The segments after MSH, in order.'),
    controlIdInto: factPathSchema.optional().describe('Where the message control id (MSH-10) goes.'),
    ackInto: factPathSchema
      .optional()
      .describe('Where the acknowledgement goes: {code, text} (AA, AE, AR), or absent while queued.'),
  })
  .strict()
export type Hl7SendConfig = z.infer<typeof hl7SendConfigSchema>

const answerSchema = z.object({
  status: z.enum(['accepted', 'rejected', 'queued', 'failed']),
  ack: z.object({ code: z.string(), text: z.string().optional() }).optional(),
})

function factText(value: JsonValue | undefined, where: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'object') throw new NodeError(`${where} is not a single value.`, { code: 'invalid-input' })
  return String(value)
}

function valueOf(ctx: ExecuteContext, value: FieldValue, item: JsonValue | undefined, index: number): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value)
  if ('$fact' in value) return factText(ctx.get(value.$fact), `The fact ${value.$fact}`)
  if ('$index' in value) return String(index + 1)
  const member = value.$item
    .split('.')
    .reduce<JsonValue | undefined>(
      (node, key) => (node !== null && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined),
      item,
    )
  return factText(member, `The element's ${value.$item}`)
}

/** The segments after MSH, built from the run's facts. */
function buildBody(ctx: ExecuteContext, config: Hl7SendConfig): string[] {
  return config.segments.flatMap((segment) => {
    const items: (JsonValue | undefined)[] = [undefined]
    if (segment.forEach) {
      const list = ctx.get(segment.forEach)
      if (!Array.isArray(list))
        throw new NodeError(`The fact ${segment.forEach} is not a list.`, { code: 'missing-input' })
      items.splice(0, 1, ...list)
    }
    return items.map((item, index) => {
      const values: SegmentValues = new Map()
      for (const [ref, value] of Object.entries(segment.fields)) values.set(ref, valueOf(ctx, value, item, index))
      return buildSegment(segment.segment, values)
    })
  })
}

/** Sends an HL7 v2 message built from facts to a receiving system over MLLP, store-and-forward. */
export const hl7Send = defineNodeType({
  type: 'hl7.send',
  typeVersion: 1,
  title: 'Send HL7 message',
  description:
    'Builds an HL7 v2 message (ORU, ADT, SIU, ORM) from facts and sends it over MLLP to a configured receiver. Messages to one receiver go out in order; while it is down they wait in a queue and are delivered when it returns.',
  category: 'Integration',
  icon: '➦',
  keywords: ['hl7', 'v2', 'mllp', 'send', 'oru', 'adt', 'siu', 'orm', 'outbound'],
  config: hl7SendConfigSchema,
  defaults: {
    destination: 'lab',
    messageType: 'ORU^R01',
    // The segment is there, its fields left to the analyst (a check below says so), instead of a
    // fact another flow has (patient.mrn).
    segments: [{ segment: 'PID', fields: {} }],
  },
  ports: () => [
    { name: 'accepted', required: true, title: 'Acknowledged (AA)' },
    { name: 'queued', required: true, title: 'Queued (delivery goes on)' },
    { name: 'rejected', required: true, title: 'Rejected (AR)' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) =>
    config.segments.flatMap((segment) => [
      ...(segment.forEach ? [segment.forEach] : []),
      ...Object.values(segment.fields).flatMap((value) =>
        typeof value === 'object' && '$fact' in value ? [value.$fact] : [],
      ),
    ]),
  writes: (config) => [config.controlIdInto, config.ackInto].filter((path) => path !== undefined),
  phi: FHIR_PHI, // a message may carry any class of fact to the receiver
  connectors: [hl7OutConnector], // destinations are stored per environment, never in the flow
  // A warning, not an error: a message type may require a segment the sender leaves empty.
  check: (config) =>
    config.segments.flatMap((segment, index): ConfigProblem[] =>
      Object.keys(segment.fields).length > 0
        ? []
        : [
            {
              code: 'invalid-config',
              severity: 'warning',
              path: `segments.${index}.fields`,
              message: `The ${segment.segment} segment has no fields yet: say which fact or text goes in each field.`,
            },
          ],
    ),
  async execute(ctx, config) {
    const body = buildBody(ctx, config)
    const controlId = controlIdFor(ctx.runId, ctx.nodeId, body.join('\r'))
    const msh = buildMsh({ ...config, at: ctx.now(), controlId })
    const message = `${[msh, ...body].join('\r')}\r`
    let raw: JsonValue
    try {
      raw = await ctx.call('hl7-out', {
        destination: config.destination,
        controlId,
        messageType: config.messageType,
        message,
      })
    } catch (error) {
      if (error instanceof NodeError) throw error
      throw new NodeError('The HL7 message could not be queued.', { code: 'connector-failed', retryable: true })
    }
    const answer = answerSchema.safeParse(raw)
    if (!answer.success)
      throw new NodeError('The HL7 sender gave an answer it should not.', { code: 'invalid-response' })
    if (answer.data.status === 'failed')
      throw new NodeError(
        'The receiving system answered AE (application error) to every attempt its destination allows; the message was set aside.',
        { code: 'hl7-failed', retryable: false },
      )
    const set: Record<string, JsonValue> = {}
    if (config.controlIdInto) set[config.controlIdInto] = controlId
    if (config.ackInto && answer.data.ack) set[config.ackInto] = answer.data.ack
    return { kind: 'next', port: answer.data.status, set }
  },
})
