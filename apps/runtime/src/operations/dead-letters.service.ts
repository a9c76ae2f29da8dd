// Inbound messages that started no run, kept for an operator: HL7 v2 answered AR or AE (over MLLP
// or HTTP) and verified webhooks whose flow could not start. A resend updates the same letter (by
// sender and control id, or the delivery's signature); one later accepted closes it. Messages for
// a wait.event step that no run waited for in time come here as they expire (source `event`). Listing
// never shows the payload, which holds patient data: only reprocessing reads it.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { PLAINTEXT, type DataCipher } from '../keys/data-cipher.ts'
import type { Store } from '../store/store.ts'

/**
 * `event`: a message for a waiting run that expired with none waiting; `hl7-out`: an hl7.send
 * message its receiver refused (AR) or kept failing (AE), after its node stopped waiting.
 */
export type DeadLetterSource = 'hl7-mllp' | 'hl7-http' | 'webhook' | 'event' | 'hl7-out'

export interface DeadLetterRow {
  id: string
  key: string
  source: DeadLetterSource
  control_id: string
  message_type: string
  sender: string
  received_at: string
  deliveries: number
  reason_code: string
  reason: string
  payload: string
  status: 'open' | 'reprocessed'
  run_ids: string
  reprocessed_by: string | null
  reprocessed_at: string | null
}

/** A message that started no run, as the intake reports it. */
export interface DeadLetterInput {
  source: DeadLetterSource
  /** Tells a resend from a new message: `hl7:${sender}:${controlId}`, `webhook:${signature}:${flowId}`. */
  key?: string | undefined
  controlId: string
  messageType: string
  sender: string
  reasonCode: string
  /** A plain reason, never message content. */
  reason: string
  payload: string
  receivedAt: string
}

/** Search by control id, message type, sender (substring), source, status and time. */
export const deadLetterFilterSchema = z
  .object({
    status: z.enum(['open', 'reprocessed']).default('open'),
    source: z.enum(['hl7-mllp', 'hl7-http', 'webhook', 'event', 'hl7-out']).optional(),
    controlId: z.string().max(200).optional(),
    messageType: z.string().max(50).optional(),
    sender: z.string().max(200).optional(),
    receivedAfter: z.iso.datetime().optional(),
    receivedBefore: z.iso.datetime().optional(),
  })
  .strict()
export type DeadLetterFilter = z.input<typeof deadLetterFilterSchema>

/** A dead letter as listed: where it came from and why it was refused, without its content. */
export const deadLetterView = (row: DeadLetterRow) => ({
  id: row.id,
  source: row.source,
  controlId: row.control_id,
  messageType: row.message_type,
  sender: row.sender,
  receivedAt: row.received_at,
  deliveries: row.deliveries,
  reasonCode: row.reason_code,
  reason: row.reason,
  status: row.status,
  runIds: JSON.parse(row.run_ids) as string[],
  reprocessedBy: row.reprocessed_by,
  reprocessedAt: row.reprocessed_at,
})
export type DeadLetterView = ReturnType<typeof deadLetterView>

