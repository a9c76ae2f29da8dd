// Reads that many requests make at once, each for its own key (the token a request carries, the
// idempotency key and flow a run start names), made as one statement for all of them. On
// PostgreSQL every statement costs both processes a round trip's CPU whatever it reads, and at ten
// connections a run start's own reads were two of its four statements.
//
// Nothing is kept: a read waits for a statement sent after it was asked for, so it sees every
// write committed before it (a revoked token is refused at once, as when each read went alone).
// A read asked when none is on its way goes out at once, alone; reads asked while one is go
// together at the end of the event loop's turn, without waiting for it: the requests a burst
// brings share a statement, and none waits longer than the turn it came in. With nothing else
// going on, a read costs what it did.

/** The most keys one statement reads; more go in further statements. */
export const MOST_KEYS_PER_READ = 64

/** Statement arities: a read of 5 keys sends 8 (`padded`), so a database prepares 7 statements, not 64. */
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
  let gathering: Map<string, Asked<K, V>> | undefined
  let onTheirWay = 0

  function send(batch: Map<string, Asked<K, V>>): void {
    onTheirWay++
    readMany([...batch.values()].map((asked) => asked.key)).then(
      (found) => {
        onTheirWay--
        for (const [id, asked] of batch) for (const w of asked.waiting) w.resolve(found.get(id))
      },
      (error: unknown) => {
        onTheirWay--
        for (const asked of batch.values()) for (const w of asked.waiting) w.reject(error)
      },
    )
  }

  function sendGathered(): void {
    const asked = [...(gathering ?? new Map<string, Asked<K, V>>())]
    gathering = undefined
    for (let from = 0; from < asked.length; from += MOST_KEYS_PER_READ)
      send(new Map(asked.slice(from, from + MOST_KEYS_PER_READ)))
  }

  return (key) => {
    const id = idOf(key)
    if (alone()) return readMany([key]).then((found) => found.get(id))
    return new Promise<V | undefined>((resolve, reject) => {
      const waiting = { resolve, reject }
      if (onTheirWay === 0 && !gathering) return send(new Map([[id, { key, waiting: [waiting] }]]))
      if (!gathering) {
        gathering = new Map()
        // At the end of this turn of the event loop: the requests that came in it go together.
        setImmediate(sendGathered)
      }
      const asked = gathering.get(id)
      if (asked) asked.waiting.push(waiting)
      else gathering.set(id, { key, waiting: [waiting] })
    })
  }
}

/**
 * `keys` and then `filler`, a key nothing matches, to `paddedArity(keys.length)`: the statement's
 * parameters, and no row read twice.
 */
export function padded<K>(keys: readonly K[], filler: K): K[] {
  const params = [...keys]
  while (params.length < paddedArity(keys.length)) params.push(filler)
  return params
}
