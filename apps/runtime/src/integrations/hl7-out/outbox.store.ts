// The hl7_outbound table: one ordered queue per destination. Only the oldest queued message of
// a destination is ever sent, so a receiver sees messages in the order runs queued them. The
// message (patient data) and the receiver's ACK are sealed at rest under a data key per day of
// queueing, bound to their row (destination and control id), as dead letters' payloads are.
//
// Several processes may share the table: a process sends a message only once it has claimed it,
// by a conditional update that moves its `next_attempt_at` to the end of a short lease (renewed
// while the send is under way). Another process sees the message as not due until the lease has
// passed, so two processes never send the same message at once, and one that died mid-send has
// its message sent by another once its lease has run out.
import { and, asc, eq, sql } from 'drizzle-orm'
import { hl7Outbound } from '../../db/schema.ts'
import { PLAINTEXT, type DataCipher } from '../../keys/data-cipher.ts'
import type { Store } from '../../store/store.ts'

export type OutboundRow = typeof hl7Outbound.$inferSelect
type Ack = { code: string; text: string; raw: string }

export interface NewOutbound {
  destination: string
  controlId: string
  messageType: string
  message: string
  runId: string
  nodeId: string
  /** The settings revision to deliver it with (the sending version's pin); null: the current settings. */
  settingsRevision: number | null
}

