// Which inbound HL7 messages and webhooks are messages for runs waiting at a wait.event step: an
// installation setting (`events.routes`, beside the webhook secrets) that names, per route, the
// message name it delivers, where its correlation key sits (an HL7 field such as SCH-2, a JSON path
// in a webhook's body), and, for HL7, which fields become the payload (only those: the rest of the
// message, with its patient data, stays out of the run).
import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import { settingsSlugSchema } from '@carepath/nodes'
import type { Hl7Inbound } from '../integrations/hl7/hl7-intake.ts'

const messageNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'a message name in lower case, dotted, like appointment.changed')
const hl7FieldSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{2}-\d{1,3}(\.\d{1,2})?$/, 'an HL7 field such as SCH-2 or SCH-2.1 (segment-field.component)')
const jsonPathSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a dotted path in the body, such as appointment.id')

export const eventRouteSchema = z.discriminatedUnion('via', [
  z
    .object({
      via: z.literal('hl7'),
      name: messageNameSchema.describe('The message name runs wait for (wait.event’s event).'),
      messageTypes: z
        .array(z.string().regex(/^[A-Z0-9]{3}(\^[A-Z0-9]{3})?$/, 'a message type such as SIU or SIU^S15'))
        .min(1)
        .describe('HL7 message types this route takes, e.g. SIU^S15 or ORU.'),
      keyField: hl7FieldSchema.describe('The field holding the correlation key, e.g. SCH-2.1 (an appointment id).'),
      payload: z
        .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), hl7FieldSchema)
        .default({})
        .describe('Payload facts by name → HL7 field, e.g. status → SCH-25.'),
    })
    .strict(),
  z
    .object({
      via: z.literal('webhook'),
      name: messageNameSchema,
      hook: settingsSlugSchema.describe('The hook path: POST /api/hooks/<hook>.'),
      secret: settingsSlugSchema.describe('The name of the signing secret under webhooks.secrets.'),
      toleranceSeconds: z.number().int().min(30).max(3_600).default(300),
      keyPath: jsonPathSchema.describe('Where the body carries the correlation key, e.g. appointmentId.'),
      messageIdPath: jsonPathSchema
        .optional()
        .describe(
          'Where the body carries the sender’s id for the message (a resend delivers nothing twice); else the signature.',
        ),
    })
    .strict(),
])
export type EventRoute = z.infer<typeof eventRouteSchema>

/** The host setting: `events: { routes: [...] }`. */
export const eventsSettingsSchema = z
  .object({ routes: z.array(eventRouteSchema).max(100).default([]) })
  .strict()
  .default({ routes: [] })

/** The value of one HL7 field (first repetition; a component when asked), read with the message's own separators. */
export function hl7Field(raw: string, spec: string): string {
  const match = /^([A-Z][A-Z0-9]{2})-(\d+)(?:\.(\d+))?$/.exec(spec)
  if (!match) return ''
  const [, segment, field, component] = match
  const lines = raw.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  const msh = lines.find((line) => line.startsWith('MSH'))
  const fieldSeparator = msh?.[3] ?? '|'
  const componentSeparator = msh?.[4] ?? '^'
  const repetitionSeparator = msh?.[5] ?? '~'
  const line = lines.find((l) => l.startsWith(`${segment}${fieldSeparator}`))
  if (!line) return ''
  const fields = line.split(fieldSeparator)
  // MSH-1 is the field separator itself, so MSH's fields sit one place to the left.
  const index = segment === 'MSH' ? Number(field) - 1 : Number(field)
  const value = (fields[index] ?? '').split(repetitionSeparator)[0] ?? ''
  return component === undefined ? value : (value.split(componentSeparator)[Number(component) - 1] ?? '')
}

/** A message for waiting runs, as an HL7 route reads it off an inbound message. */
export interface RoutedMessage {
  name: string
  key: string
  messageId: string
  payload: JsonValue
}

/** The messages an inbound HL7 message delivers: one per route that takes its type and finds its key. */
export function hl7RouteMessages(routes: readonly EventRoute[], message: Hl7Inbound): RoutedMessage[] {
  const [code, event] = message.header.type.split('^')
  return routes.flatMap((route) => {
    if (route.via !== 'hl7') return []
    if (!route.messageTypes.some((type) => type === code || type === `${code}^${event}`)) return []
    const key = hl7Field(message.raw, route.keyField)
    if (key === '') return []
    const payload: { [name: string]: JsonValue } = { messageType: message.header.type }
    for (const [name, field] of Object.entries(route.payload)) payload[name] = hl7Field(message.raw, field)
    return [{ name: route.name, key, messageId: `${message.dedupeKey}:${route.name}`, payload }]
  })
}

/** The value at a dotted path of a JSON body, as text (keys and ids are compared as text). */
export function bodyText(body: JsonValue, path: string): string | undefined {
  let node: JsonValue | undefined = body
  for (const key of path.split('.')) {
    node = node !== null && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined
  }
  return typeof node === 'string' || typeof node === 'number' ? String(node) : undefined
}
