// HL7 v2 intake over MLLP: messages per second from two third-party MLLP clients into started,
// audited runs of the ADT registration example flow (stored, sealed and fsynced before each ACK),
// pipelined on one connection and spread over 10 connections, plus refused messages (AR, no flow
// takes them), beside the HTTP path's runs/s in the same sitting. Clients run in a second process.
//   pnpm bench hl7                        (BENCH_MESSAGES=3000 per level by default)
//   BENCH_PROFILE=1 pnpm bench hl7        (adds, per level, where the server's CPU went;
//                                          BENCH_PROFILE=<dir> also writes each level's .cpuprofile there)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { registry } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { startRuntimeHl7Listener } from '../apps/runtime/src/integrations/index.ts'
import { profiled } from './cpu-profile.ts'
import { loadAverage } from './load.ts'
import { runLoad } from './load-generator.ts'
import { publishThroughReview, startRunsToken } from './published-flow.ts'

const here = dirname(fileURLToPath(import.meta.url))
const messages = Number(process.env.BENCH_MESSAGES ?? 3000)
const template = readFileSync(join(here, '..', 'examples', 'samples', 'hl7', 'simplehl7_adt.hl7'), 'utf8')
  .trim()
  .replace(/\r?\n/g, '\r')

type Client = 'node-hl7-client' | 'simple-hl7'
interface Level {
  client: Client
  connections: number
  pipelined: boolean
  /** `refused`: a message type no flow takes (answered AR, kept as a dead letter). */
  kind: 'accepted' | 'refused'
}
interface LevelResult {
  acks: number
  accepted: number
  seconds: number
  /** ms per message at the client: time from send to its ACK (sequential clients only). */
  p99?: number
  /** The client process's own CPU per message, ms: on 2 cores it competes with the server. */
  clientCpuMs?: number
}

/** Message `n` of a run of the bench: a unique control id (MSH-10) per message and per level. */
function message(prefix: string, n: number, kind: Level['kind']): string {
  const controlled = template.replace('|1817457|', `|${prefix}${n}|`)
  return kind === 'accepted' ? controlled : controlled.replace('ADT^A04', 'VXU^V04')
}

// ---- second process: the clients -------------------------------------------------------------
/** node-hl7-client with waitAck off: every message written at once, ACKs counted as they come. */
async function nodeHl7Client(port: number, level: Level, prefix: string): Promise<LevelResult> {
  const { Client } = await import('node-hl7-client')
  const perConnection = Math.ceil(messages / level.connections)
  const client = new Client({ host: '127.0.0.1' })
  const started = performance.now()
  let acks = 0
  let accepted = 0
  await new Promise<void>((resolve) => {
    for (let c = 0; c < level.connections; c++) {
      const connection = client.createConnection({ port, waitAck: false, maxLimit: perConnection + 1 }, async () => {})
      // Its codec joins ACKs that arrive in one read into one text, and a read that ends inside a
      // frame cuts that frame's text in two (it hands over whatever it has once an FS and a CR
      // arrived): count MSA segments over the join of the last 5 characters and the new text, so
      // an "MSA|AA" cut in two is counted once, and none twice (it is 6 characters long).
      let carry = ''
      connection.on('data.raw', (text: string) => {
        const joined = carry + text
        carry = joined.slice(-5)
        const codes = joined.match(/MSA\|A[AER]/g) ?? []
        acks += codes.length
        accepted += codes.filter((c) => c.endsWith('AA')).length
        if (acks >= perConnection * level.connections) resolve()
      })
      connection.on('connect', () => {
        for (let i = 0; i < perConnection; i++)
          void connection.sendMessage(message(`${prefix}c${c}-`, i, level.kind) as never)
      })
    }
  })
  const seconds = (performance.now() - started) / 1000
  client.closeAll()
  return { acks, accepted, seconds }
}

