// What the listener needs from an inbound HL7 v2 message before it answers: who sent it, what
// it is, its control id and how it wants to be acknowledged. The checks match hl7.parse's (MSH
// first, declared delimiters, named segments, MSH-9/10/12 present), so a message acknowledged AA
// is one the flow can read. Each problem carries its HL7 table 0357 code and where it is (ERR-2),
// so the ACK can say it in the sender's own terms.
import { Hl7Context, Hl7Segment } from '@medplum/core'
import type { Hl7ErrorCode } from './hl7-error-codes.ts'

/** MSH-15/16 values (HL7 table 0155). */
export type AckCondition = 'AL' | 'NE' | 'ER' | 'SU'

export interface Hl7Header {
  sendingApplication: string
  sendingFacility: string
  receivingApplication: string
  receivingFacility: string
  /** `ADT^A04` */
  type: string
  triggerEvent: string
  controlId: string
  /** MSH-11.1: P, T or D. */
  processingId: string
  version: string
  /** MSH-15 (accept acknowledgement), empty when the sender left it out. */
  acceptAckType: string
  /** MSH-16 (application acknowledgement), empty when the sender left it out. */
  appAckType: string
  /** MSH-18 first repetition (`UNICODE UTF-8`, `8859/1`), empty when not declared. */
  charset: string
  /** MSH-3..6 exactly as sent (all components), mirrored into the ACK's MSH-5..6 / MSH-3..4. */
  endpoints: {
    sendingApplication: string
    sendingFacility: string
    receivingApplication: string
    receivingFacility: string
  }
  /** MSH-2 as sent, reused in the ACK. */
  encoding: string
  fieldSeparator: string
}

/** Why a header cannot be taken: plain words, the table 0357 code and the field at fault. */
export interface HeaderProblem {
  reason: string
  errorCode: Hl7ErrorCode
  /** ERR-2 location as `segment^sequence^field` (`MSH^1^12`), when one field is at fault. */
  location?: { segment: string; sequence: number; field?: number }
}

export type HeaderResult =
  | { ok: true; header: Hl7Header; text: string }
  /** `controlId` is given when the header got far enough to have one (so the ACK can name it). */
  | ({ ok: false; controlId?: string; header?: Partial<Hl7Header> } & HeaderProblem)

/**
 * Versions whose message structures the standard published (MSH-12). Anything else, `2.9.9` say,
 * is a version we cannot know the layout of: refused AR 203 rather than read by guesswork.
 */
export const KNOWN_VERSIONS: readonly string[] = [
  '2.1',
  '2.2',
  '2.3',
  '2.3.1',
  '2.4',
  '2.5',
  '2.5.1',
  '2.6',
  '2.7',
  '2.7.1',
  '2.8',
  '2.8.1',
  '2.8.2',
  '2.9',
]

/** Normalise transport noise: BOM, surrounding whitespace, LF or CRLF segment ends → CR. */
export function normaliseHl7(raw: string): string {
  return raw
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '')
    .join('\r')
}

const mshAt = (field: number) => ({ segment: 'MSH', sequence: 1, field })

export function readHl7Header(raw: string): HeaderResult {
  const text = normaliseHl7(raw)
  if (!text.startsWith('MSH'))
    return {
      ok: false,
      reason: 'The message does not start with a header segment (MSH).',
      errorCode: '100',
    }
  const field = text.charAt(3)
  const encoding = text.slice(4, text.indexOf(field, 4))
  if (
    !field ||
    /[A-Za-z0-9\s]/.test(field) ||
    encoding.length < 3 ||
    encoding.length > 5 ||
    new Set([field, ...encoding]).size !== encoding.length + 1
  ) {
    return {
      ok: false,
      reason: 'The message header (MSH-1/MSH-2) does not declare distinct delimiters.',
      errorCode: '102',
      location: mshAt(2),
    }
  }
  const context = new Hl7Context('\r', field, encoding[0], encoding[1], encoding[2], encoding[3] ?? '&')
  const lines = text.split('\r')
  const msh = Hl7Segment.parse(lines[0] ?? '', context)
  const get = (index: number, component = 1) => msh.getComponent(index, component)
  const code = get(9)
  const event = get(9, 2)
  const controlId = get(10)
  const version = get(12)
  const header: Hl7Header = {
    sendingApplication: get(3),
    sendingFacility: get(4),
    receivingApplication: get(5),
    receivingFacility: get(6),
    type: event ? `${code}^${event}` : code,
    triggerEvent: event,
    controlId,
    processingId: get(11),
    version,
    acceptAckType: get(15),
    appAckType: get(16),
    charset: get(18),
    encoding,
    fieldSeparator: field,
    endpoints: {
      sendingApplication: msh.getField(3)?.toString() ?? '',
      sendingFacility: msh.getField(4)?.toString() ?? '',
      receivingApplication: msh.getField(5)?.toString() ?? '',
      receivingFacility: msh.getField(6)?.toString() ?? '',
    },
  }
  const fail = (problem: HeaderProblem): HeaderResult => ({
    ok: false,
    ...problem,
    header,
    ...(controlId ? { controlId } : {}),
  })
  const badLine = lines.findIndex(
    (line) => !/^[A-Z][A-Z0-9]{2}$/.test(line.slice(0, 3)) || (line.length > 3 && line[3] !== field),
  )
  if (badLine >= 0)
    return fail({ reason: `Segment ${badLine + 1} does not start with a segment name.`, errorCode: '100' })
  if (!code)
    return fail({ reason: 'The message header lacks the message type (MSH-9).', errorCode: '101', location: mshAt(9) })
  if (!controlId)
    return fail({ reason: 'The message header lacks the control id (MSH-10).', errorCode: '101', location: mshAt(10) })
  if (!version)
    return fail({
      reason: 'The message header lacks the version (MSH-12); the message may be cut short.',
      errorCode: '101',
      location: mshAt(12),
    })
  // One frame carries one message: a second header means two messages were run together, and
  // reading only the first would silently lose the second.
  const second = lines.findIndex((line, index) => index > 0 && line.startsWith(`MSH${field}`))
  if (second > 0)
    return fail({
      reason: `The frame holds more than one message (another MSH at segment ${second + 1}); send one message per frame, or a batch (BHS…BTS).`,
      errorCode: '100',
      location: { segment: 'MSH', sequence: 2 },
    })
  if (!KNOWN_VERSIONS.includes(version))
    return fail({
      reason: `HL7 version ${version} is not one this receiver knows (2.1 to 2.9).`,
      errorCode: '203',
      location: mshAt(12),
    })
  if (!['P', 'T', 'D'].includes(header.processingId))
    return fail({
      reason: 'The processing id (MSH-11) must be P, T or D.',
      errorCode: '202',
      location: mshAt(11),
    })
  return { ok: true, text, header }
}
