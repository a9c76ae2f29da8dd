// HL7 v2 intake over MLLP: messages per second from two third-party MLLP clients into started,
// audited runs of the ADT registration example flow (stored, sealed and fsynced before each ACK),
// pipelined on one connection and spread over 10 connections, plus refused messages (AR, no flow
// takes them), beside the HTTP path's runs/s in the same sitting. Clients run in a second process.
//   pnpm bench hl7                        (BENCH_MESSAGES=3000 per level by default)
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/hl7.bench.ts   (profile the server)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { registry } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { startRuntimeHl7Listener } from '../apps/runtime/src/integrations/index.ts'
import { loadAverage } from './load.ts'

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
      // Its codec joins ACKs that arrive in one read into one text: count their MSA segments.
      connection.on('data.raw', (text: string) => {
        const codes = text.match(/(?:^|\r)MSA\|A[AER]/g) ?? []
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

/** The HTTP path in the same sitting: http.bench.ts's load generator (autocannon), 10 connections. */
function httpRunsPerSecond(url: string, token: string, flowId: string, raw: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'http.bench.ts'),
        '--load',
        url,
        token,
        flowId,
        '10',
        '5',
        JSON.stringify({ inbound: { raw, via: 'http' } }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += String(d)))
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited ${code}`))
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { perSecond: number; non2xx: number }
      resolve(result.non2xx > 0 ? 0 : result.perSecond)
    })
  })
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
  const system = { who: 'bench', role: 'system' }
  const principal = async (username: string, role: 'analyst' | 'reviewer' | 'agent') => {
    const u = await rt.auth.addUser(
      { username, password: 'bench password 123', role, flowRoles: role === 'agent' ? ['*'] : [] },
      system,
    )
    return { userId: u.id, username, role, flowRoles: role === 'agent' ? ['*'] : [] }
  }
  const analyst = await principal('analyst', 'analyst')
  const reviewer = await principal('reviewer', 'reviewer')
  await principal('intake-system', 'agent')
  const flow = JSON.parse(
    readFileSync(join(here, '..', 'examples', 'hl7-entry', 'adt-registration-hl7.flow.json'), 'utf8'),
  ) as FlowDocument
  const { hash } = rt.flows.create(flow, analyst)
  await rt.review.submit(flow.id, analyst)
  rt.review.approve(flow.id, hash, 'bench', reviewer)
  rt.review.publish(flow.id, hash, reviewer)
  const listener = await startRuntimeHl7Listener(rt, { port: 0, dataDir: dir })

  const levels: Level[] = [
    { client: 'node-hl7-client', connections: 1, pipelined: true, kind: 'accepted' },
    { client: 'node-hl7-client', connections: 10, pipelined: true, kind: 'accepted' },
    { client: 'simple-hl7', connections: 1, pipelined: false, kind: 'accepted' },
    { client: 'simple-hl7', connections: 10, pipelined: false, kind: 'accepted' },
    { client: 'node-hl7-client', connections: 1, pipelined: true, kind: 'refused' },
    { client: 'node-hl7-client', connections: 10, pipelined: true, kind: 'refused' },
  ]
  console.log(`flow: ${flow.id} (ADT^A04 → started, audited runs); ${messages} messages per level`)
  await runClients(listener.port, { ...levels[1]!, connections: 10 }, 'warm') // warm-up
  console.log('\nclient            connections  mode         messages   msg/s   accepted  p99 ms  server CPU ms/msg')
  const rows: { level: Level; result: LevelResult; cpuMs: number }[] = []
  for (const [i, level] of levels.entries()) {
    const cpu = process.cpuUsage()
    const result = await runClients(listener.port, level, `L${i}-`)
    const used = process.cpuUsage(cpu)
    const cpuMs = (used.user + used.system) / 1000 / Math.max(1, result.acks)
    rows.push({ level, result, cpuMs })
    const mode = `${level.pipelined ? 'pipelined' : 'sequential'}${level.kind === 'refused' ? ' AR' : ''}`
    console.log(
      `${level.client.padEnd(17)} ${String(level.connections).padStart(11)}  ${mode.padEnd(12)} ${String(result.acks).padStart(8)} ${(result.acks / result.seconds).toFixed(0).padStart(7)} ${String(result.accepted).padStart(10)} ${(result.p99 ?? 0).toFixed(1).padStart(7)} ${cpuMs.toFixed(3).padStart(18)}`,
    )
  }
  const { token } = await rt.auth.createApiToken(
    { username: 'intake-system', name: 'bench', scopes: ['runs:start'] },
    system,
  )
  const http = await httpRunsPerSecond(server.url, token, flow.id, template)
  const best = (connections: number) =>
    Math.max(
      ...rows
        .filter((r) => r.level.connections === connections && r.level.kind === 'accepted' && r.level.pipelined)
        .map((r) => r.result.acks / r.result.seconds),
    )
  console.log(
    `\nHL7 over MLLP, pipelined: ${best(1).toFixed(0)} msg/s on 1 connection, ${best(10).toFixed(0)} msg/s on 10 (goal ≥ 1,000 each)`,
  )
  console.log(`HTTP path, same flow, same sitting: ${http.toFixed(0)} runs/s at 10 connections (REST, API token)`)
  const runs = rt.db.$client.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }
  const verify = rt.audit.verify()
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
  process.stdout.write(`${JSON.stringify(await run(Number(port), parsed, prefix ?? ''))}\n`)
  process.exit(0)
} else {
  await main()
}
