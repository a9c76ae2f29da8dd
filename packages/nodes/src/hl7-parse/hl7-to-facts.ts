// HL7 v2 → facts. Delimiters come from MSH-1 and MSH-2 (so odd delimiters work); a segment is
// split into fields, repetitions, components and subcomponents as @medplum/core's Hl7Segment
// splits it (tested value for value against it), in one pass without its objects: parsing was a
// tenth of an HL7 message's CPU, mostly spent building them. Added: structural checks (a truncated
// or garbled message is refused with a plain reason) and HL7 escape decoding on every value.
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

/** The message's delimiters, as MSH-1 and MSH-2 declare them. */
export interface Hl7Delimiters {
  field: string
  component: string
  repetition: string
  escape: string
  subcomponent: string
}

interface Delimiters extends Hl7Delimiters {
  /** Whether a field holds any delimiter below the field's or the escape character. */
  structured: RegExp
}

function delimitersOf(text: string): Delimiters {
  const field = text.charAt(3)
  if (!field || /[A-Za-z0-9\s]/.test(field)) throw new Hl7ParseError('The message header (MSH) has no field separator.')
  const encoding = text.slice(4, text.indexOf(field, 4))
  if (encoding.length < 3 || encoding.length > 5 || new Set([field, ...encoding]).size !== encoding.length + 1) {
    throw new Hl7ParseError('The message header (MSH-2) does not declare distinct delimiters.')
  }
  const component = encoding[0]!
  const repetition = encoding[1]!
  const escape = encoding[2]!
  const subcomponent = encoding[3] ?? '&'
  return {
    field,
    component,
    repetition,
    escape,
    subcomponent,
    structured: structuredTest(component + repetition + escape + subcomponent),
  }
}

// Made once per delimiter set: a sender uses one set for all its messages (and a sender that
// varies them on purpose cannot grow the cache past a few dozen).
const structuredTests = new Map<string, RegExp>()
const MAX_DELIMITER_SETS = 64
function structuredTest(delimiters: string): RegExp {
  let test = structuredTests.get(delimiters)
  if (!test) {
    if (structuredTests.size >= MAX_DELIMITER_SETS) structuredTests.clear()
    test = new RegExp(`[${[...delimiters].map(escapeForClass).join('')}]`)
    structuredTests.set(delimiters, test)
  }
  return test
}

/** A delimiter as a member of a regular expression's character class. */
const escapeForClass = (char: string) => char.replace(/[\\\]^-]/g, '\\$&')

/** Decode HL7 escapes (\F\ \S\ \T\ \R\ \E\ \Xhh\ \.br\; highlighting dropped) in one value. */
export function unescapeHl7(value: string, d: Hl7Delimiters): string {
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

/** One field's text as a value: a string, or its repetitions' components (see hl7-values.ts). */
function fieldValue(text: string, d: Delimiters): Hl7FieldValue | undefined {
  // Most fields are one plain value: the same result as the split below, without its arrays.
  if (!d.structured.test(text)) return text === '' ? undefined : text
  const repetitions = text.split(d.repetition).map((repetition) =>
    repetition.split(d.component).map((component): Hl7Component => {
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
  const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '')
  lines.forEach((line, index) => {
    if (!/^[A-Z][A-Z0-9]{2}$/.test(line.slice(0, 3)) || (line.length > 3 && line[3] !== d.field)) {
      throw new Hl7ParseError(`Segment ${index + 1} does not start with a segment name.`)
    }
  })
  const segments: { [segment: string]: Hl7SegmentFacts[] } = {}
  for (const line of lines) {
    const name = line.slice(0, 3)
    const fields = line.split(d.field)
    // MSH-1 is the field separator itself, so MSH-n is the nth text after the name; MSH-1 and
    // MSH-2 (the delimiters) are not facts.
    const isHeader = name === 'MSH'
    const facts: Hl7SegmentFacts = {}
    for (let index = isHeader ? 3 : 1; index < (isHeader ? fields.length + 1 : fields.length); index++) {
      const value = fieldValue(fields[isHeader ? index - 1 : index]!, d)
      if (value !== undefined) facts[fieldName(name, index)] = value
    }
    ;(segments[name] ??= []).push(facts)
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
