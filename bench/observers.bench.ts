// What the operations observers cost over HTTP: audited runs per second and server CPU per run
// with the incident and metrics observers (every run batch updates incidents and the metric
// rollups in its transaction) and without them, side by side in one process, rounds alternating
// so a change in the machine's load falls on both. The load generator is http.bench.ts's, in a
// second process. Figures are printed, never asserted.
//   pnpm bench observers                 (BENCH_SECONDS=8 per round, BENCH_ROUNDS=3 by default)
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JsonValue } from '@carepath/dsl'
import { startServer, type RunningServer } from '@carepath/runtime'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'
import { publishThroughReview, startRunsToken } from './published-flow.ts'
import { runLoad as runLoadSpec } from './load-generator.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 10

/** One level of load on one side: its runs started by the shared load generator. */
const runLoad = (url: string, token: string, flowId: string, input: JsonValue, duration: number) =>
  runLoadSpec({ url, path: `/api/flows/${flowId}/runs`, token, connections: CONNECTIONS, duration, input })

/** A server with the intake flow published and an API token that may start runs. */
async function serve(operationsObservers: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-bench-observers-'))
  const server = await startServer({
    port: 0,
    dataDir: dir,
    registry: testRegistry,
    connectors: {},
    timerIntervalMs: 0,
    alertIntervalMs: 0,
    operationsObservers,
    log: (l) => console.error(l),
  })
  const rt = server.runtime
  // The intake flow with a low threshold: every run decides and ends at once (no task).
  const flow = intakeFlow({ min: 100 })
  await publishThroughReview(rt, flow)
  const token = await startRunsToken(rt)
  return { server, token, flowId: flow.id, dir }
}

interface Side {
  name: string
  server: RunningServer
  token: string
  flowId: string
  dir: string
  runs: number
  cpuMs: number
  seconds: number
  p99: number[]
  bad: number
}

async function main(): Promise<void> {
  const input = { score: 1, patient: { name: 'Bench Patient' } }
  const sides: Side[] = []
  for (const [name, on] of [
    ['with observers', true],
    ['without', false],
  ] as const) {
    const s = await serve(on)
    sides.push({ name, ...s, runs: 0, cpuMs: 0, seconds: 0, p99: [], bad: 0 })
  }
  for (const side of sides) await runLoad(side.server.url, side.token, side.flowId, input, 2) // warm-up
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so neither always follows the other.
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const cpu = process.cpuUsage()
      const result = await runLoad(side.server.url, side.token, side.flowId, input, seconds)
      const used = process.cpuUsage(cpu)
      side.runs += result.requests
      side.cpuMs += (used.user + used.system) / 1000
      side.seconds += seconds
      side.p99.push(result.p99)
      side.bad += result.non2xx + result.errors
    }
  }
  console.log(`intake flow, ${CONNECTIONS} connections, ${rounds} rounds × ${seconds} s per side, rounds alternating`)
  console.log(
    'side               runs/s   server CPU ms/run   p99 ms (per round)   non-2xx+errors   incidents/metrics rows',
  )
  for (const side of sides) {
    const rows = side.server.runtime.db.$client.prepare('SELECT count(*) AS n FROM metric_counts').get()
    const n = typeof rows === 'object' && rows !== null ? Reflect.get(rows, 'n') : 0
    console.log(
      `${side.name.padEnd(16)} ${(side.runs / side.seconds).toFixed(0).padStart(8)} ${(side.cpuMs / Math.max(1, side.runs)).toFixed(3).padStart(19)}   ${side.p99.join(' / ').padEnd(18)} ${String(side.bad).padStart(16)}   ${String(n).padStart(22)}`,
    )
  }
  const [on, off] = sides
  if (on && off && on.runs > 0 && off.runs > 0) {
    const rate = on.runs / on.seconds / (off.runs / off.seconds)
    const cpu = on.cpuMs / on.runs / (off.cpuMs / off.runs)
    console.log(
      `with ÷ without: runs/s ×${rate.toFixed(2)}, server CPU per run ×${cpu.toFixed(2)} (load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores)`,
    )
  }
  for (const side of sides) {
    await side.server.close()
    rmSync(side.dir, { recursive: true, force: true })
  }
}

await main()
