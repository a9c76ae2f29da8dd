// Telling every runtime process on one database that something they keep in memory changed
// (connector settings, a flow published): each listener then reads it again from the database.
// A notice says only which topic changed, never what to, so a lost or early one costs a re-read
// at most. On SQLite the one process tells itself; on PostgreSQL it is LISTEN/NOTIFY, sent when
// the publishing transaction commits and never for one rolled back.
import pg from 'pg'
import type { SqlExecutor } from './sql-executor.ts'

/** The PostgreSQL channel every Carepath process on the database listens on. */
const CHANNEL = 'carepath_changes'

export interface ChangeFeed {
  /**
   * Tell every process (this one too) that `topic` changed. Inside a store transaction the
   * notice goes out when it commits; a listener reading the database then sees the change.
   */
  publish(topic: string): Promise<void>
  /**
   * `listener` runs after each notice of `topic` from any process, and after the feed
   * reconnects (a notice may have been missed meanwhile). Returns the way to stop listening.
   */
  subscribe(topic: string, listener: () => void): () => void
  /** Settles once notices from other processes are being received (after the first `subscribe`). */
  ready(): Promise<void>
  close(): Promise<void>
}

function topicListeners() {
  const listeners = new Map<string, Set<() => void>>()
  return {
    add(topic: string, listener: () => void) {
      let set = listeners.get(topic)
      if (!set) listeners.set(topic, (set = new Set()))
      set.add(listener)
      return () => void set.delete(listener)
    },
    tell(topic: string) {
      for (const listener of listeners.get(topic) ?? []) listener()
    },
    tellAll() {
      for (const topic of listeners.keys()) this.tell(topic)
    },
  }
}

/** The feed of one SQLite process: listeners are told once the publishing transaction has committed. */
export function localChangeFeed(sql: SqlExecutor): ChangeFeed {
  const listeners = topicListeners()
  return {
    publish: async (topic) => sql.afterCommit(() => listeners.tell(topic)),
    subscribe: (topic, listener) => listeners.add(topic, listener),
    ready: async () => {},
    close: async () => {},
  }
}

/** The feed over PostgreSQL: NOTIFY through the executor (so it joins the open transaction), LISTEN on a connection of its own. */
export function pgChangeFeed(
  sql: SqlExecutor,
  connect: () => pg.Client,
  onError: (error: unknown) => void = () => {},
): ChangeFeed {
  const listeners = topicListeners()
  let client: pg.Client | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined
  let listened: Promise<void> = Promise.resolve()

  function listen(): Promise<void> {
    if (closed || client) return listened
    listened = connectAndListen()
    return listened
  }

  async function connectAndListen() {
    const next = connect()
    client = next
    next.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) listeners.tell(message.payload)
    })
    next.on('error', (error) => {
      onError(error)
      reconnectSoon(next)
    })
    next.on('end', () => reconnectSoon(next))
    try {
      await next.connect()
      await next.query(`LISTEN ${CHANNEL}`)
    } catch (error) {
      onError(error)
      reconnectSoon(next)
    }
  }

  function reconnectSoon(lost: pg.Client) {
    if (client !== lost) return
    client = undefined
    void lost.end().catch(() => {})
    if (closed) return
    retry = setTimeout(() => {
      retry = undefined
      // Whatever was published while the connection was down: everyone reads again.
      void listen().then(() => listeners.tellAll())
    }, 1000)
    retry.unref()
  }

  return {
    async publish(topic) {
      await sql.run('SELECT pg_notify(?, ?)', [CHANNEL, topic])
    },
    subscribe(topic, listener) {
      const stop = listeners.add(topic, listener)
      void listen()
      return stop
    },
    ready: () => listened,
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      const open = client
      client = undefined
      await open?.end().catch(() => {})
    },
  }
}
