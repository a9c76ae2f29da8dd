// One inbound HL7 message, from bytes to acknowledgement, the same for MLLP and HTTP:
// store (durably) → read the header → duplicate? → accepted sender/type? → start runs → ACK.
// The store comes first so nothing acknowledged can be lost, and an AE'd message is still kept.
import { createHash, randomUUID } from 'node:crypto'
import { buildAck, type AckCode } from './hl7-ack.ts'
import { readHl7Header, type Hl7Header } from './hl7-header.ts'
import type { Hl7MessageStore } from './hl7-store.ts'

/** A readable inbound message as handed to the runtime. */
export interface Hl7Inbound {
  /** The message text (segments separated by CR). */
  raw: string
  header: Hl7Header
  /** `app^facility` */
  sender: string
  via: 'mllp' | 'http'
  /** Stable across resends: use it as the run's idempotency key. */
  dedupeKey: string
}

/** The runtime's answer: which runs started, or why none may. */
export type AcceptResult =
  | { accepted: true; runIds: string[] }
  /** `not-accepted`: no flow takes this sender/type (→ AR). `failed`: could not start now (→ AE). */
  | { accepted: false; reason: 'not-accepted' | 'failed'; message?: string }

export interface Hl7IntakeOptions {
  store: Hl7MessageStore
  acceptRun(message: Hl7Inbound): Promise<AcceptResult>
  now?: () => Date
  /** Operational log; lines carry control ids and codes, never message content. */
  log?: (line: string) => void
  /**
   * A stored message that started no run (answered AR or AE): the runtime keeps it as a dead
   * letter. `reason` is the ACK's plain text, never message content.
   */
  onRefused?(refused: RefusedMessage): void | Promise<void>
  /** A message accepted (not a duplicate): closes the dead letter an earlier delivery left. */
  onAccepted?(accepted: { dedupeKey: string; runIds: string[] }): void | Promise<void>
}

/** What `onRefused` is told. */
export interface RefusedMessage {
  raw: string
  sender: string
  controlId: string
  type: string
  via: 'mllp' | 'http'
  /** `unreadable` (no usable header), `not-accepted` (AR: no flow takes it), `failed` (AE: no run could start). */
  reasonCode: 'unreadable' | 'not-accepted' | 'failed'
  reason: string
  dedupeKey: string
  receivedAt: Date
}

export interface IntakeResult {
  ack: string
  code: AckCode
  controlId: string
  runIds: string[]
  duplicate: boolean
}

export type Hl7Intake = (raw: string, via: 'mllp' | 'http') => Promise<IntakeResult>

