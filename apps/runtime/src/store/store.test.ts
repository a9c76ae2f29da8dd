// The store's contract, on SQLite and on PostgreSQL from one suite: the same queries give the
// same values back, and a transaction means the same thing on both.
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { sessions, settings, users } from '../db/schema.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { isUniqueViolation, type BatchWriter } from './sql-executor.ts'
import type { Store } from './store.ts'

const ada = {
  id: 'u-ada',
  username: 'ada',
  role: 'analyst' as const,
  passwordHash: 'x',
  flowRoles: ['front-desk', 'clinician'],
  createdAt: '2026-12-05T10:00:00.000Z',
  disabled: true,
  updatedAt: '2026-12-05T10:00:00.000Z',
  updatedBy: 'admin',
}

/** A promise and the function that settles it, to hold a transaction open while something else happens. */
function gate() {
  let open = () => {}
  const closed = new Promise<void>((resolve) => (open = resolve))
  return { closed, open }
}

describeOnEachStore('the store', (backend) => {
  let opened: OpenedStore
  let store: Store
  beforeEach(async () => {
    opened = await backend.open('store')
    store = opened.store
  })
  afterEach(() => opened.dispose())

  it('reads back what drizzle wrote: json as values, booleans, big epoch numbers', async () => {
    await store.db.insert(users).values(ada)
    await store.db
      .insert(sessions)
      .values({ tokenHash: 't', userId: ada.id, createdAt: 1_796_000_000_000, lastSeenAt: 1, expiresAt: 2 })
    expect(await store.db.select().from(users).where(eq(users.id, ada.id)).get()).toEqual(ada)
    expect(await store.db.select({ at: sessions.createdAt }).from(sessions).get()).toEqual({ at: 1_796_000_000_000 })
    expect(await store.db.select().from(users).where(eq(users.id, 'nobody')).get()).toBeUndefined()
    expect(await store.db.select().from(users).where(eq(users.id, 'nobody'))).toEqual([])
  })

  it('keeps a json value as the exact text written, and returns rows to hand-written statements', async () => {
    await store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['k', '{"b":1,  "a":[true,null]}'])
    expect(await store.sql.get('SELECT key, value FROM settings WHERE key = ?', ['k'])).toEqual({
      key: 'k',
      value: '{"b":1,  "a":[true,null]}',
    })
    expect(await store.sql.values('SELECT key FROM settings')).toEqual([['k']])
    expect(await store.sql.run('DELETE FROM settings WHERE key = ?', ['k'])).toEqual({ changes: 1 })
  })

  it('commits a transaction that resolves and undoes one that throws', async () => {
    await store.transaction(() => store.db.insert(settings).values({ key: 'kept', value: 1 }))
    const failure = await store
      .transaction(async () => {
        await store.db.insert(settings).values({ key: 'undone', value: 2 })
        throw new Error('no')
      })
      .catch((e: unknown) => e)
    expect(failure).toEqual(new Error('no'))
    expect(await store.db.select({ key: settings.key }).from(settings)).toEqual([{ key: 'kept' }])
  })

  it('undoes only a nested transaction that fails', async () => {
    await store.transaction(async () => {
      await store.db.insert(settings).values({ key: 'outer', value: 1 })
      await store
        .transaction(async () => {
          await store.db.insert(settings).values({ key: 'inner', value: 2 })
          throw new Error('inner fails')
        })
        .catch(() => undefined)
    })
    expect(await store.db.select({ key: settings.key }).from(settings)).toEqual([{ key: 'outer' }])
  })

  it('never lets a statement from elsewhere into an open transaction', async () => {
    const held = gate()
    const entered = gate()
    const rolledBack = store
      .transaction(async () => {
        await store.db.insert(settings).values({ key: 'inside', value: 1 })
        entered.open()
        await held.closed
        throw new Error('roll back')
      })
      .catch(() => 'rolled back')
    await entered.closed
    // Made outside the transaction while it is open: it must survive the rollback.
    const outside = store.db.insert(settings).values({ key: 'outside', value: 2 })
    held.open()
    expect(await rolledBack).toBe('rolled back')
    await outside
    expect(await store.db.select({ key: settings.key }).from(settings)).toEqual([{ key: 'outside' }])
  })

  it('runs transactions started together each whole, and serialises read-then-write work', async () => {
    await store.db.insert(settings).values({ key: 'counter', value: 0 })
    const increment = (n: number) =>
      store.transaction(async () => {
        await store.sql.serialize('counter')
        const row = await store.db.select().from(settings).where(eq(settings.key, 'counter')).get()
        await store.db
          .update(settings)
          .set({ value: Number(row?.value) + 1 })
          .where(eq(settings.key, 'counter'))
        await store.db.insert(settings).values({ key: `run ${n}`, value: n })
        if (n % 2 === 1) throw new Error(`run ${n} fails`)
      })
    const settled = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => increment(n)))
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(5)
    expect(await store.db.select().from(settings).where(eq(settings.key, 'counter')).get()).toEqual({
      key: 'counter',
      value: 5,
    })
    const keys = (await store.db.select({ key: settings.key }).from(settings)).map((r) => r.key).sort()
    expect(keys).toEqual(['counter', 'run 0', 'run 2', 'run 4', 'run 6', 'run 8'])
  })

  it('names a duplicate key the same way on both', async () => {
    await store.db.insert(settings).values({ key: 'once', value: 1 })
    const duplicate = await store.db
      .insert(settings)
      .values({ key: 'once', value: 2 })
      .catch((e: unknown) => e)
    expect(isUniqueViolation(duplicate)).toBe(true)
    expect(isUniqueViolation(new Error('other'))).toBe(false)
  })

  it('refuses serialize() outside a transaction', async () => {
    await expect(store.sql.serialize('counter')).rejects.toThrow('serialize() is for work inside a transaction.')
  })

  it('tells every process of a change once its transaction commits, and nothing of one rolled back', async () => {
    const other = await opened.another()
    const heard: string[] = []
    // What a listener reads when told: the committed value, as a cache refreshing itself would.
    const valueSeen = new Promise<unknown>((resolve) =>
      other.changes.subscribe('settings', () => {
        heard.push('settings')
        void other.db
          .select()
          .from(settings)
          .where(eq(settings.key, 'mode'))
          .get()
          .then((row) => resolve(row?.value))
      }),
    )
    other.changes.subscribe('flows', () => heard.push('flows'))
    await other.changes.ready()
    await store
      .transaction(async () => {
        await store.changes.publish('flows')
        throw new Error('rolled back')
      })
      .catch(() => {})
    await store.transaction(async () => {
      await store.db.insert(settings).values({ key: 'mode', value: 'strict' })
      await store.changes.publish('settings')
    })
    expect(await valueSeen).toBe('strict')
    expect(heard).toEqual(['settings'])
  })

  it('runs after-commit work once committed, and never for a savepoint or transaction rolled back', async () => {
    const done: string[] = []
    await store.transaction(async () => {
      store.sql.afterCommit(() => done.push('outer'))
      await store
        .transaction(async () => {
          store.sql.afterCommit(() => done.push('undone savepoint'))
          throw new Error('savepoint rolled back')
        })
        .catch(() => {})
      await store.transaction(async () => store.sql.afterCommit(() => done.push('kept savepoint')))
      expect(done).toEqual([])
    })
    await store
      .transaction(async () => {
        store.sql.afterCommit(() => done.push('rolled back'))
        throw new Error('rolled back')
      })
      .catch(() => {})
    store.sql.afterCommit(() => done.push('outside'))
    expect(done).toEqual(['outer', 'kept savepoint', 'outside'])
  })

  // On PostgreSQL these go out back to back on the transaction's connection (pipeline mode).
  it('runs statements made together in a transaction in the order made, and undoes them all when one fails', async () => {
    const seen = await store.transaction(async () => {
      const [, , row] = await Promise.all([
        store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['first', '1']),
        store.sql.run('UPDATE settings SET value = ? WHERE key = ?', ['2', 'first']),
        store.sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', ['first']),
      ])
      return row?.value
    })
    expect(seen).toBe('2')

    const refused = store.transaction(async () => {
      await Promise.all([
        store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['second', '1']),
        store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['first', '3']),
        store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['third', '1']),
      ])
    })
    await expect(refused).rejects.toSatisfy(isUniqueViolation)
    expect(await store.sql.all('SELECT key, value FROM settings ORDER BY key')).toEqual([{ key: 'first', value: '2' }])
  })

  it("flushes a transaction's batch writers by order, one order's together, and none of them when one fails", async () => {
    const made: string[] = []
    const writer = (name: string, order: number, fail = false): BatchWriter<string> => ({
      order,
      async flush(keys) {
        made.push(`${name} starts`)
        for (const key of keys)
          await store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [key, JSON.stringify(name)])
        if (fail) throw new Error(`${name} failed`)
        made.push(`${name} ends`)
      },
    })
    const first = writer('first', 0)
    const beside = writer('beside', 0)
    const last = writer('last', 1)
    await store.transaction(async () => {
      await store.sql.beforeCommit(last, 'c')
      await store.sql.beforeCommit(first, 'a1')
      await store.sql.beforeCommit(beside, 'b')
      await store.sql.beforeCommit(first, 'a2')
    })
    // Both writers of order 0 had started before either ended; the later order started after them.
    expect(made.slice(0, 2).sort()).toEqual(['beside starts', 'first starts'])
    expect(made.slice(4)).toEqual(['last starts', 'last ends'])
    expect(await store.sql.values('SELECT key FROM settings ORDER BY key')).toEqual([['a1'], ['a2'], ['b'], ['c']])

    const failing = writer('failing', 0, true)
    await expect(
      store.transaction(async () => {
        await store.sql.beforeCommit(first, 'x1')
        await store.sql.beforeCommit(failing, 'y')
        await store.sql.beforeCommit(last, 'z')
      }),
    ).rejects.toThrow('failing failed')
    expect(await store.sql.values('SELECT key FROM settings ORDER BY key')).toEqual([['a1'], ['a2'], ['b'], ['c']])
  })
})