/** simple-hl7's TCP client: one message at a time per connection (it waits for each ACK). */
async function simpleHl7(port: number, level: Level, prefix: string): Promise<LevelResult> {
  const { default: hl7 } = await import('simple-hl7')
  const perConnection = Math.ceil(messages / level.connections)
  const latencies: number[] = []
  let accepted = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: level.connections }, async (_, c) => {
      const client = new hl7.Server.createTcpClient({ host: '127.0.0.1', port, keepalive: true })
      for (let i = 0; i < perConnection; i++) {
        const sent = performance.now()
        const ack = await new Promise<{ log(): string }>((resolve, reject) =>
          client.send(message(`${prefix}c${c}-`, i, level.kind), (error, reply) =>
            error ? reject(error) : resolve(reply),
          ),
        )
        latencies.push(performance.now() - sent)
        if (/MSA\|AA/.test(ack.log())) accepted++
      }
      client.close()
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { acks: latencies.length, accepted, seconds, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 }
}

// ---- first process: the server and the report -----------------------------------------------
/** The stages of one message on the server, by the function that does each (inclusive time). */
const STAGES = [
  'onStreamRead',
  'readHl7Header',
  'save hl7-store.ts',
  'acceptingInput hl7-routing.ts',
  'startFresh run-start.ts',
  'parseHl7 ',
  'sqliteTransaction',
  'packBatch',
  'append audit.service.ts',
  'record dead-letters.service.ts',
  'acceptedLater',
  'buildAck',
  'Socket._write',
  '(garbage collector)',
]

function runClients(port: number, level: Level, prefix: string): Promise<LevelResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--load', String(port), JSON.stringify(level), prefix],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += String(d)))
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as LevelResult)
        : reject(new Error(`client process exited ${code}`)),
    )
  })
}

