// HL7 v2 acknowledgements, built as v2.5 chapter 2 describes: the sender's delimiters, version
// and processing id (MSH-11) echoed, MSH-9 = ACK^<trigger>^ACK, MSA-1 an original-mode code
// (AA/AE/AR) or an enhanced-mode commit code (CA/CE/CR), MSA-2 = the inbound MSH-10, an ERR
// segment on every refusal coded from table 0357 (`code^text^HL70357`), MSH-18 echoed when the
// sender declared a character set, and a CR after the last segment.
import { HL7_ERROR_TEXT, type Hl7ErrorCode } from './hl7-error-codes.ts'

export type AckCode = 'AA' | 'AE' | 'AR'
export type CommitCode = 'CA' | 'CE' | 'CR'

export interface AckInput {
  code: AckCode | CommitCode
  /** The inbound MSH-10 (empty when the message had none). */
  controlId: string
  /** Plain text for MSA-3 (no patient data). */
  text: string
  /** HL7 table 0357 code for ERR-3 (v2.5+) or ERR-1.4 (before 2.5) on any refusal. */
  errorCode?: Hl7ErrorCode | undefined
  /** Where the error is (ERR-2, or ERR-1.1..3 before 2.5). */
  errorLocation?: { segment: string; sequence: number; field?: number | undefined } | undefined
  /** The inbound MSH-3..6 as sent; the ACK swaps sender and receiver. */
  endpoints?:
    | { sendingApplication: string; sendingFacility: string; receivingApplication: string; receivingFacility: string }
    | undefined
  triggerEvent?: string | undefined
  version?: string | undefined
  /** The inbound MSH-11 (P, T or D); P when it had none. */
  processingId?: string | undefined
  /** The inbound MSH-18, echoed because the ACK is written in the same character set. */
  charset?: string | undefined
  fieldSeparator?: string | undefined
  encoding?: string | undefined
  /** This ACK's own control id. */
  ackControlId: string
  at: Date
}

function hl7Timestamp(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}+0000`
}

/** Escape text for a field so our own words never break the ACK's structure. */
function escapeText(text: string, field: string, encoding: string): string {
  const [component = '^', repetition = '~', escape = '\\', subcomponent = '&'] = encoding
  const escapes = new Map([
    [escape, 'E'],
    [field, 'F'],
    [component, 'S'],
    [repetition, 'R'],
    [subcomponent, 'T'],
  ])
  return [...text.replace(/[\r\n]+/g, ' ')]
    .map((ch) => {
      const letter = escapes.get(ch)
      return letter ? `${escape}${letter}${escape}` : ch
    })
    .join('')
}

/** v2.5 moved the error to ERR-2/3/4; 2.1 to 2.4 receivers read only ERR-1 (ELD). */
export function usesEldErrors(version: string | undefined): boolean {
  const [major = 2, minor = 5] = (version ?? '').split('.').map(Number)
  return major === 2 && minor < 5
}

function errSegment(input: AckInput, field: string, encoding: string): string {
  const component = encoding[0] ?? '^'
  const subcomponent = encoding[3] ?? '&'
  const code = input.errorCode ?? '207'
  const where = input.errorLocation
  const location = where
    ? [where.segment, String(where.sequence), where.field ? String(where.field) : '']
    : ['', '', '']
  if (usesEldErrors(input.version)) {
    // ERR-1 (ELD): segment^sequence^field^code&text&HL70357.
    const coded = [code, HL7_ERROR_TEXT[code], 'HL70357'].join(subcomponent)
    return ['ERR', [...location, coded].join(component)].join(field)
  }
  const erl = where ? location.join(component).replace(new RegExp(`\\${component}+$`), '') : ''
  // ERR-3 (CWE): code^text^HL70357; ERR-4 severity E; ERR-8 the words an operator reads.
  return [
    'ERR',
    '',
    erl,
    [code, HL7_ERROR_TEXT[code], 'HL70357'].join(component),
    'E',
    '',
    '',
    '',
    escapeText(input.text, field, encoding),
  ].join(field)
}

export function buildAck(input: AckInput): string {
  const field = input.fieldSeparator ?? '|'
  const encoding = input.encoding ?? '^~\\&'
  const component = encoding[0] ?? '^'
  const type = input.triggerEvent ? `ACK${component}${input.triggerEvent}${component}ACK` : 'ACK'
  const e = input.endpoints
  const msh = [
    'MSH',
    encoding,
    e?.receivingApplication ?? '',
    e?.receivingFacility ?? '',
    e?.sendingApplication ?? '',
    e?.sendingFacility ?? '',
    hl7Timestamp(input.at),
    '',
    type,
    input.ackControlId,
    input.processingId || 'P',
    input.version || '2.5.1',
  ]
  // MSH-13..17 empty; MSH-18 only when the sender declared one, so a plain ACK stays short.
  if (input.charset) msh.push('', '', '', '', '', escapeText(input.charset, field, encoding))
  const msa = ['MSA', input.code, input.controlId, escapeText(input.text, field, encoding)]
  const segments = [msh.join(field), msa.join(field)]
  if (input.code !== 'AA' && input.code !== 'CA') segments.push(errSegment(input, field, encoding))
  // Every segment ends with CR, the last one included (v2.5 §2.6.1).
  return segments.map((segment) => `${segment}\r`).join('')
}
