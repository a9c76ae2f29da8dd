// Store-and-forward delivery of hl7.send's messages. The adapter queues a message in the
// database (nothing is lost when the receiver is down or the process dies) and waits a little for
// its ACK; one delivery loop per destination sends the oldest queued message, retries it after
// a timeout or a refused connection (backing off, never giving up), retries AE up to the
// destination's `aeAttempts` (then sets the message aside as failed, for an operator), and moves
// to the next only when the receiver accepted (AA/CA) or refused (AR/CR) it, or it was set aside:
// order is kept per destination.
import { z } from 'zod'
import { NodeError, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import type { Hl7Destination, Hl7OutSettings } from '@carepath/nodes'
import type { DataCipher } from '../../keys/data-cipher.ts'
import type { Store } from '../../store/store.ts'
import { readAck, sendOverMllp, type MllpTarget } from './mllp-client.ts'
import { createOutboxStore, type OutboundRow } from './outbox.store.ts'

const requestSchema = z.object({
  destination: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  controlId: z.string().regex(/^[A-Za-z0-9\-.]{1,40}$/),
  messageType: z.string().regex(/^[A-Z]{3}\^[A-Z0-9]{3}$/),
  message: z
    .string()
    .startsWith('MSH|')
    .max(1024 * 1024),
})

export interface Hl7OutboundOptions {
  store: Store
  now: () => Date
  /** Operational lines (destination, control id, reason; never message content). */
  log?: (line: string) => void
  /** How an attempt reaches the receiver (tests may count attempts; default MLLP over TCP/TLS). */
  send?: (target: MllpTarget, message: string) => Promise<string>
  /** Seals messages and ACKs at rest (a getter: the runtime makes its cipher after the catalog). */
  cipher?: () => DataCipher
  /** Waits until `ms` from now; injected so tests can run a long outage on a fake clock. */
  setTimer?: (run: () => void, ms: number) => { cancel(): void }
  /**
   * How long a claim on a message lasts (renewed while its send is under way): a process that
   * dies mid-send has its message sent by another (or by itself, restarted) this long after.
   */
  leaseMs?: number
}

/** Default claim on a message being sent (see `leaseMs`). */
export const OUTBOX_LEASE_MS = 10_000

/**
 * Settings revisions: the number current now, and the destinations of a given one. A message is
 * delivered with the revision its flow version is pinned to, kept on its row, so a settings change
 * approved later (and not applied to running versions) never redirects it.
 */
export interface Hl7OutRevisions {
  current(): number | null
  destinations(revision: number): Record<string, Hl7Destination>
}

const realTimer = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms)
  return { cancel: () => clearTimeout(timer) }
}

