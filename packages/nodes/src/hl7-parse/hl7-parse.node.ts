import { z } from 'zod'
import { defineNodeType, NodeError, PHI_CLASSES } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { Hl7ParseError, parseHl7, type Hl7Facts } from './hl7-to-facts.ts'

export const hl7ParseConfigSchema = z
  .object({
    from: factPathSchema.describe('The fact holding the raw HL7 v2 message text.'),
    into: factPathSchema.describe(
      'Where the parsed message goes: type, control id, segments by name, and a summary (patient, visit, orders, results, appointment, referral).',
    ),
  })
  .strict()
export type Hl7ParseConfig = z.infer<typeof hl7ParseConfigSchema>

/** Freeze a parsed message in place: one copy is handed to more than one reader (see `lastRead`). */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) frozen(child)
  }
  return value
}

// The messages read last, by their exact text. A listener's routing runs a trigger.hl7 on a
// message to see whether its flow takes it, and the run it starts runs that trigger on the same
// text again (other connections' messages may come between): the second read gets the first's
// result (frozen, as the engine holds facts) instead of parsing the message twice. Parsing is a
// pure function of the text, so this changes no result.
const lastRead = new Map<string, Hl7Facts>()
const LAST_READ_KEPT = 16

/** Parse, turning a structural fault into a NodeError whose message names a place, not a value. */
export function parseHl7OrFail(raw: unknown): Hl7Facts {
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new NodeError('There is no HL7 message to read.', { code: 'missing-input' })
  const known = lastRead.get(raw)
  if (known) return known
  try {
    const facts = frozen(parseHl7(raw))
    if (lastRead.size >= LAST_READ_KEPT) lastRead.delete(lastRead.keys().next().value ?? '')
    lastRead.set(raw, facts)
    return facts
  } catch (error) {
    if (error instanceof Hl7ParseError)
      throw new NodeError(`The HL7 message cannot be read: ${error.message}`, { code: 'invalid-hl7', retryable: false })
    throw new NodeError('The HL7 message cannot be read.', { code: 'invalid-hl7', retryable: false })
  }
}

/** Turns an HL7 v2 message (ADT, ORU, ORM, SIU, REF, ...) into facts. Pure: no connector. */
export const hl7Parse = defineNodeType({
  type: 'hl7.parse',
  typeVersion: 1,
  title: 'Parse HL7 v2',
  description:
    'Reads an HL7 v2 message (ADT, ORU, ORM, SIU, REF ...) into facts: segments and fields by name, repetitions and components kept.',
  category: 'Data',
  icon: 'H7',
  keywords: ['hl7', 'v2', 'adt', 'oru', 'orm', 'siu', 'ref', 'parse'],
  config: hl7ParseConfigSchema,
  defaults: { from: 'inbound.raw', into: 'message' },
  ports: () => [
    { name: 'parsed', required: true, title: 'Parsed' },
    { name: 'error', required: false, title: 'Unreadable' },
  ],
  reads: (config) => [config.from],
  writes: (config) => [config.into],
  phi: PHI_CLASSES.filter((phi) => phi !== 'none'), // a v2 message can carry any class of patient data
  connectors: [], // calls no connector
  execute(ctx, config) {
    const facts = parseHl7OrFail(ctx.get(config.from))
    return { kind: 'next', port: 'parsed', set: { [config.into]: facts } }
  },
})