export function createHl7Intake(options: Hl7IntakeOptions): Hl7Intake {
  const now = options.now ?? (() => new Date())
  const log = options.log ?? (() => {})
  return async (raw, via) => {
    const read = readHl7Header(raw)
    const header = read.ok ? read.header : read.header
    const sender = header ? `${header.sendingApplication ?? ''}^${header.sendingFacility ?? ''}` : ''
    const controlId = read.ok ? read.header.controlId : (read.controlId ?? '')
    // Logs name a message by a digest of (sender, control id): enough to find it in the store,
    // nothing that points at a person.
    const ref = controlId
      ? createHash('sha256').update(`${sender}|${controlId}`).digest('hex').slice(0, 12)
      : '(no control id)'
    const reply = (
      code: AckCode,
      text: string,
      extra: { runIds?: string[]; duplicate?: boolean; errorCode?: string } = {},
    ): IntakeResult => ({
      ack: buildAck({
        code,
        controlId,
        text,
        errorCode: extra.errorCode,
        endpoints: header?.endpoints,
        triggerEvent: read.ok ? read.header.triggerEvent : undefined,
        version: header?.version,
        fieldSeparator: header?.fieldSeparator,
        encoding: header?.encoding,
        ackControlId: randomUUID().replaceAll('-', '').slice(0, 20),
        at: now(),
      }),
      code,
      controlId,
      runIds: extra.runIds ?? [],
      duplicate: extra.duplicate ?? false,
    })

    // Durable first. If storing fails we must not say AA: the sender keeps the message and resends.
    let saved: Awaited<ReturnType<Hl7MessageStore['save']>>
    try {
      saved = await options.store.save(
        read.ok ? read.text : raw,
        { sender, controlId, type: read.ok ? read.header.type : '', via },
        now(),
      )
    } catch {
      log(`hl7: could not store message ${ref}; answered AE`)
      return reply('AE', 'The message could not be stored; send it again.', { errorCode: '207' })
    }
    const receivedAt = now()
    const dedupeKey = `hl7:${sender}:${controlId}`
    const settle = async (result: IntakeResult, reason?: string, text?: string) => {
      await options.store.settle(saved.id, { ackCode: result.code, runIds: result.runIds, reason }).catch(() => {})
      log(`hl7: ${result.code} ${ref} via ${via}${result.duplicate ? ' (duplicate)' : ''}`)
      // Keeping a dead letter must not change the ACK: a failure here is logged, not answered.
      try {
        if (result.code === 'AA' && !result.duplicate) await options.onAccepted?.({ dedupeKey, runIds: result.runIds })
        if (result.code !== 'AA')
          await options.onRefused?.({
            raw: read.ok ? read.text : raw,
            sender,
            controlId,
            type: read.ok ? read.header.type : '',
            via,
            reasonCode: !read.ok ? 'unreadable' : reason === 'not-accepted' ? 'not-accepted' : 'failed',
            reason: text ?? reason ?? 'refused',
            dedupeKey,
            receivedAt,
          })
      } catch {
        log(`hl7: could not keep the dead letter of ${ref}`)
      }
      return result
    }

    if (!read.ok) return settle(reply('AE', read.reason, { errorCode: '100' }), read.reason, read.reason)
    if (saved.previous?.ackCode === 'AA') {
      // A resend of an accepted message: answer AA again and start nothing new. (A resend of an
      // AR'd or AE'd one is looked at afresh: a flow may accept it now.)
      return settle(
        reply('AA', 'Duplicate of a message already accepted.', {
          runIds: saved.previous.runIds ?? [],
          duplicate: true,
        }),
      )
    }
    const message: Hl7Inbound = {
      raw: read.text,
      header: read.header,
      sender,
      via,
      dedupeKey,
    }
    let accepted: AcceptResult
    try {
      accepted = await options.acceptRun(message)
    } catch {
      accepted = { accepted: false, reason: 'failed' }
    }
    if (accepted.accepted) return settle(reply('AA', 'Message accepted.', { runIds: accepted.runIds }))
    if (accepted.reason === 'not-accepted') {
      const text = accepted.message ?? `No flow accepts ${read.header.type} from this sender.`
      return settle(reply('AR', text, { errorCode: '200' }), 'not-accepted', text)
    }
    const text = accepted.message ?? 'The message was stored but could not be processed now; it will be kept.'
    return settle(reply('AE', text, { errorCode: '207' }), 'failed', text)
  }
}

/**
 * After a restart: start the runs of messages that were stored but never answered, or answered
 * AE because their runs could not start. No ACK goes out (that connection is gone); a resend
 * later is then a duplicate of an accepted message. Returns how many were accepted.
 */
export async function reprocessPending(
  options: Pick<Hl7IntakeOptions, 'store' | 'acceptRun' | 'log'>,
): Promise<number> {
  const pending = (await options.store.pending?.()) ?? []
  let accepted = 0
  for (const message of pending) {
    const read = readHl7Header(message.raw)
    if (!read.ok) {
      await options.store.settle(message.id, { ackCode: 'AE', reason: read.reason })
      continue
    }
    const sender = `${read.header.sendingApplication}^${read.header.sendingFacility}`
    const inbound: Hl7Inbound = {
      raw: read.text,
      header: read.header,
      sender,
      via: message.meta.via,
      dedupeKey: `hl7:${sender}:${read.header.controlId}`,
    }
    const result = await options.acceptRun(inbound).catch((): AcceptResult => ({ accepted: false, reason: 'failed' }))
    if (result.accepted) {
      accepted++
      await options.store.settle(message.id, { ackCode: 'AA', runIds: result.runIds })
    } else if (result.reason === 'not-accepted') {
      await options.store.settle(message.id, { ackCode: 'AR', reason: 'not-accepted' })
    }
  }
  if (pending.length > 0)
    options.log?.(`hl7: ${pending.length} stored message(s) looked at again after a restart; ${accepted} accepted`)
  return accepted
}
