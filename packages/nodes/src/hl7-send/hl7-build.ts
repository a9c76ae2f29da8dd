// Building an HL7 v2 message from a mapping: segments of fields addressed as field.component.
// subcomponent (`5.1`), values escaped so a fact can never add a field, component or segment.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

/** The standard delimiters: field |, component ^, repetition ~, escape \, subcomponent &. */
export const ENCODING_CHARACTERS = '^~\\&'

/**
 * A value with the HL7 escape sequences for every delimiter and line break (v2.5 §2.7), so
 * "Smith^John|x" arrives as one name, never as new components or fields.
 */
export function escapeHl7(value: string): string {
  return value.replace(/[\\|^&~\r\n]/g, (char) => {
    switch (char) {
      case '\\':
        return '\\E\\'
      case '|':
        return '\\F\\'
      case '^':
        return '\\S\\'
      case '&':
        return '\\T\\'
      case '~':
        return '\\R\\'
      case '\r':
        return '\\X0D\\'
      default:
        return '\\X0A\\'
    }
  })
}

/** `3`, `5.1` or `5.1.2`: field, component, subcomponent (1-based, as HL7 numbers them). */
export const FIELD_REF_PATTERN = /^[1-9]\d{0,2}(\.[1-9]\d{0,2}){0,2}$/

/** One segment's values by field reference; values are plain text, escaped here. */
export type SegmentValues = Map<string, string>

/** A segment (`PID|…`) from its values: empty positions stay empty, trailing ones are dropped. */
export function buildSegment(id: string, values: SegmentValues): string {
  const fields: string[][][] = []
  for (const [ref, value] of values) {
    const [f, c = 1, s = 1] = ref.split('.').map(Number) as [number, number?, number?]
    const field = (fields[f] ??= [])
    const component = (field[c - 1] ??= [])
    component[s - 1] = escapeHl7(value)
  }
  const text = Array.from(fields, (field) =>
    field === undefined
      ? ''
      : Array.from(field, (c) => (c === undefined ? '' : Array.from(c, (s) => s ?? '').join('&'))).join('^'),
  )
  return [id, ...text.slice(1)].join('|').replace(/\|+$/, '')
}

/** The MSH fields Carepath writes. */
export interface MessageHeader {
  sendingApplication: string
  sendingFacility: string
  receivingApplication: string
  receivingFacility: string
  /** ISO-8601 instant (the run's clock). */
  at: string
  messageType: (typeof HL7_SEND_TYPES)[number]
  controlId: string
  processingId: string
  version: string
}

/** HL7 DTM (YYYYMMDDHHMMSS+0000) of an ISO-8601 instant, in UTC. */
export function hl7Timestamp(iso: string): string {
  const date = new Date(iso)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return (
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}+0000`
  )
}

/** The MSH segment. MSH-9 carries the message structure too (ORU^R01^ORU_R01), as v2.5 asks. */
export function buildMsh(header: MessageHeader): string {
  const [code = '', trigger = ''] = header.messageType.split('^')
  const e = escapeHl7
  return [
    'MSH',
    ENCODING_CHARACTERS,
    e(header.sendingApplication),
    e(header.sendingFacility),
    e(header.receivingApplication),
    e(header.receivingFacility),
    hl7Timestamp(header.at),
    '',
    `${code}^${trigger}^${MESSAGE_STRUCTURES[header.messageType]}`,
    e(header.controlId),
    header.processingId,
    header.version,
  ].join('|')
}

/** The message types and triggers hl7.send builds. */
export const HL7_SEND_TYPES = [
  'ORU^R01',
  'ADT^A01',
  'ADT^A03',
  'ADT^A04',
  'ADT^A08',
  'SIU^S12',
  'SIU^S13',
  'SIU^S14',
  'SIU^S15',
  'SIU^S26',
  'ORM^O01',
] as const

/** Their message structures (HL7 v2.5 Table 0354). */
export const MESSAGE_STRUCTURES: Record<(typeof HL7_SEND_TYPES)[number], string> = {
  'ORU^R01': 'ORU_R01',
  'ADT^A01': 'ADT_A01',
  'ADT^A03': 'ADT_A03',
  'ADT^A04': 'ADT_A01',
  'ADT^A08': 'ADT_A01',
  'SIU^S12': 'SIU_S12',
  'SIU^S13': 'SIU_S12',
  'SIU^S14': 'SIU_S12',
  'SIU^S15': 'SIU_S12',
  'SIU^S26': 'SIU_S12',
  'ORM^O01': 'ORM_O01',
}

/**
 * MSH-10 for a message a run sends: the same run, node and content always give the same id (so a
 * resumed run re-sending is recognised as the same message), different ones differ. 20 characters,
 * the v2.5 length of MSH-10.
 */
export function controlIdFor(runId: string, nodeId: string, body: string): string {
  return `CP${bytesToHex(sha256(utf8ToBytes(`${runId}\n${nodeId}\n${body}`)))
    .slice(0, 18)
    .toUpperCase()}`
}
