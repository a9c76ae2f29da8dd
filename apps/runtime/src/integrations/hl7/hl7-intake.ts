// One inbound HL7 message, from bytes to acknowledgement, the same for MLLP and HTTP:
// store (durably) → read the header → duplicate? → accepted sender/type? → start runs → ACK.
// The store comes first so nothing acknowledged can be lost, and a refused message is still kept.
//
// Acknowledgement modes (v2.5 §2.9): a message with MSH-15 and MSH-16 both empty is in original
// mode and gets one application ACK (AA/AE/AR). Otherwise it is in enhanced mode: the commit
// ACK (CA/CE/CR: stored or not) goes back when MSH-15 asks for it, then the application ACK when
// MSH-16 asks for it, both on the same connection (Carepath has no separate route back to the
// sender). AL always, NE never, ER only on a refusal, SU only on success.
import { createHash } from 'node:crypto'
import { buildAck, type AckCode, type AckInput, type CommitCode } from './hl7-ack.ts'
import type { Hl7ErrorCode } from './hl7-error-codes.ts'
import { readHl7Header, type Hl7Header } from './hl7-header.ts'
import type { Hl7MessageStore, Settled } from './hl7-store.ts'

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
  | {
      accepted: true
      runIds: string[]
      /**
       * When the runs were only queued for a group commit: settles once they are on disk (or
       * rejects, and the message is answered AE). The next message may be looked at meanwhile;
       * the ACK waits for it.
       */
      committed?: Promise<unknown>
    }
  /** `not-accepted`: no flow takes this sender/type (→ AR). `failed`: could not start now (→ AE). */
  | {
      accepted: false
      reason: 'not-accepted' | 'failed'
      message?: string
      /** Table 0357 code for the ERR segment (200 type, 201 event, 103 sender); 207 when absent. */
      errorCode?: Hl7ErrorCode
      /** The MSH field at fault (3 sender, 9 type). */
      errorField?: number
    }

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
  /** The application acknowledgement (what HTTP answers with, whatever the mode). */
  ack: string
  code: AckCode
  /** What goes back on an MLLP connection, in order: none, one or two ACKs, per the mode. */
  replies: string[]
  controlId: string
  runIds: string[]
  duplicate: boolean
  /** The message had no header we could take (answered AR with a 1xx/20x code). */
  unreadable: boolean
}

/**
 * `after`: the message is stored at once, then looked at only once `after` has settled (the
 * previous message on its connection looked at), so a pipelining sender's messages are stored
 * together (one disk flush) and still routed one after another, in order. `lookedAt` is called once
 * this message no longer holds the next one back: its runs are queued for the next group commit
 * (or it was answered without any). The ACK itself still waits for the commit, so a connection's
 * messages share a transaction and each is acknowledged only once it is on disk.
 */
export type Hl7Intake = (
  raw: string,
  via: 'mllp' | 'http',
  order?: { after?: Promise<unknown>; lookedAt?: () => void },
) => Promise<IntakeResult>

type Refusal = {
  errorCode: Hl7ErrorCode
  location?: AckInput['errorLocation']
}

const ignore = () => {}

/** MSH-15/16 condition → whether an ACK with this outcome goes back. */
function wanted(condition: string, success: boolean): boolean {
  if (condition === 'NE') return false
  if (condition === 'ER') return !success
  if (condition === 'SU') return success
  return true // AL, or a value we do not know: answering is the safe side
}