export function createHl7Outbound(options: Hl7OutboundOptions) {
  const store = createOutboxStore(options.store, options.cipher)
  const leaseMs = options.leaseMs ?? OUTBOX_LEASE_MS
  const setTimer = options.setTimer ?? realTimer
  const send = options.send ?? sendOverMllp
  const log = options.log ?? (() => {})
  let destinations: Record<string, Hl7Destination> = {}
  let closed = false
  const running = new Set<string>()
  const renewals = new Set<ReturnType<typeof setInterval>>()
  const timers = new Map<string, { cancel(): void }>()
  const waiters = new Map<string, Set<() => void>>()
  const iso = (ms: number) => new Date(ms).toISOString()
  // Revisions never change once applied: their destinations are read once each.
  const byRevision = new Map<number, Record<string, Hl7Destination>>()
  let revisions: Hl7OutRevisions | undefined
  function destinationsOf(revision: number | null): Record<string, Hl7Destination> {
    if (revision === null) return destinations
    // Until the runtime has told where revisions are, a pinned message waits rather than guess.
    if (!revisions) return {}
    if (revision === revisions.current()) return destinations
    let found = byRevision.get(revision)
    if (!found) {
      found = revisions.destinations(revision)
      byRevision.set(revision, found)
    }
    return found
  }
  /** Where (and how) a queued message goes: its revision's settings for its destination. */
  const targetOf = (row: OutboundRow): Hl7Destination | undefined =>
    destinationsOf(row.settingsRevision)[row.destination]

  let onSetAside: ((row: OutboundRow) => void | Promise<void>) | undefined
  const notify = async (row: OutboundRow) => {
    const waiting = waiters.get(`${row.destination}\n${row.controlId}`)
    for (const wake of waiting ?? []) wake()
    // Refused or set aside with no node waiting for it (the run went on by `queued`): no port can
    // take it, so it is handed to the operators (the runtime keeps it as a dead letter).
    if (!waiting?.size) {
      const done = await store.get(row.destination, row.controlId)
      if (done && (done.status === 'rejected' || done.status === 'failed')) {
        const failed = () => log(`hl7-out: ${row.destination} ${row.controlId} could not be kept for the operators`)
        try {
          await onSetAside?.(done)
        } catch {
          failed()
        }
      }
    }
  }

  async function deliver(destination: string): Promise<void> {
    for (;;) {
      const head = await store.head(destination)
      const settings = head && targetOf(head)
      if (closed || !settings || !head) return
      const due = Date.parse(head.nextAttemptAt) - options.now().getTime()
      if (due > 0) {
        // Backing off, or claimed by another process (its lease): looked at again when that ends.
        timers.get(destination)?.cancel()
        timers.set(
          destination,
          setTimer(() => {
            timers.delete(destination)
            kick(destination)
          }, due),
        )
        return
      }
      let lease = iso(options.now().getTime() + leaseMs)
      // Another process took it since it was read: read the head again.
      if (!(await store.claim(head.seq, head.nextAttemptAt, lease))) continue
      const backoff = Math.min(settings.retryBackoffMs * 2 ** Math.min(head.attempts, 20), settings.maxBackoffMs)
      const retry = async (reason: string, ack?: { code: string; text: string; raw: string }) => {
        await store.retryLater(head.seq, reason, iso(options.now().getTime() + backoff), ack, lease)
        log(`hl7-out: ${destination} ${head.controlId} attempt ${head.attempts + 1} failed (${reason}); retrying`)
      }
      // The claim is kept while the receiver is slow to answer.
      let renewing = Promise.resolve()
      const renewal = setInterval(
        () => {
          renewing = renewing.then(async () => {
            const next = iso(options.now().getTime() + leaseMs)
            if (await store.renew(head.seq, lease, next).catch(() => false)) lease = next
          })
        },
        Math.max(1, Math.floor(leaseMs / 3)),
      )
      renewal.unref()
      renewals.add(renewal)
      let raw: string
      try {
        raw = await send(settings, head.message)
      } catch (error) {
        clearInterval(renewal)
        renewals.delete(renewal)
        await renewing
        if (closed) return
        await retry(error instanceof Error ? error.message : 'send failed')
        continue
      }
      clearInterval(renewal)
      renewals.delete(renewal)
      await renewing
      if (closed) return
      const ack = readAck(raw)
      if (!ack) await retry('unreadable acknowledgement')
      else if (ack.controlId !== head.controlId) await retry('acknowledgement of another message')
      else if (ack.code.endsWith('E') && head.attempts + 1 < settings.aeAttempts)
        await retry(ack.code, { code: ack.code, text: ack.text, raw })
      else if (ack.code.endsWith('E')) {
        await store.finish(head.seq, 'failed', { code: ack.code, text: ack.text, raw }, iso(options.now().getTime()))
        log(`hl7-out: ${destination} ${head.controlId} set aside after ${head.attempts + 1} AE answers`)
        await notify(head)
      } else {
        const status = ack.code.endsWith('A') ? 'accepted' : 'rejected'
        await store.finish(head.seq, status, { code: ack.code, text: ack.text, raw }, iso(options.now().getTime()))
        if (status === 'rejected') log(`hl7-out: ${destination} ${head.controlId} refused (${ack.code})`)
        await notify(head)
      }
    }
  }

  function kick(destination: string): void {
    if (closed || running.has(destination)) return
    running.add(destination)
    void deliver(destination)
      .catch(() => log(`hl7-out: delivery to ${destination} stopped on a database error; it resumes on the next send`))
      .finally(async () => {
        running.delete(destination)
        // Closed while a send was in flight: the database may be closed too, so touch nothing.
        if (closed) return
        // A message queued while the loop was finishing would otherwise wait for the next send.
        const head = await store.head(destination).catch(() => undefined)
        if (!closed && head && targetOf(head) && !timers.has(destination)) kick(destination)
      })
  }

  /** Wait until the message is accepted or refused, or `ms` passed. */
  function settled(destination: string, controlId: string, ms: number): Promise<void> {
    const key = `${destination}\n${controlId}`
    return new Promise((resolve) => {
      const set = waiters.get(key) ?? new Set()
      waiters.set(key, set)
      const done = () => {
        clearTimeout(timer)
        set.delete(done)
        if (set.size === 0) waiters.delete(key)
        resolve()
      }
      const timer = setTimeout(done, ms)
      set.add(done)
      void store.get(destination, controlId).then(
        (row) => row?.status !== 'queued' && done(),
        () => done(),
      )
    })
  }

  const answerOf = (row: OutboundRow | undefined): JsonValue => {
    if (!row || row.status === 'queued') return { status: 'queued' }
    return {
      status: row.status,
      ack: { code: row.ackCode ?? '', ...(row.ackText ? { text: row.ackText } : {}) },
    }
  }

  async function queueMessage(
    raw: unknown,
    meta: { runId: string; nodeId: string },
    revision: number | null,
  ): Promise<JsonValue> {
    const parsed = requestSchema.safeParse(raw)
    if (!parsed.success)
      throw new NodeError('The HL7 message to send is malformed.', { code: 'invalid-request', retryable: false })
    const request = parsed.data
    const settings = destinationsOf(revision)[request.destination]
    if (!settings) {
      throw new NodeError(`No HL7 destination named "${request.destination}" is configured.`, {
        code: 'not-configured',
        retryable: false,
      })
    }
    await store.enqueue(
      { ...request, runId: meta.runId, nodeId: meta.nodeId, settingsRevision: revision },
      iso(options.now().getTime()),
    )
    kick(request.destination)
    if (settings.waitMs > 0) await settled(request.destination, request.controlId, settings.waitMs)
    return answerOf(await store.get(request.destination, request.controlId))
  }

  /** Every destination with queued messages starts delivering (after settings change, or a restart). */
  function resumeAll(): void {
    void store.pendingDestinations().then(
      (pending) => {
        for (const destination of pending) kick(destination)
      },
      () => log('hl7-out: could not read the queued messages; delivery resumes on the next send'),
    )
  }

  return {
    store,
    /** Apply (new) settings and resume every destination with queued messages. */
    configure(settings: Hl7OutSettings | undefined): void {
      destinations = settings?.destinations ?? {}
      resumeAll()
    },
    /** The `hl7-out` connector adapter of versions on the current settings revision. */
    adapter: ((raw, meta) => queueMessage(raw, meta, revisions?.current() ?? null)) satisfies ConnectorAdapter,
    /** Where settings revisions are read (the runtime, once its revisions service exists); resumes waiting messages. */
    useRevisions(found: Hl7OutRevisions): void {
      revisions = found
      resumeAll()
    },
    /** The `hl7-out` adapter of versions pinned to settings revision `revision`. */
    adapterFor:
      (revision: number): ConnectorAdapter =>
      (raw, meta) =>
        queueMessage(raw, meta, revision),
    /** Who is told of a message refused or set aside after its node stopped waiting. */
    whenSetAside(handler: (row: OutboundRow) => void | Promise<void>): void {
      onSetAside = handler
    },
    /** Send a refused or set-aside message again (an operator's reprocess); false if it is not one. */
    async resend(destination: string, controlId: string): Promise<boolean> {
      const done = await store.resend(destination, controlId, iso(options.now().getTime()))
      if (done) kick(destination)
      return done
    },
    close(): void {
      closed = true
      for (const timer of timers.values()) timer.cancel()
      for (const renewal of renewals) clearInterval(renewal)
      for (const set of waiters.values()) for (const wake of set) wake()
    },
  }
}
export type Hl7Outbound = ReturnType<typeof createHl7Outbound>
