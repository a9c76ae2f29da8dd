// Messages for runs that wait at a wait.event step: an SMS reply, a result, an outside system's
// callback, delivered by the API, a webhook or an HL7 message. A message wakes every run waiting
// for its name and key; one that matches none is kept (pending) for a bounded time, so a run that
// reaches its wait a moment later still gets it, and then expires into the dead letters. Delivery
// is idempotent by message id, and a run's log names the message it took, so a message is never
// given to the same wait twice, even when a sweep and a delivery race or a process dies between.
import type { ResumeSignal, RunEvent } from '@carepath/engine'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { eventDelivered } from '../audit/audit-entries.ts'
import { AppError } from '../errors.ts'
import { PLAINTEXT, type DataCipher } from '../keys/data-cipher.ts'
import type { Store } from '../store/store.ts'
import { correlationRef } from './correlation-ref.ts'
import type { DeadLetterInput } from '../operations/dead-letters.service.ts'
import type { Actor, SameTransaction } from '../runs/runs.service.ts'

/** How long a message that matches no waiting run is kept before it expires (default one day). */
export const DEFAULT_UNMATCHED_RETENTION_MS = 24 * 3_600_000

interface InboundRow {
  id: string
  message_id: string
  name: string
  /** The correlation key as a keyed hash (an appointment id or a phone number may identify a patient). */
  key: string
  /** The key and the payload, sealed at rest (see `sealedBody`). */
  payload: string
  source: string
  received_at: string
  expires_at: string
  status: 'pending' | 'delivered' | 'expired'
  /** JSON text (the store returns JSON columns as their text on both databases). */
  run_ids: string
}

/** A message as a sender hands it over. */
export interface InboundMessage {
  name: string
  key: string
  payload: JsonValue
  /** The sender's id for it (an SMS id, an HL7 control id): a resend delivers nothing twice. */
  messageId: string
  source: 'api' | 'webhook' | 'hl7'
}

/** What the events need of the dead letters (synchronous or not: both are awaited). */
export interface EventDeadLetters {
  record(input: DeadLetterInput): void | Promise<void>
  acceptedLater(key: string, runIds: readonly string[], at: string): void | Promise<void>
}

/** What the events service asks of the runs: their log (was a message taken?) and a step that delivers one. */
export interface EventRuns {
  store: { events(runId: string): Promise<readonly RunEvent[]> }
  resume(
    runId: string,
    signal: Extract<ResumeSignal, { type: 'event' }>,
    actor: Actor,
    inSameTransaction: SameTransaction,
  ): Promise<unknown>
}

export interface EventsDeps {
  store: Store
  audit: Pick<AuditRecorder, 'record'>
  now: () => Date
  runs: EventRuns
  /** The installation's secret for patient references: correlation keys are stored as its HMAC. */
  referenceSecret: string
  cipher?: DataCipher
  retentionMs?: number
  /** Where expired messages are shown to operators (and reprocessed from). */
  deadLetters?: EventDeadLetters
}

/** The data key inbound messages are sealed under; each value is bound to its message id. */
const INBOUND_EVENTS_KEY = 'inbound-events'
const sealedBody = z.object({ key: z.string(), payload: z.json() })

const SYSTEM = { who: 'carepath', role: 'system' }

const runIdsOf = (row: Pick<InboundRow, 'run_ids'>): string[] =>
  typeof row.run_ids === 'string' ? (JSON.parse(row.run_ids) as string[]) : (row.run_ids as string[])

