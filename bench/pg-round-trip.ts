// What one PostgreSQL round trip costs on this machine, with nothing else to do: a prepared
// statement that reads one value, sent and answered again and again on one connection, over a few
// rounds. The CPU of this process (node-postgres, the socket) and of the server process that
// answers it are read apart. Each statement a run start sends costs at least this much, whatever
// it does: the floor under PostgreSQL's CPU per run that no statement's content can lower.
import pg from 'pg'
import { connectionConfig } from '../apps/runtime/src/db/open-pg.ts'
import { processCpuMs } from './process-cpu.ts'

export interface RoundTripCost {
  /** µs of this process's CPU per round trip. */
  clientUs: number
  /** µs of the answering server process's CPU per round trip (undefined without /proc). */
  serverUs: number | undefined
}

/** Rounds of round trips: the median round, and the lowest and highest totals (µs). */
export interface RoundTrips {
  rounds: number
  median: RoundTripCost
  lowestUs: number
  highestUs: number
}

export const totalUs = (cost: RoundTripCost) => cost.clientUs + (cost.serverUs ?? 0)

/**
 * Rounds on fresh connections: what a round trip costs swings by 2–3× with where the scheduler
 * puts the two processes (one core, or two that must wake each other).
 */
export async function measureRoundTrips(url: string, rounds = 5): Promise<RoundTrips> {
  const costs: RoundTripCost[] = []
  for (let i = 0; i < rounds; i++) costs.push(await measureRoundTrip(url))
  costs.sort((a, b) => totalUs(a) - totalUs(b))
  const [lowest] = costs
  const median = costs[Math.floor(costs.length / 2)]
  const highest = costs[costs.length - 1]
  if (!lowest || !median || !highest) throw new Error('measureRoundTrips needs at least one round')
  return { rounds, median, lowestUs: totalUs(lowest), highestUs: totalUs(highest) }
}

async function measureRoundTrip(url: string, trips = 5_000): Promise<RoundTripCost> {
  const client = new pg.Client(connectionConfig(url))
  await client.connect()
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0
    const trip = (i: number) => client.query({ name: 'round_trip', text: 'SELECT $1::int AS n', values: [i] })
    for (let i = 0; i < 1_000; i++) await trip(i)
    const serverBefore = processCpuMs(pid)
    const clientBefore = process.cpuUsage()
    for (let i = 0; i < trips; i++) await trip(i)
    const used = process.cpuUsage(clientBefore)
    const serverAfter = processCpuMs(pid)
    return {
      clientUs: (used.user + used.system) / trips,
      serverUs:
        serverBefore === undefined || serverAfter === undefined
          ? undefined
          : ((serverAfter - serverBefore) * 1000) / trips,
    }
  } finally {
    await client.end()
  }
}
