import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPg, type PgDb } from '../db/open-pg.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { createPgTickClaims } from './pg-tick-claims.ts'

const testPostgres = await findTestPostgres()
const T0 = Date.parse('2026-03-01T09:00:00.000Z')
const LEASE_MS = 30_000
const child = fileURLToPath(new URL('../testing/tick-claimer.child.ts', import.meta.url))

/** The claimer in its own process: `ready` once connected, `go()` starts its sweep, `took` its result. */
function claimerProcess(url: string, owner: string, now: Date) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, url, owner, now.toISOString()], { stdio: 'pipe' })
  let out = ''
  let err = ''
  let markReady: () => void
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    if (out.startsWith('ready\n')) markReady()
  })
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const took = new Promise<string[]>((resolve, reject) => {
    proc.on('error', reject)
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`claimer ${owner} exited ${code}: ${err}`))
      const parsed: unknown = JSON.parse(out.slice('ready\n'.length))
      if (!Array.isArray(parsed)) return reject(new Error(`claimer ${owner} printed ${out}`))
      resolve(parsed.map(String))
    })
  })
  return { ready, took, go: () => proc.stdin.write('go\n') }
}

describe.skipIf(!testPostgres)('claiming schedule ticks across processes', () => {
  let url: string
  let drop: () => Promise<void>
  const pools: PgDb[] = []
  beforeAll(async () => {
    const created = await testPostgres!.createDatabase('claims')
    ;({ url, drop } = created)
    for (let i = 0; i < 2; i++) pools.push(await openPg(url, { max: 3 }))
  })
  afterAll(async () => {
    for (const pool of pools) await pool.$client.end()
    await drop?.()
  })

  it('gives a tick to one process; a dead owner’s claim is taken over only after its lease, and the late owner cannot settle it', async () => {
    let clock = T0
    const now = () => new Date(clock)
    const a = createPgTickClaims(pools[0]!, { owner: 'a', now, leaseMs: LEASE_MS })
    const b = createPgTickClaims(pools[1]!, { owner: 'b', now, leaseMs: LEASE_MS })
    const tick = { flowId: 'reminders', tickAt: '2026-03-01T09:00:00.000Z', hash: 'h1' }
    const [wonA, wonB] = await Promise.all([a.claim(tick), b.claim(tick)])
    expect([wonA, wonB].filter(Boolean)).toHaveLength(1)
    const [winner, other] = wonA ? [a, b] : [b, a]

    clock = T0 + LEASE_MS - 1
    expect(await other.claimExpired(10)).toEqual([])
    // The winner renews while it works: the lease moves on from the injected now.
    expect(await winner.renew(tick)).toBe(true)
    clock = T0 + 2 * LEASE_MS - 2
    expect(await other.claimExpired(10)).toEqual([])

    // The winner stops renewing (it died); once its lease has passed, the other takes the tick over.
    clock = T0 + 2 * LEASE_MS
    expect(await other.claimExpired(10)).toEqual([
      {
        flowId: 'reminders',
        tickAt: tick.tickAt,
        hash: 'h1',
        owner: other.owner,
        leaseUntil: new Date(clock + LEASE_MS).toISOString(),
      },
    ])
    expect(await winner.settle(tick, { status: 'fired', runId: 'late' })).toBe(false)
    expect(await winner.renew(tick)).toBe(false)
    expect(await other.settle(tick, { status: 'fired', runId: 'run-1' })).toBe(true)
    const row = await pools[0]!.$client.query('SELECT status, owner, run_id FROM schedule_ticks')
    expect(row.rows).toEqual([{ status: 'fired', owner: other.owner, run_id: 'run-1' }])
    // A settled tick is nobody's due work any more.
    clock += 10 * LEASE_MS
    expect(await winner.claimExpired(10)).toEqual([])
  })

  it('skips rows another process holds locked instead of waiting for them', async () => {
    const c = pools[0]!.$client
    await c.query(
      `INSERT INTO schedule_ticks (flow_id, tick_at, hash, status, owner, lease_until, updated_at)
       SELECT 'locked', to_char(g, 'FM0000'), 'h', 'claimed', 'dead', '2026-01-01T00:00:00.000Z', 'x' FROM generate_series(1, 4) g`,
    )
    const holder = await c.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(
        "SELECT 1 FROM schedule_ticks WHERE flow_id = 'locked' AND tick_at IN ('0001', '0002') FOR UPDATE",
      )
      const sweeper = createPgTickClaims(pools[1]!, { owner: 'sweeper', now: () => new Date(T0), leaseMs: LEASE_MS })
      // Without SKIP LOCKED this would wait on the holder's transaction and the test would hang.
      const taken = await sweeper.claimExpired(10)
      expect(taken.map((t) => t.tickAt)).toEqual(['0003', '0004'])
    } finally {
      await holder.query('ROLLBACK')
      holder.release()
    }
    await c.query("DELETE FROM schedule_ticks WHERE flow_id = 'locked'")
  })

  it('hands each expired claim to exactly one of three processes sweeping at once', async () => {
    const now = new Date(T0)
    const children = [claimerProcess(url, 'child-1', now), claimerProcess(url, 'child-2', now)]
    await Promise.all(children.map((c) => c.ready))
    await pools[0]!.$client.query(
      `INSERT INTO schedule_ticks (flow_id, tick_at, hash, status, owner, lease_until, updated_at)
       SELECT 'flow-' || (g % 5), '2026-02-01T00:' || to_char(g, 'FM000'), 'h', 'claimed', 'dead', '2026-02-01T00:00:00.000Z', 'x'
       FROM generate_series(1, 150) g`,
    )
    for (const c of children) c.go()
    const inParent = createPgTickClaims(pools[1]!, { owner: 'parent', now: () => now, leaseMs: LEASE_MS })
    const parentTook = (async () => {
      const taken: string[] = []
      for (;;) {
        const batch = await inParent.claimExpired(2)
        if (batch.length === 0) return taken
        taken.push(...batch.map((c) => `${c.flowId}@${c.tickAt}`))
      }
    })()
    const results = await Promise.all([children[0]!.took, children[1]!.took, parentTook])
    const all = results.flat()
    expect(all).toHaveLength(150)
    expect(new Set(all).size).toBe(150)
    const owners = await pools[0]!.$client.query<{ owner: string; n: string }>(
      "SELECT owner, count(*) AS n FROM schedule_ticks WHERE flow_id LIKE 'flow-%' AND owner <> 'dead' GROUP BY owner",
    )
    // What each process says it took is what the table records as its own.
    expect(Object.fromEntries(owners.rows.map((r) => [r.owner, Number(r.n)]))).toEqual(
      Object.fromEntries(
        [
          ['child-1', results[0].length],
          ['child-2', results[1].length],
          ['parent', results[2].length],
        ].filter(([, n]) => n !== 0),
      ),
    )
  })
})
