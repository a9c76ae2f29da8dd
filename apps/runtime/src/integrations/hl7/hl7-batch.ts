// HL7 v2 batches (v2.5 §2.10.3): [FHS] BHS {MSH…} BTS [FTS] in one frame. Each message inside is
// taken exactly as if it had come alone (stored, routed, acknowledged), and the answer is one
// frame holding a batch of acknowledgements: BHS (BHS-12 = the sender's BHS-11), the ACKs in the
// order of the messages, BTS-1 = how many ACKs. A message count in BTS-1 that does not match is
// logged, not refused: every message in the batch was still received and answered on its own.
import { createHash } from 'node:crypto'
import { normaliseHl7 } from './hl7-header.ts'
import type { Hl7Intake, IntakeResult } from './hl7-intake.ts'

/** What one frame holds: a single message, or a batch split into its messages. */
export type FrameContent =
  | { kind: 'message'; text: string }
  | {
      kind: 'batch'
      /** The FHS (file header) when the batch came inside a file. */
      fileHeader?: string
      batchHeader: string
      messages: string[]
      /** BTS-1 as sent, when the sender gave one. */
      declaredCount?: number
    }

export function splitFrame(raw: string): FrameContent {
  const text = normaliseHl7(raw)
  if (!/^(FHS|BHS)/.test(text)) return { kind: 'message', text: raw }
  const field = text.charAt(3)
  const messages: string[][] = []
  let fileHeader: string | undefined
  let batchHeader = ''
  let declaredCount: number | undefined
  for (const segment of text.split('\r')) {
    const name = segment.slice(0, 3)
    if (name === 'FHS') fileHeader = segment
    else if (name === 'BHS') batchHeader = segment
    else if (name === 'BTS') {
      const count = Number(segment.split(field)[1])
      if (Number.isInteger(count)) declaredCount = count
    } else if (name === 'FTS') continue
    else if (name === 'MSH') messages.push([segment])
    else messages.at(-1)?.push(segment)
  }
  return {
    kind: 'batch',
    ...(fileHeader ? { fileHeader } : {}),
    batchHeader: batchHeader || (fileHeader ?? '').replace(/^FHS/, 'BHS'),
    messages: messages.map((segments) => segments.join('\r')),
    ...(declaredCount !== undefined ? { declaredCount } : {}),
  }
}

/** The answer to a frame: what goes back (none, one or more frames) and the per-message results. */
export interface FrameAnswer {
  replies: string[]
  results: IntakeResult[]
}

function batchAckHeader(header: string, name: 'FHS' | 'BHS', at: Date, controlId: string): string {
  const field = header.charAt(3)
  const fields = header.split(field)
  const pad = (n: number) => String(n).padStart(2, '0')
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}+0000`
  // fields[1] is the encoding characters (the header's field 2); 3..6 swap sender and receiver.
  return [
    name,
    fields[1] ?? '^~\\&',
    fields[4] ?? '',
    fields[5] ?? '',
    fields[2] ?? '',
    fields[3] ?? '',
    stamp,
    '',
    '',
    '',
    controlId,
    fields[10] ?? '',
  ].join(field)
}

/** Take one frame: a message through the intake, or every message of a batch, one after another. */
export async function answerFrame(
  intake: Hl7Intake,
  raw: string,
  via: 'mllp' | 'http',
  options: {
    now?: () => Date
    log?: (line: string) => void
    after?: Promise<unknown>
    /** Told once the frame no longer holds the connection's next frame back (see Hl7Intake). */
    lookedAt?: () => void
  } = {},
): Promise<FrameAnswer> {
  const content = splitFrame(raw)
  if (content.kind === 'message') {
    const order = {
      ...(options.after ? { after: options.after } : {}),
      ...(options.lookedAt ? { lookedAt: options.lookedAt } : {}),
    }
    const result = await intake(raw, via, order)
    return { replies: result.replies, results: [result] }
  }
  // A batch waits its turn whole: its messages are stored and answered one after another.
  await options.after?.then(
    () => {},
    () => {},
  )
  const results: IntakeResult[] = []
  for (const message of content.messages) results.push(await intake(message, via))
  const count = content.declaredCount
  if (count !== undefined && count !== content.messages.length)
    options.log?.(`hl7: a batch declared ${count} message(s) in BTS-1 but held ${content.messages.length}`)
  const acks = results.flatMap((result) => result.replies)
  const field = content.batchHeader.charAt(3) || '|'
  const at = (options.now ?? (() => new Date()))()
  const id = `B${createHash('sha256').update(normaliseHl7(raw)).digest('hex').slice(0, 19).toUpperCase()}`
  const segments = [
    ...(content.fileHeader ? [batchAckHeader(content.fileHeader, 'FHS', at, id)] : []),
    batchAckHeader(content.batchHeader, 'BHS', at, id),
    ...acks.flatMap((ack) => ack.split('\r').filter(Boolean)),
    `BTS${field}${acks.length}`,
    ...(content.fileHeader ? [`FTS${field}1`] : []),
  ]
  return { replies: [segments.map((segment) => `${segment}\r`).join('')], results }
}
