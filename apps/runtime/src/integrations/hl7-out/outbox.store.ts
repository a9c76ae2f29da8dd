// The hl7_outbound table: one ordered queue per destination. Only the oldest queued message of
// a destination is ever sent, so a receiver sees messages in the order runs queued them.
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/open-db.ts'
import { hl7Outbound } from '../../db/schema.ts'

export type OutboundRow = typeof hl7Outbound.$inferSelect

export interface NewOutbound {
  destination: string
  controlId: string
  messageType: string
  message: string
  runId: string
  nodeId: string
}

export function createOutboxStore(db: Db) {
  const byKey = (destination: string, controlId: string) =>
    and(eq(hl7Outbound.destination, destination), eq(hl7Outbound.controlId, controlId))
  return {
    /** Queue a message; the same (destination, control id) again changes nothing. */
    enqueue(message: NewOutbound, at: string): OutboundRow {
      db.insert(hl7Outbound)
        .values({ ...message, status: 'queued', nextAttemptAt: at, queuedAt: at })
        .onConflictDoNothing()
        .run()
      return this.get(message.destination, message.controlId)!
    },
    get(destination: string, controlId: string): OutboundRow | undefined {
      return db.select().from(hl7Outbound).where(byKey(destination, controlId)).get()
    },
    /** The message a destination must deliver next. */
    head(destination: string): OutboundRow | undefined {
      return db
        .select()
        .from(hl7Outbound)
        .where(and(eq(hl7Outbound.destination, destination), eq(hl7Outbound.status, 'queued')))
        .orderBy(asc(hl7Outbound.seq))
        .limit(1)
        .get()
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
    /** The receiver answered for good: AA/CA accepted, AR/CR refused. */
    finish(seq: number, status: 'accepted' | 'rejected', ack: { code: string; text: string; raw: string }, at: string) {
      db.update(hl7Outbound)
        .set({
          status,
          ackCode: ack.code,
          ackText: ack.text || null,
          ack: ack.raw,
          doneAt: at,
          attempts: sql`${hl7Outbound.attempts} + 1`,
        })
        .where(eq(hl7Outbound.seq, seq))
        .run()
    },
    /** An attempt failed (AE, timeout, receiver down): try again not before `next`. */
    retryLater(seq: number, reason: string, next: string, ack?: { code: string; text: string; raw: string }) {
      db.update(hl7Outbound)
        .set({
          attempts: sql`${hl7Outbound.attempts} + 1`,
          nextAttemptAt: next,
          lastError: reason,
          ...(ack ? { ackCode: ack.code, ackText: ack.text || null, ack: ack.raw } : {}),
        })
        .where(eq(hl7Outbound.seq, seq))
        .run()
    },
    /** A destination's messages in queue order (operators, tests). */
    list(destination: string): OutboundRow[] {
      return db
        .select()
        .from(hl7Outbound)
        .where(eq(hl7Outbound.destination, destination))
        .orderBy(asc(hl7Outbound.seq))
        .all()
    },
  }
}
export type OutboxStore = ReturnType<typeof createOutboxStore>
