import { describe, expect, it } from 'vitest'
import { coalescedReads, MOST_KEYS_PER_READ, padded, paddedArity } from './coalesced-reads.ts'

/** A reader whose statements the test answers one at a time, in the order they were sent. */
function heldReader(alone = () => false) {
  const sent: { keys: string[]; answer: (found: Map<string, string>) => void; fail: (error: Error) => void }[] = []
  const read = coalescedReads(
    (key: string) => key,
    (keys) =>
      new Promise<Map<string, string>>((resolve, reject) => {
        sent.push({ keys: [...keys], answer: resolve, fail: reject })
      }),
    alone,
  )
  let answered = 0
  const settled = () => new Promise((resolve) => setImmediate(resolve))
  /** Answer the oldest statement still open with every key upper-cased, and let its readers run. */
  async function answerNext() {
    const statement = sent[answered++]
    if (!statement) throw new Error('no statement is open')
    statement.answer(new Map(statement.keys.map((key) => [key, key.toUpperCase()])))
    await settled()
  }
  /** Fail the oldest statement still open. */
  async function failNext(error: Error) {
    sent[answered++]?.fail(error)
    await settled()
  }
  return { read, sent, answerNext, failNext }
}

describe('coalesced reads', () => {
  it('sends a read alone at once when none is on its way', async () => {
    const { read, sent, answerNext } = heldReader()
    const a = read('a')
    expect(sent.map((s) => s.keys)).toEqual([['a']])
    await answerNext()
    await expect(a).resolves.toBe('A')
  })

  it('sends the reads asked while one is on its way together at the end of the turn, never in it', async () => {
    const { read, sent, answerNext } = heldReader()
    const first = read('a')
    const later = ['b', 'c', 'b', 'a'].map(read)
    // The statement on its way was sent before these were asked: they must not take its answer.
    expect(sent.map((s) => s.keys)).toEqual([['a']])
    await new Promise((resolve) => setImmediate(resolve))
    // Nor do they wait for it: they go as the turn they came in ends.
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b', 'c', 'a']])
    await answerNext()
    await answerNext()
    await expect(Promise.all([first, ...later])).resolves.toEqual(['A', 'B', 'C', 'B', 'A'])
  })

  it('sends a read alone again once none is on its way', async () => {
    const { read, sent, answerNext } = heldReader()
    void read('a')
    await answerNext()
    void read('b')
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b']])
  })

  it('answers undefined for a key the statement did not find', async () => {
    const read = coalescedReads(
      (key: string) => key,
      async () => new Map([['known', 1]]),
      () => false,
    )
    await expect(Promise.all([read('known'), read('unknown')])).resolves.toEqual([1, undefined])
  })

  it(`reads at most ${MOST_KEYS_PER_READ} keys in one statement and the rest in another`, async () => {
    const { read, sent, answerNext } = heldReader()
    void read('first')
    const keys = Array.from({ length: MOST_KEYS_PER_READ + 3 }, (_, i) => `k${i}`)
    const answers = Promise.all(keys.map(read))
    await answerNext()
    await answerNext()
    await answerNext()
    expect(sent.map((s) => s.keys.length)).toEqual([1, MOST_KEYS_PER_READ, 3])
    await expect(answers).resolves.toEqual(keys.map((key) => key.toUpperCase()))
  })

  it('fails only the reads of a statement that failed', async () => {
    const { read, sent, answerNext, failNext } = heldReader()
    const failing = expect(read('a')).rejects.toThrow('connection lost')
    const next = read('b')
    await failNext(new Error('connection lost'))
    await failing
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b']])
    await answerNext()
    await expect(next).resolves.toBe('B')
  })

  it('reads alone, at once, when the caller must not join others (inside a transaction)', async () => {
    let inTransaction = false
    const { read, sent } = heldReader(() => inTransaction)
    void read('a')
    inTransaction = true
    void read('b')
    void read('c')
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b'], ['c']])
  })

  it('pads a statement to a power of two with a key nothing matches, so few statement texts are prepared', () => {
    expect([1, 2, 3, 5, 8, 9, 64].map(paddedArity)).toEqual([1, 2, 4, 8, 8, 16, 64])
    expect(padded(['a', 'b', 'c'], '')).toEqual(['a', 'b', 'c', ''])
    expect(padded(['a'], '')).toEqual(['a'])
  })
})
