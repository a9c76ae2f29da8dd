// HL7 v2 acknowledgements (original mode): MSA-1 AA / AE / AR, MSA-2 = the inbound MSH-10.
// Built with the sender's own delimiters so the ACK reads back with the same parser settings.

export type AckCode = 'AA' | 'AE' | 'AR'

export interface AckInput {
  code: AckCode
  /** The inbound MSH-10 (empty when the message had none). */
  controlId: string
  /** Plain text for MSA-3 (no patient data). */
  text: string
  /** HL7 table 0357 error code for ERR-3 on AE/AR (207 application error, 200 unsupported message type ...). */
  errorCode?: string | undefined
  /** The inbound MSH-3..6 as sent; the ACK swaps sender and receiver. */
  endpoints?:
    | { sendingApplication: string; sendingFacility: string; receivingApplication: string; receivingFacility: string }
    | undefined
  triggerEvent?: string | undefined
  version?: string | undefined
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
  return [...text.replace(/[\r\n]+/g, ' ')]
    .map((ch) =>
      ch === escape
        ? `${escape}E${escape}`
        : ch === field
          ? `${escape}F${escape}`
          : ch === component
            ? `${escape}S${escape}`
            : ch === repetition
              ? `${escape}R${escape}`
              : ch === subcomponent
                ? `${escape}T${escape}`
                : ch,
    )
    .join('')
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
    'P',
    input.version || '2.5.1',
  ]
  const msa = ['MSA', input.code, input.controlId, escapeText(input.text, field, encoding)]
  const segments = [msh.join(field), msa.join(field)]
  if (input.code !== 'AA') segments.push(['ERR', '', '', `${input.errorCode ?? '207'}`, 'E'].join(field))
  return segments.join('\r')
}
