// Inbound HL7 messages kept in the database (table hl7_messages), so every runtime process on it
// shares them: a resend taken by another process is still known for a resend, and a message whose
// taker died before answering it is looked at again by whichever process sweeps next. Saves of one
// turn of the event loop (a pipelining sender's frames, parsed from one read) are one INSERT, and
// one write at a time per process: the batch grows with the load, as the runs' group commit does.
import { createHash, randomUUID } from 'node:crypto'
import { z } from 'zod'
import { insertRows, type SqlExecutor, type SqlParam } from '../../store/sql-executor.ts'
import type { Hl7MessageStore, Hl7Sealer, PendingMessage, Settled, StoredMeta } from './hl7-store.ts'

/**
 * The data key inbound messages received on `day` (an ISO date or time; its UTC day counts) are
 * sealed under: one per day, so retention shreds a day of them at once.
 */
export const hl7InboundKeyId = (day: string) => `hl7-inbound:${day.slice(0, 10)}`

export interface Hl7DbStoreOptions {
  sql: SqlExecutor
  /** Seals each message's text at rest (the runtime's data cipher); the table never holds it plain. */
  sealer: Hl7Sealer
  now: () => Date
  /**
   * How long a stored message is its taker's to answer before any process may look at it again
   * (the taker died in between, or its runs could not start yet). Default one minute.
   */
  leaseMs?: number
}

const DEFAULT_LEASE_MS = 60_000
// Messages one sweep takes. Each is claimed for a lease as it is taken, so all of them must be
// looked at well within it: at a few milliseconds each, 500 take seconds of a minute's lease.
const PENDING_PER_SWEEP = 500

const settledRow = z.object({
  ack_code: z.enum(['AA', 'AE', 'AR']),
  reason: z.string().nullable(),
  run_ids: z.string().nullable(),
})
const runIdsOf = (json: string | null) => (json === null ? undefined : z.array(z.string()).parse(JSON.parse(json)))

const pendingRow = z.object({
  id: z.string(),
  sender: z.string(),
  control_id: z.string(),
  type: z.string(),
  via: z.enum(['mllp', 'http']),
  sealed: z.string(),
})

const dedupeKeyOf = (meta: StoredMeta) => (meta.controlId ? `${meta.sender}|${meta.controlId}` : null)

/** AE because its runs could not start now: looked at again later, like a message never answered. */
const isFinal = (settled: Settled) => !(settled.ackCode === 'AE' && settled.reason === 'failed')

/**
 * Items added in one turn are handed to `write` together; while a write is under way, new items
 * wait for the next one. Each item's promise settles with the write that took it.
 */
function burstWriter<T>(write: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let queued: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = []
  let writing = false
  const drain = async () => {
    while (queued.length > 0) {
      const taken = queued
      queued = []
      try {
        await write(taken.map((entry) => entry.item))
        for (const entry of taken) entry.resolve()
      } catch (error) {
        for (const entry of taken) entry.reject(error)
      }
    }
    writing = false
  }
  return (item) =>
    new Promise<void>((resolve, reject) => {
      queued.push({ item, resolve, reject })
      if (writing) return
      writing = true
      // After this turn, so every frame of one read (each sealed first) joins the first write.
      setImmediate(() => void drain())
    })
}

export function createDbHl7Store(options: Hl7DbStoreOptions): Hl7MessageStore {
  const { sql, sealer, now } = options
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  // This process, as `taken_by` names it. On SQLite only one process opens the database, so a
  // message held by any other was left by one that has stopped: it need not wait for the lease.
  const me = randomUUID()
  const takeable = (at: number): { where: string; params: SqlParam[] } =>
    sql.dialect === 'sqlite'
      ? { where: 'lease_until IS NOT NULL AND (lease_until <= ? OR taken_by <> ?)', params: [at, me] }
      : { where: 'lease_until <= ?', params: [at] }

  const insertMessages = (rows: SqlParam[][]) =>
    insertRows(
      sql,
      'hl7_messages (id, dedupe_key, sender, control_id, type, via, received_at, sha256, sealed, lease_until, taken_by)',
      rows,
    )
  // Committed as the runs' group commits are (nothing is acknowledged before its message and runs
  // are committed): a killed process loses nothing. On SQLite, synchronous=NORMAL (open-db.ts)
  // leaves the last commits before a power cut to the OS, for messages as for runs; flushing this
  // write on its own cost a fifth to a third of the intake's throughput (README).
  const insert = burstWriter<SqlParam[]>(insertMessages)

  const update = burstWriter<{ id: string; settled: Settled; at: Date }>(async (settles) => {
    await sql.transaction(async () => {
      for (const { id, settled, at } of settles)
        await sql.run(
          'UPDATE hl7_messages SET ack_code = ?, reason = ?, run_ids = ?, settled_at = ?, lease_until = ? WHERE id = ?',
          [
            settled.ackCode,
            settled.reason ?? null,
            settled.runIds ? JSON.stringify(settled.runIds) : null,
            at.toISOString(),
            isFinal(settled) ? null : at.getTime() + leaseMs,
            id,
          ],
        )
    })
  })

  return {
    async save(raw, meta, receivedAt) {
      const id = randomUUID()
      const sealed = await sealer.seal(raw, id)
      await insert([
        id,
        dedupeKeyOf(meta),
        meta.sender,
        meta.controlId,
        meta.type,
        meta.via,
        receivedAt.toISOString(),
        createHash('sha256').update(raw).digest('hex'),
        sealed,
        now().getTime() + leaseMs,
        me,
      ])
      // The intake asks `settledOf` just before it looks at the message, which is what counts.
      return { id }
    },
    // An accepted copy stays the answer for its key, whichever copy was settled last; otherwise
    // the latest answer (a message refused once may be accepted when sent again).
    async settledOf(meta) {
      const key = dedupeKeyOf(meta)
      if (key === null) return undefined
      const row = await sql.get(
        `SELECT ack_code, reason, run_ids FROM hl7_messages WHERE dedupe_key = ? AND ack_code IS NOT NULL
         ORDER BY CASE WHEN ack_code = 'AA' THEN 0 ELSE 1 END, settled_at DESC LIMIT 1`,
        [key],
      )
      if (!row) return undefined
      const { ack_code, reason, run_ids } = settledRow.parse(row)
      return { ackCode: ack_code, ...(reason !== null ? { reason } : {}), runIds: runIdsOf(run_ids) }
    },
    settle: (id, settled) => update({ id, settled, at: now() }),
    // Messages no process is answering, taken one by one with a conditional update: of two
    // processes sweeping at once, one gets each, and holds it for a lease of its own.
    async pending() {
      const at = now().getTime()
      const { where, params } = takeable(at)
      const rows = await sql.all(
        `SELECT id, sender, control_id, type, via, sealed FROM hl7_messages WHERE ${where} ORDER BY received_at, id LIMIT ?`,
        [...params, PENDING_PER_SWEEP],
      )
      const taken: PendingMessage[] = []
      for (const row of rows) {
        const message = pendingRow.parse(row)
        const claimed = await sql.run(
          `UPDATE hl7_messages SET lease_until = ?, taken_by = ? WHERE id = ? AND ${where}`,
          [at + leaseMs, me, message.id, ...params],
        )
        if (claimed.changes !== 1) continue
        taken.push({
          id: message.id,
          raw: await sealer.open(message.sealed, message.id),
          meta: { sender: message.sender, controlId: message.control_id, type: message.type, via: message.via },
        })
      }
      return taken
    },
  }
}
