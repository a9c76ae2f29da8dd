// A separate process taking over expired schedule-tick claims, for pg-tick-claims.pg.test.ts:
// `tsx tick-claimer.child.ts URL OWNER NOW_ISO` connects, prints `ready`, waits for a line on
// stdin (so every process starts sweeping together), sweeps a few at a time until none is left and
// prints what it took as one JSON array. The clock is the test's (NOW_ISO), never the wall's.
import { openPg } from '../db/open-pg.ts'
import { createPgTickClaims, type TickClaim } from '../schedules/pg-tick-claims.ts'

const [url, owner, nowIso] = process.argv.slice(2)
if (!url || !owner || !nowIso) throw new Error('usage: tick-claimer.child.ts URL OWNER NOW_ISO')
const db = await openPg(url, { migrate: false, max: 2 })
const claims = createPgTickClaims(db, { owner, now: () => new Date(nowIso), leaseMs: 60_000 })
process.stdout.write('ready\n')
await new Promise((resolve) => process.stdin.once('data', resolve))
const taken: TickClaim[] = []
for (;;) {
  const batch = await claims.claimExpired(3)
  if (batch.length === 0) break
  taken.push(...batch)
}
await db.$client.end()
process.stdin.destroy()
process.stdout.write(JSON.stringify(taken.map((c) => `${c.flowId}@${c.tickAt}`)) + '\n')
