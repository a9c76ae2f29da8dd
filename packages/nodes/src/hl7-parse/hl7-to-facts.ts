// HL7 v2 → facts. Parsing uses @medplum/core's Hl7Message with a context built from MSH-1 and
// MSH-2 (so odd delimiters work); we add what it leaves out: structural checks (a truncated or
// garbled message is refused with a plain reason) and HL7 escape decoding on every value.
import { Hl7Context, Hl7Message, Hl7Segment, type Hl7Field } from '@medplum/core'
import type { JsonValue } from '@carepath/dsl'
import { fieldName } from './hl7-field-names.ts'
import { summarize } from './hl7-summary.ts'
import { firstComponent, type Hl7Component, type Hl7FieldValue, type Hl7SegmentFacts } from './hl7-values.ts'

export { firstComponent, type Hl7Component, type Hl7FieldValue, type Hl7SegmentFacts } from './hl7-values.ts'

/** Why a message could not be read; the message names a place in the structure, never a value. */
export class Hl7ParseError extends Error {
  override readonly name = 'Hl7ParseError'
}

/** The facts of one message. */
export interface Hl7Facts {
  [key: string]: JsonValue
  messageType: string
  triggerEvent: string
  /** `ADT^A04` */
  type: string
  controlId: string
  version: string
  processingId: string
  sendingApplication: string
  sendingFacility: string
  receivingApplication: string
  receivingFacility: string
  /** Segments by name, each a list (segments repeat), fields by name. */
  segments: { [segment: string]: Hl7SegmentFacts[] }
  /** Commonly used values, flattened: patient, visit, orders, results, appointment, referral. */
  summary: { [key: string]: JsonValue }
}

interface Delimiters {
  field: string
  component: string
  repetition: string
  escape: string
  subcomponent: string
}

function delimitersOf(text: string): Delimiters {
  const field = text.charAt(3)
  if (!field || /[A-Za-z0-9\s]/.test(field)) throw new Hl7ParseError('The message header (MSH) has no field separator.')
  const encoding = text.slice(4, text.indexOf(field, 4))
  if (encoding.length < 3 || encoding.length > 5 || new Set([field, ...encoding]).size !== encoding.length + 1) {
    throw new Hl7ParseError('The message header (MSH-2) does not declare distinct delimiters.')
  }
  return {
    field,
    component: encoding[0]!,
    repetition: encoding[1]!,
    escape: encoding[2]!,
    subcomponent: encoding[3] ?? '&',
  }
}

/** Decode HL7 escapes (\F\ \S\ \T\ \R\ \E\ \Xhh\ \.br\; highlighting dropped) in one value. */
export function unescapeHl7(value: string, d: Delimiters): string {
  if (!value.includes(d.escape)) return value
  const e = d.escape.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return value.replace(new RegExp(`${e}([^${e}]*)${e}`, 'g'), (whole, code: string) => {
    switch (code) {
      case 'F':
        return d.field
      case 'S':
        return d.component
      case 'T':
        return d.subcomponent
      case 'R':
        return d.repetition
      case 'E':
        return d.escape
      case 'H':
      case 'N':
        return ''
      case '.br':
        return '\n'
    }
    if (/^X([0-9A-Fa-f]{2})+$/.test(code))
      return code.slice(1).replace(/../g, (hex) => String.fromCharCode(parseInt(hex, 16)))
    return whole
  })
}

function fieldValue(field: Hl7Field, d: Delimiters): Hl7FieldValue | undefined {
  const repetitions = field.components.map((components) =>
    components.map((component): Hl7Component => {
      const parts = component.split(d.subcomponent).map((part) => unescapeHl7(part, d))
      return parts.length === 1 ? parts[0]! : parts
    }),
  )
  while (repetitions.length > 0 && repetitions.at(-1)!.every((c) => c === '')) repetitions.pop()
  if (repetitions.length === 0) return undefined
  for (const repetition of repetitions) while (repetition.length > 1 && repetition.at(-1) === '') repetition.pop()
  const only = repetitions[0]!
  if (repetitions.length === 1 && only.length === 1 && typeof only[0] === 'string') return only[0]
  return repetitions
}

/** Parse an HL7 v2 message (segments separated by CR, LF or CRLF; a leading BOM is ignored). */
export function parseHl7(input: string): Hl7Facts {
  const text = input.replace(/^\uFEFF/, '').replace(/^[\s\x0b]+|[\s\x1c]+$/g, '')
  if (!text.startsWith('MSH')) throw new Hl7ParseError('The message does not start with a header segment (MSH).')
  const d = delimitersOf(text)
  const context = new Hl7Context('\r', d.field, d.component, d.repetition, d.escape, d.subcomponent)
  const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '')
  lines.forEach((line, index) => {
    if (!/^[A-Z][A-Z0-9]{2}$/.test(line.slice(0, 3)) || (line.length > 3 && line[3] !== d.field)) {
      throw new Hl7ParseError(`Segment ${index + 1} does not start with a segment name.`)
    }
  })
  const message = new Hl7Message(
    lines.map((line) => Hl7Segment.parse(line, context)),
    context,
  )
  const segments: { [segment: string]: Hl7SegmentFacts[] } = {}
  for (const segment of message.segments) {
    const facts: Hl7SegmentFacts = {}
    const first = segment.name === 'MSH' ? 3 : 1
    const count = segment.name === 'MSH' ? segment.fields.length + 1 : segment.fields.length
    for (let index = first; index < count; index++) {
      const value = fieldValue(segment.getField(index), d)
      if (value !== undefined) facts[fieldName(segment.name, index)] = value
    }
    ;(segments[segment.name] ??= []).push(facts)
  }
  const msh = segments['MSH']![0]!
  const messageType = firstComponent(msh['messageType'])
  const triggerEvent = firstComponent(msh['messageType'], 2)
  const controlId = firstComponent(msh['messageControlId'])
  const version = firstComponent(msh['versionId'])
  if (!messageType) throw new Hl7ParseError('The message header lacks the message type (MSH-9).')
  if (!controlId) throw new Hl7ParseError('The message header lacks the control id (MSH-10).')
  if (!version) throw new Hl7ParseError('The message header lacks the version (MSH-12); the message may be cut short.')
  return {
    messageType,
    triggerEvent,
    type: triggerEvent ? `${messageType}^${triggerEvent}` : messageType,
    controlId,
    version,
    processingId: firstComponent(msh['processingId']),
    sendingApplication: firstComponent(msh['sendingApplication']),
    sendingFacility: firstComponent(msh['sendingFacility']),
    receivingApplication: firstComponent(msh['receivingApplication']),
    receivingFacility: firstComponent(msh['receivingFacility']),
    segments,
    summary: summarize(segments),
  }
}