/** The HTTP path in the same sitting: the shared load generator (autocannon) against the REST start. */
function httpRunsPerSecond(
  url: string,
  token: string,
  flowId: string,
  raw: string,
  connections: number,
): Promise<{ perSecond: number; p99: number }> {
  const spec = {
    url,
    path: `/api/flows/${flowId}/runs`,
    token,
    connections,
    duration: 5,
    input: { inbound: { raw, via: 'http' } },
  }
  return runLoad(spec).then((result) => (result.non2xx + result.errors > 0 ? { perSecond: 0, p99: 0 } : result))
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-bench-hl7-'))
  const server = await startServer({
    port: 0,
    dataDir: dir,
    registry,
    connectors: {},
    timerIntervalMs: 0,
    log: () => {},
  })
  const rt = server.runtime
  const flow = JSON.parse(
    readFileSync(join(here, '..', 'examples', 'hl7-entry', 'adt-registration-hl7.flow.json'), 'utf8'),
  ) as FlowDocument
  await publishThroughReview(rt, flow)
  const listener = await startRuntimeHl7Listener(rt, { port: 0, dataDir: dir })

  const levels: Level[] = [
    { client: 'node-hl7-client', connections: 1, pipelined: true, kind: 'accepted' },
    { client: 'node-hl7-client', connections: 10, pipelined: true, kind: 'accepted' },
    { client: 'simple-hl7', connections: 1, pipelined: false, kind: 'accepted' },
    { client: 'simple-hl7', connections: 10, pipelined: false, kind: 'accepted' },
    { client: 'node-hl7-client', connections: 1, pipelined: true, kind: 'refused' },
    { client: 'node-hl7-client', connections: 10, pipelined: true, kind: 'refused' },
  ]
  // BENCH_LEVELS=0,4 runs only those levels (by their index in the list above).
  const only = process.env.BENCH_LEVELS?.split(',').map(Number)
  console.log(`flow: ${flow.id} (ADT^A04 → started, audited runs); ${messages} messages per level`)
  await runClients(listener.port, { ...levels[1]!, connections: 10 }, 'warm') // warm-up
  console.log(
    '\nclient            connections  mode         messages   msg/s   accepted  p99 ms  server CPU ms/msg  client CPU  load (1/5/15 min)',
  )
  const rows: { level: Level; result: LevelResult; cpuMs: number }[] = []
  for (const [i, level] of levels.entries()) {
    if (only && !only.includes(i)) continue
    const cpu = process.cpuUsage()
    const { result, summary } = await profiled('hl7', STAGES, () => runClients(listener.port, level, `L${i}-`))
    const used = process.cpuUsage(cpu)
    const cpuMs = (used.user + used.system) / 1000 / Math.max(1, result.acks)
    rows.push({ level, result, cpuMs })
    const mode = `${level.pipelined ? 'pipelined' : 'sequential'}${level.kind === 'refused' ? ' AR' : ''}`
    console.log(
      `${level.client.padEnd(17)} ${String(level.connections).padStart(11)}  ${mode.padEnd(12)} ${String(result.acks).padStart(8)} ${(result.acks / result.seconds).toFixed(0).padStart(7)} ${String(result.accepted).padStart(10)} ${(result.p99 ?? 0).toFixed(1).padStart(7)} ${cpuMs.toFixed(3).padStart(18)} ${(result.clientCpuMs ?? 0).toFixed(3).padStart(11)}  ${loadAverage()}`,
    )
    for (const line of summary) console.log(line)
  }
  // BENCH_HTTP=0 leaves out the HTTP comparison (a quick look at the MLLP levels alone).
  if (process.env.BENCH_HTTP !== '0') {
    const token = await startRunsToken(rt)
    const http: { connections: number; perSecond: number; p99: number; cpuMs: number }[] = []
    for (const connections of [1, 10]) {
      const cpu = process.cpuUsage()
      const result = await httpRunsPerSecond(server.url, token, flow.id, template, connections)
      const used = process.cpuUsage(cpu)
      const cpuMs = (used.user + used.system) / 1000 / Math.max(1, result.perSecond * 5)
      http.push({ connections, ...result, cpuMs })
    }
    const best = (connections: number) =>
      Math.max(
        ...rows
          .filter((r) => r.level.connections === connections && r.level.kind === 'accepted' && r.level.pipelined)
          .map((r) => r.result.acks / r.result.seconds),
      )
    const httpAt = (connections: number) => http.find((h) => h.connections === connections)
    console.log(`\nsame flow, same sitting, load average ${loadAverage()}:`)
    for (const connections of [1, 10]) {
      const h = httpAt(connections)
      const mllp = best(connections)
      // A level BENCH_LEVELS left out has no MLLP figure to compare.
      if (!Number.isFinite(mllp)) continue
      console.log(
        `  ${String(connections).padStart(2)} connection(s): HL7 over MLLP pipelined ${mllp.toFixed(0)} msg/s (goal ≥ 1,000: ${mllp >= 1000 ? 'met' : 'NOT met'}); HTTP REST start ${h?.perSecond.toFixed(0) ?? '–'} runs/s, p99 ${h?.p99 ?? '–'} ms, ≈ ${h?.cpuMs.toFixed(3) ?? '–'} ms server CPU per run; ratio MLLP/HTTP ${h?.perSecond ? (mllp / h.perSecond).toFixed(2) : '–'}×`,
      )
    }
  }
  const runs = rt.db.$client.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }
  const verify = await rt.audit.verify()
  console.log(
    `stored: ${runs.n} runs; audit chain ${verify.ok ? 'intact' : 'BROKEN'} (${verify.checked} records); load average ${loadAverage()} on ${cpus().length} cores`,
  )
  await listener.close()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}

if (process.argv[2] === '--load') {
  const [, , , port, level, prefix] = process.argv
  const parsed = JSON.parse(level ?? '{}') as Level
  const run = parsed.client === 'simple-hl7' ? simpleHl7 : nodeHl7Client
  const cpu = process.cpuUsage()
  const result = await run(Number(port), parsed, prefix ?? '')
  const used = process.cpuUsage(cpu)
  const clientCpuMs = (used.user + used.system) / 1000 / Math.max(1, result.acks)
  process.stdout.write(`${JSON.stringify({ ...result, clientCpuMs })}\n`)
  process.exit(0)
} else {
  await main()
}
