// What the listener needs from an inbound HL7 v2 message before it answers: who sent it, what
// it is and its control id. The checks match hl7.parse's (MSH first, declared delimiters, named
// segments, MSH-9/10/12 present), so a message acknowledged AA is one the flow can read.
import { Hl7Context, Hl7Segment } from '@medplum/core'

export interface Hl7Header {
  sendingApplication: string
  sendingFacility: string
  receivingApplication: string
  receivingFacility: string
  /** `ADT^A04` */
  type: string
  triggerEvent: string
  controlId: string
  processingId: string
  version: string
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

export type HeaderResult =
  | { ok: true; header: Hl7Header; text: string }
  /** `controlId` is given when the header got far enough to have one (so the AE can name it). */
  | { ok: false; reason: string; controlId?: string; header?: Partial<Hl7Header> }

/** Normalise transport noise: BOM, surrounding whitespace, LF or CRLF segment ends → CR. */
export function normaliseHl7(raw: string): string {
  return raw
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '')
    .join('\r')
}

export function readHl7Header(raw: string): HeaderResult {
  const text = normaliseHl7(raw)
  if (!text.startsWith('MSH')) return { ok: false, reason: 'The message does not start with a header segment (MSH).' }
  const field = text.charAt(3)
  const encoding = text.slice(4, text.indexOf(field, 4))
  if (
    !field ||
    /[A-Za-z0-9\s]/.test(field) ||
    encoding.length < 3 ||
    encoding.length > 5 ||
    new Set([field, ...encoding]).size !== encoding.length + 1
  ) {
    return { ok: false, reason: 'The message header (MSH-1/MSH-2) does not declare distinct delimiters.' }
  }
  const context = new Hl7Context('\r', field, encoding[0], encoding[1], encoding[2], encoding[3] ?? '&')
  const lines = text.split('\r')
  const msh = Hl7Segment.parse(lines[0]!, context)
  const get = (index: number, component = 1) => msh.getComponent(index, component)
  const partial: Partial<Hl7Header> = {
    sendingApplication: get(3),
    sendingFacility: get(4),
    receivingApplication: get(5),
    receivingFacility: get(6),
    controlId: get(10),
    version: get(12),
    encoding,
    fieldSeparator: field,
    endpoints: {
      sendingApplication: msh.getField(3)?.toString() ?? '',
      sendingFacility: msh.getField(4)?.toString() ?? '',
      receivingApplication: msh.getField(5)?.toString() ?? '',
      receivingFacility: msh.getField(6)?.toString() ?? '',
    },
  }
  const controlId = get(10)
  const fail = (reason: string): HeaderResult => ({
    ok: false,
    reason,
    header: partial,
    ...(controlId ? { controlId } : {}),
  })
  const badLine = lines.findIndex(
    (line) => !/^[A-Z][A-Z0-9]{2}$/.test(line.slice(0, 3)) || (line.length > 3 && line[3] !== field),
  )
  if (badLine >= 0) return fail(`Segment ${badLine + 1} does not start with a segment name.`)
  const code = get(9)
  const event = get(9, 2)
  if (!code) return fail('The message header lacks the message type (MSH-9).')
  if (!controlId) return fail('The message header lacks the control id (MSH-10).')
  if (!get(12)) return fail('The message header lacks the version (MSH-12); the message may be cut short.')
  return {
    ok: true,
    text,
    header: {
      ...(partial as Hl7Header),
      type: event ? `${code}^${event}` : code,
      triggerEvent: event,
      processingId: get(11),
    },
  }
}
