// Where inbound HL7 messages are kept before they are acknowledged. Nothing is ACKed that is not
// stored, and the (sender, control id) key tells a resend from a new message.
import { existsSync, fdatasync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { createHash, randomUUID } from 'node:crypto'
import type { AckCode } from './hl7-ack.ts'

export interface StoredMeta {
  /** `app^facility` from MSH-3/MSH-4 (empty when the header could not be read). */
  sender: string
  controlId: string
  type: string
  via: 'mllp' | 'http'
}

export interface Settled {
  ackCode: AckCode
  runIds?: string[] | undefined
  /** A plain reason, never message content. */
  reason?: string | undefined
}

/** Durable inbound message store (the runtime may supply one over its database). */
export interface Hl7MessageStore {
  /**
   * Persist the raw message and resolve only once it is durable. `previous` is how an earlier
   * message with the same sender and control id was settled, if one was.
   */
  save(raw: string, meta: StoredMeta, receivedAt: Date): Promise<{ id: string; previous?: Settled | undefined }>
  /**
   * How the message with this sender and control id was settled by now, if it was: read again
   * just before a message is looked at, since an earlier copy pipelined on the connection may
   * have been settled after this one was saved.
   */
  settledOf?(meta: StoredMeta): Settled | undefined | Promise<Settled | undefined>
  /** Record the acknowledgement that was sent. */
  settle(id: string, settled: Settled): Promise<void>
  /**
   * Messages kept but never settled (the process stopped between storing and answering) or
   * answered AE because their runs could not start: what a restart should look at again.
   */
  pending?(): Promise<PendingMessage[]>
}

export interface PendingMessage {
  id: string
  raw: string
  meta: StoredMeta
}

const needsRetry = (settled: Settled | undefined) =>
  settled === undefined || (settled.ackCode === 'AE' && settled.reason === 'failed')

const keyOf = (meta: StoredMeta) => (meta.controlId ? `${meta.sender}|${meta.controlId}` : undefined)

/** In memory: for tests and for a runtime started without a data directory. */
export function createMemoryHl7Store() {
  const messages = new Map<string, { raw: string; meta: StoredMeta; settled?: Settled }>()
  const byKey = new Map<string, string>()
  const settledByKey = new Map<string, Settled>()
  const store: Hl7MessageStore & { messages: typeof messages } = {
    messages,
    async save(raw, meta) {
      const key = keyOf(meta)
      const earlier = key ? byKey.get(key) : undefined
      const id = randomUUID()
      messages.set(id, { raw, meta })
      if (key && (earlier === undefined || messages.get(earlier)?.settled?.ackCode !== 'AA')) byKey.set(key, id)
      return { id, previous: earlier ? messages.get(earlier)?.settled : undefined }
    },
    settledOf(meta) {
      const key = keyOf(meta)
      return key ? settledByKey.get(key) : undefined
    },
    async settle(id, settled) {
      const message = messages.get(id)
      if (!message) return
      message.settled = settled
      // An accepted copy stays the answer for its key, whichever copy was saved last.
      const key = keyOf(message.meta)
      if (key && settledByKey.get(key)?.ackCode !== 'AA') settledByKey.set(key, settled)
    },
  }
  return store
}

/** Seals a message's text at rest (the runtime's data cipher), bound to the message's id. */
export interface Hl7Sealer {
  seal(raw: string, id: string): Promise<string>
  open(sealed: string, id: string): Promise<string>
}

/**
 * An append-only JSON-lines file, fsynced before `save` resolves, reloaded at start so resends
 * are recognised across restarts. Earlier releases kept inbound messages here (the runtime now
 * keeps them in its database, hl7-db-store.ts, and opens this file only to look again at the
 * messages they left unanswered). Holds PHI: with a `sealer` each message's text is encrypted at
 * rest; it lives beside the database, with the same care.
 */
export function createFileHl7Store(file: string, sealer?: Hl7Sealer): Hl7MessageStore {
  mkdirSync(dirname(file), { recursive: true })
  const settledByKey = new Map<string, Settled>()
  const keyById = new Map<string, string>()
  // Only messages still to be looked at again keep their text in memory (sealed, when it was stored sealed).
  const unsettled = new Map<string, PendingMessage & { sealed?: boolean }>()
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue
      try {
        const record = JSON.parse(line) as {
          kind: string
          id: string
          key?: string
          settled?: Settled
          raw?: string
          sealed?: string
          meta?: StoredMeta
        }
        if (record.kind === 'message') {
          if (record.key) keyById.set(record.id, record.key)
          if (typeof record.raw === 'string' && record.meta)
            unsettled.set(record.id, { id: record.id, raw: record.raw, meta: record.meta })
          if (typeof record.sealed === 'string' && record.meta)
            unsettled.set(record.id, { id: record.id, raw: record.sealed, meta: record.meta, sealed: true })
        }
        if (record.kind === 'settled' && record.settled) {
          const key = keyById.get(record.id)
          if (key && settledByKey.get(key)?.ackCode !== 'AA') settledByKey.set(key, record.settled)
          if (!needsRetry(record.settled)) unsettled.delete(record.id)
        }
      } catch {
        // A torn last line after a crash: that message was never ACKed, the sender will resend.
      }
    }
  }
  // One descriptor for the store's life. Records are written in the order the calls came, the
  // records of one burst in one write(2) of whole lines (a kill -9 after it leaves them in the OS's
  // hands, as a SQLite commit is): a pipelining sender's frames, parsed from one read, cost one
  // system call, and the settles of a group commit another.
  const fd = openSync(file, 'a')
  let unwritten: string[] = []
  // Lines stay queued until written: a failed write is tried again with the next, and the saves
  // waiting on the flush are refused (answered AE) rather than told they are durable.
  let written: { resolve: () => void; reject: (error: unknown) => void }[] = []
  const writeOut = () => {
    if (unwritten.length === 0) return
    const waiters = written
    try {
      writeSync(fd, unwritten.join(''))
    } catch (error) {
      written = []
      for (const waiter of waiters) waiter.reject(error)
      throw error
    }
    unwritten = []
    written = []
    for (const waiter of waiters) waiter.resolve()
  }
  let writeScheduled = false
  const append = (record: object) => {
    unwritten.push(`${JSON.stringify(record)}\n`)
    if (writeScheduled) return
    writeScheduled = true
    // After the burst: every frame of one read, every settle of one commit, is appended by then.
    setImmediate(() => {
      writeScheduled = false
      try {
        writeOut()
      } catch {
        // Kept queued: the next flush tries again, and a save waiting on it is told it failed.
      }
    })
  }
  // Group commit of the fsync: messages written while one fdatasync is under way wait for the next
  // one, which covers them all, so a burst of messages costs one disk flush rather than one each.
  // It runs on libuv's thread pool: the event loop goes on taking (and writing) messages meanwhile.
  let waiting: { resolve: () => void; reject: (error: unknown) => void }[] = []
  let syncing = false
  const syncWaiting = () => {
    const batch = waiting
    waiting = []
    syncing = true
    try {
      writeOut()
    } catch (error) {
      syncing = false
      for (const waiter of batch) waiter.reject(error)
      return
    }
    fdatasync(fd, (error) => {
      syncing = false
      for (const waiter of batch)
        if (error) waiter.reject(error)
        else waiter.resolve()
      if (waiting.length > 0) syncWaiting()
    })
  }
  const durable = () =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ resolve, reject })
      // Started once the current burst has been taken (the frames of one read are saved in one
      // synchronous pass), so the first flush covers them all rather than the first alone.
      if (!syncing && waiting.length === 1) queueMicrotask(() => !syncing && waiting.length > 0 && syncWaiting())
    })
  return {
    async save(raw, meta, receivedAt) {
      const id = randomUUID()
      const key = keyOf(meta)
      // Sealed before it is written (the data key is cached after the first message of its day).
      const sealed = sealer ? await sealer.seal(raw, id) : undefined
      append({
        kind: 'message',
        id,
        key,
        meta,
        receivedAt: receivedAt.toISOString(),
        sha256: createHash('sha256').update(raw).digest('hex'),
        ...(sealed !== undefined ? { sealed } : { raw }),
      })
      if (key) keyById.set(id, key)
      const previous = key ? settledByKey.get(key) : undefined
      await durable()
      return { id, previous }
    },
    settledOf(meta) {
      const key = keyOf(meta)
      return key ? settledByKey.get(key) : undefined
    },
    // Written, not flushed on its own: a settle lost to a power cut leaves the message pending,
    // and looking at it again after the restart finds its runs by their idempotency keys.
    async settle(id, settled) {
      append({ kind: 'settled', id, settled })
      const key = keyById.get(id)
      if (key && settledByKey.get(key)?.ackCode !== 'AA') settledByKey.set(key, settled)
      if (!needsRetry(settled)) unsettled.delete(id)
      // Resolved once written (with the other settles of its turn), so a store opened after it sees it.
      await new Promise<void>((resolve, reject) => written.push({ resolve, reject }))
    },
    async pending() {
      // Messages found pending when the file was opened (this process settles its own).
      const found: PendingMessage[] = []
      for (const { sealed, ...message } of unsettled.values()) {
        if (!sealed) {
          found.push(message)
          continue
        }
        if (!sealer)
          throw new Error('The inbound HL7 store holds sealed messages, and no key store was given to open them.')
        found.push({ ...message, raw: await sealer.open(message.raw, message.id) })
      }
      return found
    },
  }
}
