// The schedule's claims on the store, on SQLite and PostgreSQL from one suite. Two stores on one
// database are two runtime processes: a time is claimed by one of them, a live claim stays its
// owner's, an expired one is taken over by one process, and the owner that lost it cannot settle it.
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createScheduleStore, type ScheduleStore } from './schedule-store.ts'

const T0 = Date.parse('2026-03-01T09:00:00.000Z')
const LEASE_MS = 5 * 60_000
const iso = (ms: number) => new Date(ms).toISOString()
const TICK = '2026-03-01T09:00:00.000Z'

describeOnEachStore('schedule tick claims', (backend) => {
  let opened: OpenedStore
  let a: ScheduleStore
  let b: ScheduleStore
  let other: Store
  beforeEach(async () => {
    opened = await backend.open('ticks')
    other = await opened.another()
    a = createScheduleStore(opened.store)
    b = createScheduleStore(other)
  })
  afterEach(() => opened.dispose())

  /** A claim of `TICK` by `owner` made at `at`, its lease running LEASE_MS. */
  const claimOf = (owner: string, at = T0, tickAt = TICK) => ({
    flowId: 'reminders',
    tickAt,
    hash: 'h1',
    owner,
    leaseUntil: iso(at + LEASE_MS),
    at: iso(at),
  })

  const row = async (tickAt = TICK) =>
    opened.store.sql.get<{ status: string; owner: string; run_id: string | null; lease_until: string }>(
      'SELECT status, owner, run_id, lease_until FROM schedule_ticks WHERE flow_id = ? AND tick_at = ?',
      ['reminders', tickAt],
    )

  it('gives a time to one of two processes claiming it at once', async () => {
    const won = await Promise.all([a.claim(claimOf('a')), b.claim(claimOf('b'))])
    expect(won.filter(Boolean)).toHaveLength(1)
    const winner = won[0] ? 'a' : 'b'
    expect((await row())?.owner).toBe(winner)
    // Later claims and outright records of the same time change nothing.
    expect(await b.claim(claimOf('c'))).toBe(false)
    expect(
      await a.record({
        flowId: 'reminders',
        tickAt: TICK,
        hash: 'h1',
        status: 'skipped',
        reason: 'missed',
        owner: 'c',
        at: iso(T0),
      }),
    ).toBe(false)
    expect(await row()).toMatchObject({ status: 'claimed', owner: winner })
  })

  it('gives each of many times to exactly one process when both sweep them at once', async () => {
    const times = Array.from({ length: 40 }, (_, i) => iso(T0 + i * 60_000))
    const results = await Promise.all(
      times.flatMap((tickAt) => [
        a.claim(claimOf('a', T0, tickAt)).then((won) => (won ? `a@${tickAt}` : undefined)),
        b.claim(claimOf('b', T0, tickAt)).then((won) => (won ? `b@${tickAt}` : undefined)),
      ]),
    )
    const won = results.filter((r) => r !== undefined)
    expect(won).toHaveLength(times.length)
    expect(new Set(won.map((w) => w.slice(2)))).toEqual(new Set(times))
    const owners = await opened.store.sql.all<{ owner: string; n: number }>(
      'SELECT owner, count(*) AS n FROM schedule_ticks GROUP BY owner ORDER BY owner',
    )
    // What each process was told it won is what the table records as its own.
    const told = (owner: string) => won.filter((w) => w.startsWith(`${owner}@`)).length
    expect(owners.map((o) => [o.owner, Number(o.n)])).toEqual(
      (['a', 'b'] as const).filter((o) => told(o) > 0).map((o) => [o, told(o)]),
    )
  })

  it('keeps a live claim its owner’s; once its lease passes one process takes it over, and the late owner cannot settle it', async () => {
    expect(await a.claim(claimOf('a'))).toBe(true)
    const lease = (at: number) => [iso(at + LEASE_MS), iso(at)] as const

    // Still live a moment before the lease ends: nobody takes it, and it is not stale.
    const early = T0 + LEASE_MS - 1
    expect(await b.staleClaims('reminders', iso(early))).toEqual([])
    expect(await b.takeOver('reminders', TICK, 'b', ...lease(early))).toBe(false)
    // The owner renews while it works: the lease runs on from then.
    expect(await a.renew('reminders', TICK, 'a', ...lease(early))).toBe(true)
    expect(await b.takeOver('reminders', TICK, 'b', ...lease(T0 + LEASE_MS))).toBe(false)

    // The owner stopped renewing (it died): after its lease, of two processes taking over at once, one does.
    const late = early + LEASE_MS + 1
    expect((await b.staleClaims('reminders', iso(late))).map((r) => [r.tick_at, r.owner])).toEqual([[TICK, 'a']])
    const taken = await Promise.all([
      b.takeOver('reminders', TICK, 'b', ...lease(late)),
      createScheduleStore(opened.store).takeOver('reminders', TICK, 'c', ...lease(late)),
    ])
    expect(taken.filter(Boolean)).toHaveLength(1)
    const taker = taken[0] ? 'b' : 'c'
    expect(await row()).toMatchObject({ status: 'claimed', owner: taker, lease_until: iso(late + LEASE_MS) })

    // The late owner wakes up: it can neither settle nor renew the time it lost.
    expect(await a.settle('reminders', TICK, 'a', { status: 'fired', runId: 'late' }, iso(late))).toBe(false)
    expect(await a.renew('reminders', TICK, 'a', ...lease(late))).toBe(false)
    expect(await b.settle('reminders', TICK, taker, { status: 'fired', runId: 'run-1' }, iso(late))).toBe(true)
    expect(await row()).toMatchObject({ status: 'fired', owner: taker, run_id: 'run-1' })
    // A settled time is nobody's due work any more, and is settled once.
    expect(await a.staleClaims('reminders', iso(late + 10 * LEASE_MS))).toEqual([])
    expect(await a.takeOver('reminders', TICK, 'a', ...lease(late + 10 * LEASE_MS))).toBe(false)
    expect(await b.settle('reminders', TICK, taker, { status: 'skipped', reason: 'failed' }, iso(late))).toBe(false)
  })

  it('hands a queued time to one process when its turn comes; it can be queued again', async () => {
    expect(await a.claim(claimOf('a'))).toBe(true)
    expect(await a.settle('reminders', TICK, 'a', { status: 'queued', reason: 'overlap' }, iso(T0))).toBe(true)
    expect((await b.oldestQueued('reminders'))?.tick_at).toBe(TICK)
    const at = T0 + 60_000
    const taken = await Promise.all([
      a.takeOver('reminders', TICK, 'a', iso(at + LEASE_MS), iso(at)),
      b.takeOver('reminders', TICK, 'b', iso(at + LEASE_MS), iso(at)),
    ])
    expect(taken.filter(Boolean)).toHaveLength(1)
    const taker = taken[0] ? 'a' : 'b'
    expect(await b.oldestQueued('reminders')).toBeUndefined()
    // Still overlapping: back in the queue, still the oldest.
    expect(await a.settle('reminders', TICK, taker, { status: 'queued', reason: 'overlap' }, iso(at))).toBe(true)
    expect((await a.oldestQueued('reminders'))?.tick_at).toBe(TICK)
  })

  it('reads the latest time, the history newest first and the run still going', async () => {
    const times = [iso(T0), iso(T0 + 3_600_000), iso(T0 + 7_200_000)]
    expect(await a.lastTick('reminders')).toBeUndefined()
    expect(await a.claim(claimOf('a', T0, times[0]!))).toBe(true)
    expect(
      await a.record({
        flowId: 'reminders',
        tickAt: times[1]!,
        hash: 'h1',
        status: 'skipped',
        reason: 'missed',
        owner: 'a',
        at: iso(T0),
      }),
    ).toBe(true)
    expect(await b.claim(claimOf('b', T0, times[2]!))).toBe(true)
    expect(await b.lastTick('reminders')).toBe(times[2])
    expect((await b.ticks('reminders', 2)).map((r) => [r.tick_at, r.status, r.reason])).toEqual([
      [times[2], 'claimed', null],
      [times[1], 'skipped', 'missed'],
    ])

    expect(await a.activeRun('reminders')).toBeUndefined()
    await opened.store.sql.run(
      "INSERT INTO runs (id, flow_id, hash, status, idempotency_key, started_by, created_at, updated_at) VALUES ('run-1', 'reminders', 'h1', 'waiting', 'schedule:reminders:1', 'scheduler', ?, ?)",
      [iso(T0), iso(T0)],
    )
    expect(await a.settle('reminders', times[0]!, 'a', { status: 'fired', runId: 'run-1' }, iso(T0))).toBe(true)
    expect(await b.activeRun('reminders')).toBe('run-1')
    await opened.store.sql.run("UPDATE runs SET status = 'completed' WHERE id = 'run-1'")
    expect(await b.activeRun('reminders')).toBeUndefined()
  })
})