function where(filter: DeadLetterFilter): { sql: string; params: string[] } {
  const f = deadLetterFilterSchema.parse(filter)
  const clauses = ['status = ?']
  const params: string[] = [f.status]
  const exact: [string | undefined, string][] = [
    [f.source, 'source'],
    [f.controlId, 'control_id'],
  ]
  for (const [value, column] of exact) {
    if (value !== undefined) {
      clauses.push(`${column} = ?`)
      params.push(value)
    }
  }
  if (f.messageType !== undefined) {
    // `ADT` finds every ADT event; `ADT^A04` that one. (LIKE is case-blind on SQLite only: lower() on both.)
    clauses.push("(message_type = ? OR lower(message_type) LIKE lower(?) ESCAPE '\\')")
    params.push(f.messageType, `${escapeLike(f.messageType)}^%`)
  }
  if (f.sender !== undefined) {
    clauses.push("lower(sender) LIKE lower(?) ESCAPE '\\'")
    params.push(`%${escapeLike(f.sender)}%`)
  }
  if (f.receivedAfter) {
    clauses.push('received_at >= ?')
    params.push(f.receivedAfter)
  }
  if (f.receivedBefore) {
    clauses.push('received_at <= ?')
    params.push(f.receivedBefore)
  }
  return { sql: clauses.join(' AND '), params }
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** The data key dead letters' payloads are sealed under (they hold whole inbound messages: PHI). */
const DEAD_LETTER_KEY = 'dead-letters'
/** Binds a sealed payload to its letter's key, so a payload copied to another row does not open. */
const aadOf = (key: string) => `dead_letters:${key}`

export function createDeadLetters(store: Store, cipher: DataCipher = PLAINTEXT) {
  const { sql } = store
  const opened = async (row: DeadLetterRow | undefined): Promise<DeadLetterRow | undefined> =>
    row && { ...row, payload: await cipher.open(row.payload, aadOf(row.key)) }
  const byKey = (key: string) => sql.get<DeadLetterRow>('SELECT * FROM dead_letters WHERE key = ?', [key])
  const close = async (id: string, runIds: readonly string[], by: string, at: string) =>
    (
      await sql.run(
        "UPDATE dead_letters SET status = 'reprocessed', run_ids = ?, reprocessed_by = ?, reprocessed_at = ? WHERE id = ? AND status = 'open'",
        [JSON.stringify(runIds), by, at, id],
      )
    ).changes === 1
  return {
    /**
     * Keep a refused message (a resend of an open one counts a delivery more). Joins the caller's
     * store transaction when there is one (the payload's data key is made in it on first use).
     */
    async record(input: DeadLetterInput): Promise<void> {
      const key = input.key ?? `${input.source}:${randomUUID()}`
      // The payload's data key, made on first use, commits with the letter.
      await store.transaction(async () => {
        const payload = await cipher.seal(DEAD_LETTER_KEY, input.payload, aadOf(key))
        // A resend of a letter already reprocessed changes nothing (the WHERE of the update).
        await sql.run(
          `INSERT INTO dead_letters (id, key, source, control_id, message_type, sender, received_at, reason_code, reason, payload, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
         ON CONFLICT (key) DO UPDATE SET deliveries = dead_letters.deliveries + 1, received_at = excluded.received_at,
           reason_code = excluded.reason_code, reason = excluded.reason, payload = excluded.payload, source = excluded.source,
           status = 'open', run_ids = '[]', reprocessed_by = NULL, reprocessed_at = NULL
         WHERE dead_letters.status = 'open'`,
          [
            randomUUID(),
            key,
            input.source,
            input.controlId,
            input.messageType,
            input.sender,
            input.receivedAt,
            input.reasonCode,
            input.reason,
            payload,
          ],
        )
      })
    },
    /** A later delivery of the same message was accepted: its letter is closed with those runs. */
    /** `by`: who brought the message in again: its sender (a resend, the default) or the runtime's retry. */
    async acceptedLater(key: string, runIds: readonly string[], at: string, by = 'sender'): Promise<void> {
      // A conditional update: whichever process closes it first, it closes once.
      await sql.run(
        "UPDATE dead_letters SET status = 'reprocessed', run_ids = ?, reprocessed_by = ?, reprocessed_at = ? WHERE key = ? AND status = 'open'",
        [JSON.stringify(runIds), by, at, key],
      )
    },
    /** A letter with its payload opened (only reprocessing reads it). */
    byId: async (id: string) => opened(await sql.get<DeadLetterRow>('SELECT * FROM dead_letters WHERE id = ?', [id])),
    idOfKey: async (key: string) => (await byKey(key))?.id,
    async list(filter: DeadLetterFilter, limit: number): Promise<DeadLetterView[]> {
      const w = where(filter)
      const rows = await sql.all<DeadLetterRow>(
        `SELECT * FROM dead_letters WHERE ${w.sql} ORDER BY received_at DESC, id LIMIT ?`,
        [...w.params, limit],
      )
      return rows.map(deadLetterView)
    },
    async count(filter: DeadLetterFilter): Promise<number> {
      const w = where(filter)
      const row = await sql.get<{ n: number | string }>(
        `SELECT count(*) AS n FROM dead_letters WHERE ${w.sql}`,
        w.params,
      )
      return Number(row?.n ?? 0)
    },
    /** Ids of the letters a filter matches (for a bulk reprocess). */
    async ids(filter: DeadLetterFilter, limit: number): Promise<string[]> {
      const w = where(filter)
      const rows = await sql.all<{ id: string }>(
        `SELECT id FROM dead_letters WHERE ${w.sql} ORDER BY received_at, id LIMIT ?`,
        [...w.params, limit],
      )
      return rows.map((r) => r.id)
    },
    /** Closed with its runs by an operator; false when it was closed already (by another reprocess, or the sender). */
    markReprocessed: (id: string, runIds: readonly string[], by: string, at: string) => close(id, runIds, by, at),
    async refusedAgain(id: string, reasonCode: string, reason: string): Promise<void> {
      await sql.run("UPDATE dead_letters SET reason_code = ?, reason = ? WHERE id = ? AND status = 'open'", [
        reasonCode,
        reason,
        id,
      ])
    },
    /** One store transaction (a letter's change and its audit record commit together). */
    transaction: <T>(work: () => Promise<T>): Promise<T> => store.transaction(work),
  }
}
export type DeadLetters = ReturnType<typeof createDeadLetters>