/** `cipher`: a getter, since the runtime makes its cipher after the catalog that needs this store. */
export function createOutboxStore(store: Store, cipher: () => DataCipher = () => PLAINTEXT) {
  const db = store.db
  const byKey = (destination: string, controlId: string) =>
    and(eq(hl7Outbound.destination, destination), eq(hl7Outbound.controlId, controlId))
  const aad = (row: { destination: string; controlId: string }, part: string) =>
    `hl7_outbound:${row.destination}:${row.controlId}:${part}`
  const seal = (row: { destination: string; controlId: string }, part: string, text: string, day: string) =>
    cipher().seal(`hl7-outbound:${day}`, text, aad(row, part))
  const opened = async (row: OutboundRow | undefined): Promise<OutboundRow | undefined> =>
    row && {
      ...row,
      message: await cipher().open(row.message, aad(row, 'message')),
      ack: row.ack === null ? null : await cipher().open(row.ack, aad(row, 'ack')),
      ackText: row.ackText === null ? null : await cipher().open(row.ackText, aad(row, 'ack-text')),
    }
  const sealedAck = async (seq: number, ack: Ack, at: string) => {
    const row = await db.select().from(hl7Outbound).where(eq(hl7Outbound.seq, seq)).get()
    if (!row) return {}
    const day = at.slice(0, 10)
    return {
      ackCode: ack.code,
      ackText: ack.text ? await seal(row, 'ack-text', ack.text, day) : null,
      ack: await seal(row, 'ack', ack.raw, day),
    }
  }
  const claim = async (seq: number, seen: string, leaseUntil: string): Promise<boolean> => {
    const taken = await db
      .update(hl7Outbound)
      .set({ nextAttemptAt: leaseUntil })
      .where(and(eq(hl7Outbound.seq, seq), eq(hl7Outbound.status, 'queued'), eq(hl7Outbound.nextAttemptAt, seen)))
      .returning({ seq: hl7Outbound.seq })
    return taken.length === 1
  }
  const get = async (destination: string, controlId: string): Promise<OutboundRow | undefined> =>
    opened(await db.select().from(hl7Outbound).where(byKey(destination, controlId)).get())
  return {
    /** Queue a message; the same (destination, control id) again changes nothing. */
    async enqueue(message: NewOutbound, at: string): Promise<OutboundRow> {
      // By hand: drizzle's SQLite insert names `seq` (as null), which PostgreSQL's identity refuses.
      await store.sql.run(
        `INSERT INTO hl7_outbound (destination, control_id, message_type, message, run_id, node_id, status, next_attempt_at, queued_at, settings_revision)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT (destination, control_id) DO NOTHING`,
        [
          message.destination,
          message.controlId,
          message.messageType,
          await seal(message, 'message', message.message, at.slice(0, 10)),
          message.runId,
          message.nodeId,
          at,
          at,
          message.settingsRevision,
        ],
      )
      return (await get(message.destination, message.controlId))!
    },
    get,
    /** The message a destination must deliver next. */
    async head(destination: string): Promise<OutboundRow | undefined> {
      return opened(
        await db
          .select()
          .from(hl7Outbound)
          .where(and(eq(hl7Outbound.destination, destination), eq(hl7Outbound.status, 'queued')))
          .orderBy(asc(hl7Outbound.seq))
          .limit(1)
          .get(),
      )
    },
    /**
     * Take the head message for one attempt, until `leaseUntil`: only if it is still queued and
     * nobody took it since it was read (`seen` is the `next_attempt_at` it was read with). Returns
     * whether this process has it; the lease is the claim's token for `renew` and `retryLater`.
     */
    claim,
    /** Keep a claim while its send is under way (`lease`: its current token); false when it was lost. */
    renew: (seq: number, lease: string, leaseUntil: string): Promise<boolean> => claim(seq, lease, leaseUntil),
    /** Destinations with messages still to deliver (to resume after a restart). */
    async pendingDestinations(): Promise<string[]> {
      const rows = await db
        .selectDistinct({ destination: hl7Outbound.destination })
        .from(hl7Outbound)
        .where(eq(hl7Outbound.status, 'queued'))
        .all()
      return rows.map((row) => row.destination)
    },
    /**
     * The receiver answered for good: AA/CA accepted, AR/CR refused, or AE still after every
     * attempt the destination allows (failed).
     */
    async finish(seq: number, status: 'accepted' | 'rejected' | 'failed', ack: Ack, at: string): Promise<void> {
      await db
        .update(hl7Outbound)
        .set({
          status,
          ...(await sealedAck(seq, ack, at)),
          doneAt: at,
          attempts: sql`${hl7Outbound.attempts} + 1`,
        })
        .where(and(eq(hl7Outbound.seq, seq), eq(hl7Outbound.status, 'queued')))
        .run()
    },
    /**
     * An attempt failed (AE, timeout, receiver down): try again not before `next`. With `lease`,
     * only while this process still holds the claim (else whoever took it over decides).
     */
    async retryLater(seq: number, reason: string, next: string, ack?: Ack, lease?: string): Promise<void> {
      await db
        .update(hl7Outbound)
        .set({
          attempts: sql`${hl7Outbound.attempts} + 1`,
          nextAttemptAt: next,
          lastError: reason,
          ...(ack ? await sealedAck(seq, ack, next) : {}),
        })
        .where(
          and(
            eq(hl7Outbound.seq, seq),
            eq(hl7Outbound.status, 'queued'),
            ...(lease === undefined ? [] : [eq(hl7Outbound.nextAttemptAt, lease)]),
          ),
        )
        .run()
    },
    /**
     * An operator sends a refused or set-aside message again: it is queued afresh, ahead of the
     * messages queued after it (its place in the order is where the run first put it).
     */
    async resend(destination: string, controlId: string, at: string): Promise<boolean> {
      const changed = await db
        .update(hl7Outbound)
        .set({ status: 'queued', attempts: 0, nextAttemptAt: at, lastError: null, doneAt: null })
        .where(and(byKey(destination, controlId), sql`${hl7Outbound.status} IN ('rejected', 'failed')`))
        .returning({ seq: hl7Outbound.seq })
      return changed.length === 1
    },
    /** A destination's messages in queue order (operators, tests). */
    async list(destination: string): Promise<OutboundRow[]> {
      const rows = await db
        .select()
        .from(hl7Outbound)
        .where(eq(hl7Outbound.destination, destination))
        .orderBy(asc(hl7Outbound.seq))
        .all()
      const out: OutboundRow[] = []
      for (const row of rows) out.push((await opened(row))!)
      return out
    },
  }
}
export type OutboxStore = ReturnType<typeof createOutboxStore>
