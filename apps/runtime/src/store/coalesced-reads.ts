// Reads that many requests make at once, each for its own key (the token a request carries, the
// idempotency key and flow a run start names), made as one statement for all of them. On
// PostgreSQL every statement costs both processes a round trip's CPU whatever it reads, and at ten
// connections a run start's own reads were two of its four statements.
//
// Nothing is kept: a read waits for a statement sent after it was asked for, so it sees every
// write committed before it (a revoked token is refused at once, as when each read went alone).
// The first read goes out at once, alone; reads asked for while it is on its way go together in
// the next statement, sent as it answers. With nothing else going on, a read costs what it did.

/** The most keys one statement reads; more wait for the next. */
export const MOST_KEYS_PER_READ = 64

/** Statement arities: a read of 5 keys sends 8 (the last repeated), so a database prepares 7 statements, not 64. */
export function paddedArity(count: number): number {
  let arity = 1
  while (arity < count) arity *= 2
  return Math.min(arity, MOST_KEYS_PER_READ)
}

interface Waiting<V> {
  resolve: (value: V | undefined) => void
  reject: (error: unknown) => void
}

interface Asked<K, V> {
  key: K
  waiting: Waiting<V>[]
}

/**
 * `read(key)` resolves to what `readMany` found for the key (undefined when nothing). `readMany`
 * gets keys of distinct `idOf`, at most `MOST_KEYS_PER_READ`, and returns what it found by
 * `idOf`. `alone` says when a read must not join others: inside a transaction, whose statements
 * see its own uncommitted writes and must run on its connection.
 */
export function coalescedReads<K, V>(
  idOf: (key: K) => string,
  readMany: (keys: readonly K[]) => Promise<ReadonlyMap<string, V>>,
  alone: () => boolean,
): (key: K) => Promise<V | undefined> {
  const next = new Map<string, Asked<K, V>>()
  let reading = false

  function send(batch: Map<string, Asked<K, V>>): void {
    reading = true
    readMany([...batch.values()].map((asked) => asked.key)).then(
      (found) => {
        for (const [id, asked] of batch) for (const w of asked.waiting) w.resolve(found.get(id))
        sendNext()
      },
      (error: unknown) => {
        for (const asked of batch.values()) for (const w of asked.waiting) w.reject(error)
        sendNext()
      },
    )
  }

  function sendNext(): void {
    reading = false
    if (next.size === 0) return
    const batch = new Map<string, Asked<K, V>>()
    for (const [id, asked] of next) {
      if (batch.size === MOST_KEYS_PER_READ) break
      batch.set(id, asked)
      next.delete(id)
    }
    send(batch)
  }

  return (key) => {
    const id = idOf(key)
    if (alone()) return readMany([key]).then((found) => found.get(id))
    return new Promise<V | undefined>((resolve, reject) => {
      const waiting = { resolve, reject }
      if (!reading) return send(new Map([[id, { key, waiting: [waiting] }]]))
      const asked = next.get(id)
      if (asked) asked.waiting.push(waiting)
      else next.set(id, { key, waiting: [waiting] })
    })
  }
}

/** `keys` repeated at the end to `paddedArity(keys.length)`: the statement's parameters. */
export function padded<K>(keys: readonly K[]): K[] {
  return Array.from({ length: paddedArity(keys.length) }, (_, i) => keys[Math.min(i, keys.length - 1)] as K)
}
