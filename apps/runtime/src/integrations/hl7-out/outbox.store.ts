// The hl7_outbound table: one ordered queue per destination. Only the oldest queued message of
// a destination is ever sent, so a receiver sees messages in the order runs queued them. The
// message (patient data) and the receiver's ACK are sealed at rest under a data key per day of
// queueing, bound to their row (destination and control id), as dead letters' payloads are.
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/open-db.ts'
import { hl7Outbound } from '../../db/schema.ts'
import { SYNC_PLAINTEXT, type SyncDataCipher } from '../../keys/data-cipher.sync.ts'

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
export function createOutboxStore(db: Db, cipher: () => SyncDataCipher = () => SYNC_PLAINTEXT) {
  const byKey = (destination: string, controlId: string) =>
    and(eq(hl7Outbound.destination, destination), eq(hl7Outbound.controlId, controlId))
  const aad = (row: { destination: string; controlId: string }, part: string) =>
    `hl7_outbound:${row.destination}:${row.controlId}:${part}`
  const seal = (row: { destination: string; controlId: string }, part: string, text: string, day: string) =>
    cipher().seal(`hl7-outbound:${day}`, text, aad(row, part))
  const opened = (row: OutboundRow | undefined): OutboundRow | undefined =>
    row && {
      ...row,
      message: cipher().open(row.message, aad(row, 'message')),
      ack: row.ack === null ? null : cipher().open(row.ack, aad(row, 'ack')),
      ackText: row.ackText === null ? null : cipher().open(row.ackText, aad(row, 'ack-text')),
    }
  const sealedAck = (seq: number, ack: Ack, at: string) => {
    const row = db.select().from(hl7Outbound).where(eq(hl7Outbound.seq, seq)).get()
    if (!row) return {}
    const day = at.slice(0, 10)
    return {
      ackCode: ack.code,
      ackText: ack.text ? seal(row, 'ack-text', ack.text, day) : null,
      ack: seal(row, 'ack', ack.raw, day),
    }
  }
  return {
    /** Queue a message; the same (destination, control id) again changes nothing. */
    enqueue(message: NewOutbound, at: string): OutboundRow {
      db.transaction(() => {
        if (this.get(message.destination, message.controlId)) return
        db.insert(hl7Outbound)
          .values({
            ...message,
            message: seal(message, 'message', message.message, at.slice(0, 10)),
            status: 'queued',
            nextAttemptAt: at,
            queuedAt: at,
          })
          .run()
      })
      return this.get(message.destination, message.controlId)!
    },
    get(destination: string, controlId: string): OutboundRow | undefined {
      return opened(db.select().from(hl7Outbound).where(byKey(destination, controlId)).get())
    },
    /** The message a destination must deliver next. */
    head(destination: string): OutboundRow | undefined {
      return opened(
        db
          .select()
          .from(hl7Outbound)
          .where(and(eq(hl7Outbound.destination, destination), eq(hl7Outbound.status, 'queued')))
          .orderBy(asc(hl7Outbound.seq))
          .limit(1)
          .get(),
      )
    },
    /** Destinations with messages still to deliver (to resume after a restart). */
    pendingDestinations(): string[] {
      return db
        .selectDistinct({ destination: hl7Outbound.destination })
        .from(hl7Outbound)
        .where(eq(hl7Outbound.status, 'queued'))
        .all()
        .map((row) => row.destination)
    },
    /**
     * The receiver answered for good: AA/CA accepted, AR/CR refused, or AE still after every
     * attempt the destination allows (failed).
     */
    finish(seq: number, status: 'accepted' | 'rejected' | 'failed', ack: Ack, at: string) {
      db.update(hl7Outbound)
        .set({
          status,
          ...sealedAck(seq, ack, at),
          doneAt: at,
          attempts: sql`${hl7Outbound.attempts} + 1`,
        })
        .where(eq(hl7Outbound.seq, seq))
        .run()
    },
    /** An attempt failed (AE, timeout, receiver down): try again not before `next`. */
    retryLater(seq: number, reason: string, next: string, ack?: Ack) {
      db.update(hl7Outbound)
        .set({
          attempts: sql`${hl7Outbound.attempts} + 1`,
          nextAttemptAt: next,
          lastError: reason,
          ...(ack ? sealedAck(seq, ack, next) : {}),
        })
        .where(eq(hl7Outbound.seq, seq))
        .run()
    },
    /**
     * An operator sends a refused or set-aside message again: it is queued afresh, ahead of the
     * messages queued after it (its place in the order is where the run first put it).
     */
    resend(destination: string, controlId: string, at: string): boolean {
      return (
        db
          .update(hl7Outbound)
          .set({ status: 'queued', attempts: 0, nextAttemptAt: at, lastError: null, doneAt: null })
          .where(and(byKey(destination, controlId), sql`${hl7Outbound.status} IN ('rejected', 'failed')`))
          .run().changes === 1
      )
    },
    /** A destination's messages in queue order (operators, tests). */
    list(destination: string): OutboundRow[] {
      return db
        .select()
        .from(hl7Outbound)
        .where(eq(hl7Outbound.destination, destination))
        .orderBy(asc(hl7Outbound.seq))
        .all()
        .flatMap((row) => opened(row) ?? [])
    },
  }
}
export type OutboxStore = ReturnType<typeof createOutboxStore>