export function createEventsService(deps: EventsDeps) {
  const { runs, audit, now, referenceSecret, store } = deps
  const cipher = deps.cipher ?? PLAINTEXT
  const sql = store.sql
  const retention = deps.retentionMs ?? DEFAULT_UNMATCHED_RETENTION_MS
  const byMessageId = (messageId: string) =>
    sql.get<InboundRow>('SELECT * FROM inbound_events WHERE message_id = ?', [messageId])
  const waiting = (name: string, key: string) =>
    sql.all<{ run_id: string }>('SELECT run_id FROM event_waits WHERE name = ? AND key = ? ORDER BY since, run_id', [
      name,
      key,
    ])
  const bodyOf = async (row: InboundRow) =>
    sealedBody.parse(JSON.parse(await cipher.open(row.payload, `inbound_events|${row.message_id}`)))

  /** Whether the run's log already holds this message (a second delivery must not wake it again). */
  async function alreadyTook(runId: string, messageId: string): Promise<boolean> {
    return (await runs.store.events(runId)).some(
      (event) => event.type === 'event.received' && event.data.messageId === messageId,
    )
  }

  /**
   * In the run's commit: the message is marked given to the run, unless another delivery (a sweep
   * or another process) gave it to this run first; then the step is refused and rolls back.
   */
  async function markDelivered(row: InboundRow, runId: string): Promise<void> {
    await sql.serialize(`inbound_events:${row.id}`)
    const current = await sql.get<Pick<InboundRow, 'run_ids'>>('SELECT run_ids FROM inbound_events WHERE id = ?', [
      row.id,
    ])
    const taken = current ? runIdsOf(current) : []
    if (taken.includes(runId)) throw new AppError('conflict', 'This message was already given to this run.')
    await sql.run("UPDATE inbound_events SET status = 'delivered', run_ids = ? WHERE id = ?", [
      JSON.stringify([...taken, runId]),
      row.id,
    ])
    await audit.record(eventDelivered(row.name, row.message_id, runId))
  }

  /** Give one stored message to every run waiting for it; the run's step and the message's state commit together. */
  async function deliverStored(row: InboundRow): Promise<string[]> {
    const delivered: string[] = []
    const { key, payload } = await bodyOf(row)
    for (const { run_id: runId } of await waiting(row.name, row.key)) {
      if (await alreadyTook(runId, row.message_id)) continue
      try {
        await runs.resume(
          runId,
          { type: 'event', name: row.name, key, messageId: row.message_id, payload },
          SYSTEM,
          () => markDelivered(row, runId),
        )
        delivered.push(runId)
        // A message reprocessed from the dead letters, or taken by a run after it was shown there.
        await deps.deadLetters?.acceptedLater(`event:${row.message_id}`, delivered, now().toISOString())
      } catch (error) {
        // The run moved on meanwhile (it timed out, another process woke it or gave it this
        // message): not this delivery's.
        if (!(error instanceof AppError && error.code === 'conflict')) throw error
      }
    }
    return delivered
  }

  /**
   * Deliver a message: stored first (a resend with the same message id is answered from the
   * store), then given to the runs waiting for it. Runs that are not waiting yet get it when they
   * do, until it expires.
   */
  async function deliver(message: InboundMessage) {
    const at = now()
    const expiresAt = new Date(at.getTime() + retention).toISOString()
    const keyRef = correlationRef(referenceSecret, message.key)
    const body = JSON.stringify({ key: message.key, payload: message.payload })
    const inserted = await store.transaction(
      async () =>
        (
          await sql.run(
            "INSERT INTO inbound_events (id, message_id, name, key, payload, source, received_at, expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT (message_id) DO NOTHING",
            [
              randomUUID(),
              message.messageId,
              message.name,
              keyRef,
              await cipher.seal(INBOUND_EVENTS_KEY, body, `inbound_events|${message.messageId}`),
              message.source,
              at.toISOString(),
              expiresAt,
            ],
          )
        ).changes === 1,
    )
    const row = (await byMessageId(message.messageId)) as InboundRow
    if (!inserted) {
      if (row.name !== message.name || row.key !== keyRef)
        throw new AppError('conflict', 'This message id was already used for another message.', { path: 'messageId' })
      return {
        messageId: row.message_id,
        status: row.status,
        runIds: runIdsOf(row),
        duplicate: true,
      }
    }
    const runIds = await deliverStored(row)
    return {
      messageId: message.messageId,
      status: runIds.length > 0 ? ('delivered' as const) : ('pending' as const),
      runIds,
      duplicate: false,
      expiresAt: runIds.length > 0 ? undefined : expiresAt,
    }
  }

  /**
   * Each second under `carepath serve`: pending messages go to runs that have started waiting for
   * them (or to runs a crash left undelivered), and messages past their time expire.
   */
  async function sweep(): Promise<{ delivered: number; expired: number }> {
    const at = now().toISOString()
    let delivered = 0
    // Pending messages that a run now waits for (it reached its wait after the message came).
    const matched = await sql.all<InboundRow>(
      "SELECT m.* FROM inbound_events m WHERE m.status = 'pending' AND m.expires_at > ? AND EXISTS (SELECT 1 FROM event_waits w WHERE w.name = m.name AND w.key = m.key) ORDER BY m.received_at, m.id",
      [at],
    )
    for (const row of matched) delivered += (await deliverStored(row)).length
    // Expired and shown in the dead letters in one commit: a crash between never loses one. The
    // conditional update lets only one process expire (and dead-letter) each message.
    const expired = await store.transaction(async () => {
      const rows = await sql.all<InboundRow>(
        "UPDATE inbound_events SET status = 'expired' WHERE status = 'pending' AND expires_at <= ? RETURNING *",
        [at],
      )
      for (const row of rows) await deadLetter(row)
      return rows
    })
    return { delivered, expired: expired.length }
  }

  /** An expired message as an operator's dead letter (its name, key and payload sealed there too). */
  async function deadLetter(row: InboundRow): Promise<void> {
    let body: z.infer<typeof sealedBody> | undefined
    try {
      body = await bodyOf(row)
    } catch {
      body = undefined // its key was shredded (retention): the letter still says it came and expired
    }
    const hours = Math.round(retention / 3_600_000)
    await deps.deadLetters?.record({
      source: 'event',
      key: `event:${row.message_id}`,
      controlId: row.message_id,
      messageType: `event:${row.name}`,
      sender: row.source,
      reasonCode: 'unmatched-expired',
      reason: `No run waited for this "${row.name}" message with its key within ${hours === 1 ? 'an hour' : `${hours} hours`}.`,
      payload: JSON.stringify({ name: row.name, ...(body ?? {}) }),
      receivedAt: row.received_at,
    })
  }

  /**
   * Reprocess an expired message (from the dead letters): kept for runs again for another
   * retention period, and given at once to every run that waits for it now.
   */
  async function redeliver(messageId: string): Promise<{ runIds: string[]; expiresAt: string } | undefined> {
    const expiresAt = new Date(now().getTime() + retention).toISOString()
    const row = await sql.get<InboundRow>(
      "UPDATE inbound_events SET status = 'pending', expires_at = ? WHERE message_id = ? AND status = 'expired' RETURNING *",
      [expiresAt, messageId],
    )
    if (!row) return undefined
    return { runIds: await deliverStored(row), expiresAt }
  }

  /** Messages by state, newest first: `expired` ones are the dead letters (no key or payload: they may be PHI). */
  async function messages(status: InboundRow['status'], limit = 100) {
    const rows = await sql.all<InboundRow>(
      'SELECT * FROM inbound_events WHERE status = ? ORDER BY received_at DESC, id LIMIT ?',
      [status, limit],
    )
    return rows.map((row) => ({
      id: row.id,
      messageId: row.message_id,
      name: row.name,
      source: row.source,
      status: row.status,
      receivedAt: row.received_at,
      expiresAt: row.expires_at,
      runIds: runIdsOf(row),
    }))
  }

  return { deliver, sweep, messages, redeliver }
}
export type EventsService = ReturnType<typeof createEventsService>
