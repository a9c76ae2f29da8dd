// What one PostgreSQL round trip costs on this machine, with nothing else to do: a prepared
// statement that reads one value, sent and answered again and again on one connection. The CPU of
// this process (node-postgres, the socket) and of the server process that answers it are read
// apart. Each statement a run start sends costs at least this much, whatever it does: the floor
// under PostgreSQL's CPU per run that no statement's content can lower.
import pg from 'pg'
import { readFileSync } from 'node:fs'
import { connectionConfig } from '../apps/runtime/src/db/open-pg.ts'

export interface RoundTripCost {
  /** µs of this process's CPU per round trip. */
  clientUs: number
  /** µs of the answering server process's CPU per round trip (undefined without /proc). */
  serverUs: number | undefined
}

/** A process's user + system CPU in ms, from /proc (Linux), or undefined elsewhere. */
function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command name, in clock ticks (100/s).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return undefined
  }
}

export async function measureRoundTrip(url: string, trips = 10_000): Promise<RoundTripCost> {
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