export function createHl7Intake(options: Hl7IntakeOptions): Hl7Intake {
  const now = options.now ?? (() => new Date())
  const log = options.log ?? (() => {})
  // Messages looked at and not yet settled, by (sender, control id): a copy pipelined behind one
  // waits for it to settle, so it is known for a resend rather than started a second time.
  const unsettled = new Map<string, Promise<void>>()
  return async (raw, via, order) => {
    let told = false
    const lookedAt = () => {
      if (told) return
      told = true
      order?.lookedAt?.()
    }
    try {
      return await take(raw, via, order?.after, lookedAt)
    } finally {
      lookedAt()
    }
  }

  async function take(
    raw: string,
    via: 'mllp' | 'http',
    after: Promise<unknown> | undefined,
    lookedAt: () => void,
  ): Promise<IntakeResult> {
    const read = readHl7Header(raw)
    const header = read.header
    const sender = header ? `${header.sendingApplication ?? ''}^${header.sendingFacility ?? ''}` : ''
    const controlId = read.ok ? read.header.controlId : (read.controlId ?? '')
    const digest = (text: string) => createHash('sha256').update(text).digest('hex')
    // Logs name a message by a digest of (sender, control id): enough to find it in the store,
    // nothing that points at a person.
    const ref = controlId ? digest(`${sender}|${controlId}`).slice(0, 12) : '(no control id)'
    // Enhanced mode when either MSH-15 or MSH-16 is valued (v2.5 §2.9.3).
    const enhanced = Boolean(header?.acceptAckType || header?.appAckType)
    const ackOf = (code: AckCode | CommitCode, text: string, refusal?: Refusal) =>
      buildAck({
        code,
        controlId,
        text,
        errorCode: refusal?.errorCode,
        errorLocation: refusal?.location,
        endpoints: header?.endpoints,
        triggerEvent: header?.triggerEvent,
        version: header?.version,
        processingId: header?.processingId,
        charset: header?.charset,
        fieldSeparator: header?.fieldSeparator,
        encoding: header?.encoding,
        // Deterministic: the same message answered the same way gets the same ACK control id.
        ackControlId: `A${digest(`${sender}|${controlId || digest(raw)}|${code}`)
          .slice(0, 19)
          .toUpperCase()}`,
        at: now(),
      })
    const reply = (
      code: AckCode,
      text: string,
      extra: { runIds?: string[]; duplicate?: boolean; refusal?: Refusal; commit?: CommitCode } = {},
    ): IntakeResult => {
      const ack = ackOf(code, text, extra.refusal)
      const commit = extra.commit ?? 'CA'
      const replies = !enhanced
        ? [ack]
        : [
            ...(wanted(header?.acceptAckType ?? '', commit === 'CA')
              ? [
                  ackOf(
                    commit,
                    commit === 'CA' ? 'Message received and stored.' : text,
                    commit === 'CA' ? undefined : extra.refusal,
                  ),
                ]
              : []),
            // No application processing happens after a commit refusal, so no application ACK.
            ...(commit === 'CA' && header?.appAckType && wanted(header.appAckType, code === 'AA') ? [ack] : []),
          ]
      return {
        ack,
        code,
        replies,
        controlId,
        runIds: extra.runIds ?? [],
        duplicate: extra.duplicate ?? false,
        unreadable: !read.ok,
      }
    }

    // An acknowledgement that comes in (a sender's commit ACK of our application ACK, in enhanced
    // mode) is never answered, routed or kept: acknowledging an acknowledgement would start a
    // ping-pong, and it carries no work.
    if (read.ok && read.header.type.split('^')[0] === 'ACK') {
      log(`hl7: an acknowledgement ${ref} arrived via ${via}; acknowledgements are not answered`)
      return { ...reply('AA', 'Acknowledgement received.'), replies: [] }
    }

    // Durable first. If storing fails we must not say AA: the sender keeps the message and resends.
    const savedMeta = { sender, controlId, type: read.ok ? read.header.type : '', via }
    let saved: Awaited<ReturnType<Hl7MessageStore['save']>>
    try {
      saved = await options.store.save(read.ok ? read.text : raw, savedMeta, now())
    } catch {
      log(`hl7: could not store message ${ref}; answered AE`)
      return reply('AE', 'The message could not be stored; send it again.', {
        refusal: { errorCode: '207' },
        commit: 'CE',
      })
    }
    // Stored; now wait for the message before it on the connection to be looked at, and for an
    // earlier copy of this one (same sender and control id) still under way to be settled.
    if (after) await after.then(ignore, ignore)
    const dedupeKey = `hl7:${sender}:${controlId}`
    const inFlightKey = controlId ? dedupeKey : undefined
    for (let earlier = inFlightKey && unsettled.get(inFlightKey); earlier; earlier = unsettled.get(dedupeKey))
      await earlier
    let settled = ignore
    if (inFlightKey) {
      const mine = new Promise<void>((resolve) => (settled = resolve))
      unsettled.set(inFlightKey, mine)
      void mine.then(() => {
        if (unsettled.get(inFlightKey) === mine) unsettled.delete(inFlightKey)
      })
    }
    try {
      return await lookAt()
    } finally {
      settled()
    }

    async function lookAt(): Promise<IntakeResult> {
      const receivedAt = now()
      const settle = async (result: IntakeResult, reason?: string, text?: string) => {
        await options.store.settle(saved.id, { ackCode: result.code, runIds: result.runIds, reason }).catch(() => {})
        log(
          `hl7: ${result.code} ${ref} via ${via}${result.duplicate ? ' (duplicate)' : ''}${enhanced ? ` (enhanced mode, ${result.replies.length} ACK(s) sent)` : ''}`,
        )
        // Keeping a dead letter must not change the ACK: a failure here is logged, not answered.
        try {
          if (result.code === 'AA' && !result.duplicate)
            await options.onAccepted?.({ dedupeKey, runIds: result.runIds })
          if (result.code !== 'AA')
            await options.onRefused?.({
              raw: read.ok ? read.text : raw,
              sender,
              controlId,
              type: header?.type ?? '',
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

      if (!read.ok) {
        // A header we cannot take is refused (AR), not errored: sending it again unchanged cannot help.
        const refusal: Refusal = { errorCode: read.errorCode, ...(read.location ? { location: read.location } : {}) }
        return settle(reply('AR', read.reason, { refusal, commit: 'CR' }), read.reason, read.reason)
      }
      let previous: Settled | undefined
      try {
        previous = options.store.settledOf ? await options.store.settledOf(savedMeta) : saved.previous
      } catch {
        // Stored, but whether it is a resend cannot be told now: kept, and looked at again later.
        const text = 'The message was stored but could not be processed now; it will be kept.'
        return settle(reply('AE', text, { refusal: { errorCode: '207' } }), 'failed', text)
      }
      if (previous?.ackCode === 'AA') {
        // A resend of an accepted message: answer AA again and start nothing new. (A resend of an
        // AR'd or AE'd one is looked at afresh: a flow may accept it now.)
        return settle(
          reply('AA', 'Duplicate of a message already accepted.', {
            runIds: previous.runIds ?? [],
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
        // Routed, its runs queued: the next message may be looked at while this one commits.
        lookedAt()
        if (accepted.accepted && accepted.committed) await accepted.committed
      } catch {
        accepted = { accepted: false, reason: 'failed' }
      }
      if (accepted.accepted) return settle(reply('AA', 'Message accepted.', { runIds: accepted.runIds }))
      const refusal: Refusal = {
        errorCode: accepted.errorCode ?? '207',
        ...(accepted.errorField ? { location: { segment: 'MSH', sequence: 1, field: accepted.errorField } } : {}),
      }
      if (accepted.reason === 'not-accepted') {
        const text = accepted.message ?? `No flow accepts ${read.header.type} from this sender.`
        return settle(reply('AR', text, { refusal }), 'not-accepted', text)
      }
      const text = accepted.message ?? 'The message was stored but could not be processed now; it will be kept.'
      return settle(reply('AE', text, { refusal }), 'failed', text)
    }
  }
}

/**
 * Start the runs of messages that were stored but never answered (their taker stopped), or
 * answered AE because their runs could not start. No ACK goes out (that connection is gone); a
 * resend later is then a duplicate of an accepted message, and `onAccepted` closes the dead letter
 * an AE left. Returns how many were accepted.
 */
export async function reprocessPending(
  options: Pick<Hl7IntakeOptions, 'store' | 'acceptRun' | 'log' | 'onAccepted'>,
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
    const result = await options
      .acceptRun(inbound)
      .then(async (r) => (r.accepted && r.committed ? (await r.committed, r) : r))
      .catch((): AcceptResult => ({ accepted: false, reason: 'failed' }))
    if (result.accepted) {
      accepted++
      await options.store.settle(message.id, { ackCode: 'AA', runIds: result.runIds })
      try {
        await options.onAccepted?.({ dedupeKey: inbound.dedupeKey, runIds: result.runIds })
      } catch {
        options.log?.('hl7: could not close the dead letter of a message accepted on a later look')
      }
    } else if (result.reason === 'not-accepted') {
      await options.store.settle(message.id, { ackCode: 'AR', reason: 'not-accepted' })
    }
  }
  if (pending.length > 0)
    options.log?.(
      `hl7: ${pending.length} stored message(s) no process had answered looked at again; ${accepted} accepted`,
    )
  return accepted
}
