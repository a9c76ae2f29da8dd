// Runs started and completed per second over HTTP (REST, API token) for a flow with three
// decisions, with the event log and the audit trail written durably (SQLite WAL, group commit),
// beside Node-RED 4 (started from the registry's package in a child process, its function node
// making the same three decisions and storing nothing), at 1 and 10 connections, in one table:
// runs/s, p99, server CPU per run and bytes stored per run, each against its goal and as a ratio
// to Node-RED, with the load average they were taken at. A second Node-RED flow makes the same
// decisions and stores one row per request in SQLite before answering: its column says what the
// least storage costs the peer, beside what Carepath stores (the run, its events, its audit record). The load generator (autocannon) runs in
// another process against 127.0.0.1. Figures are printed, never asserted.
//   pnpm bench http                       (BENCH_SECONDS=10 per level by default)
//   BENCH_PROFILE=1 pnpm bench http       (adds, per level, where the server's CPU went;
//                                          BENCH_PROFILE=<dir> also writes each level's .cpuprofile there)
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateFlow, type FlowDocument, type JsonValue, type NodeRegistry } from '@carepath/dsl'
import { registry as catalogRegistry } from '@carepath/catalog'
import { startServer, type Runtime } from '@carepath/runtime'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'
import { profiled } from './cpu-profile.ts'
import { loadAverage } from './load.ts'
import { runLoad, type LoadResult as GeneratedLoad, type LoadSpec } from './load-generator.ts'
import { childCpuMs, NODE_RED_PATH, NODE_RED_STORING_PATH, peerStorage, startNodeRed } from './node-red-peer.ts'
import { publishThroughReview, startRunsToken } from './published-flow.ts'

const here = dirname(fileURLToPath(import.meta.url))
const seconds = Number(process.env.BENCH_SECONDS ?? 10)

interface LoadResult extends GeneratedLoad {
  /** Server CPU (user + system) per completed run, ms: steadier than runs/s on a shared machine. */
  cpuMsPerRun?: number
  /** The system part of it (the WAL's page writes, the sockets), ms per run. */
  systemMsPerRun?: number
  /** Bytes the process wrote per run: SQLite's WAL frames (a whole page each) and its checkpoints. */
  writtenPerRun?: number
}

/**
 * Bytes this process has written so far (`wchar` of /proc/self/io: to files and sockets alike, the
 * WAL checkpointer's thread included), or undefined where there is no /proc.
 */
function bytesWritten(): number | undefined {
  try {
    const wchar = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))
    return wchar ? Number(wchar[1]) : undefined
  } catch {
    return undefined
  }
}

// ---- first process: the server and the report -----------------------------------------------
/**
 * The eligibility example's three rules decisions on its main path (has-insurance,
 * plan-accepted, cost-check) in a row, fed the payer's answer as input: the decisions the peers
 * ran behind a webhook. Ports that lead elsewhere than an end are rewired to the next decision.
 */
function eligibilityChain(): { flow?: FlowDocument; why?: string } {
  const example = JSON.parse(
    readFileSync(join(here, '..', 'examples', 'eligibility-verification.flow.json'), 'utf8'),
  ) as FlowDocument
  const chain = ['has-insurance', 'plan-accepted', 'cost-check']
  const nodes: FlowDocument['nodes'] = {}
  for (const [id, node] of Object.entries(example.nodes)) if (node.type === 'end') nodes[id] = node
  const trigger = example.nodes[example.start]
  if (!trigger) return { why: 'the example has no start node' }
  nodes[example.start] = {
    ...trigger,
    next: Object.fromEntries(Object.keys(trigger.next ?? {}).map((port) => [port, chain[0]!])),
  }
  for (const [i, id] of chain.entries()) {
    const node = example.nodes[id]
    if (!node) return { why: `the example has no node "${id}"` }
    const next = Object.fromEntries(
      Object.entries(node.next ?? {}).map(([port, to]) => [port, nodes[to] ? to : (chain[i + 1] ?? 'verified')]),
    )
    nodes[id] = { ...node, next }
  }
  // Ends no kept port leads to would be unreachable: leave them out.
  const reached = new Set(Object.values(nodes).flatMap((n) => Object.values(n.next ?? {})))
  for (const [id, node] of Object.entries(nodes)) if (node.type === 'end' && !reached.has(id)) delete nodes[id]
  const result = validateFlow({ ...example, id: 'bench-eligibility', nodes, layout: {} }, catalogRegistry)
  return result.valid ? { flow: result.document } : { why: result.problems.map((p) => p.message).join('; ') }
}

const eligibilityInput: JsonValue = {
  appointment: { id: 'SCH-1', date: '2026-12-01', visitType: 'follow-up' },
  patient: { mrn: 'MRN-1', firstName: 'Bench', lastName: 'Patient', birthDate: '1963-05-19' },
  coverage: { payerId: '842610001', memberId: '123456789', planName: 'GOLD 123' },
  eligibility: { status: 'active', active: true, plan: 'GOLD 123 PLAN', copay: 20, deductibleRemaining: 0 },
}

/** Fallback when the catalog lacks decision.rules: the test registry's threshold decisions, three in a row. */
function thresholdChain(): FlowDocument {
  const doc = intakeFlow()
  return {
    ...doc,
    id: 'bench-thresholds',
    nodes: {
      start: { type: 'test.start', typeVersion: 1, config: {}, next: { default: 'd1' } },
      d1: {
        type: 'test.threshold',
        typeVersion: 1,
        config: { fact: 'score', min: 1 },
        next: { high: 'd2', low: 'fast' },
      },
      d2: {
        type: 'test.threshold',
        typeVersion: 1,
        config: { fact: 'score', min: 2 },
        next: { high: 'd3', low: 'fast' },
      },
      d3: {
        type: 'test.threshold',
        typeVersion: 1,
        config: { fact: 'score', min: 3 },
        next: { high: 'approved', low: 'fast' },
      },
      approved: { type: 'test.end', typeVersion: 1, config: { outcome: 'approved' }, next: {} },
      fast: { type: 'test.end', typeVersion: 1, config: { outcome: 'fast-track' }, next: {} },
    },
  }
}

/** The database's bytes on disk (file + WAL), after copying the WAL in and truncating it. */
function storedBytes(sql: Runtime['db']['$client']): number {
  sql.pragma('wal_checkpoint(TRUNCATE)')
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0)
  return size(sql.name) + size(`${sql.name}-wal`)
}

/** Bytes per table and index (SQLite's dbstat), largest first: where a run's bytes go. */
function bytesByTable(sql: Runtime['db']['$client']): { name: string; bytes: number }[] {
  try {
    return sql
      .prepare<[], { name: string; bytes: number }>(
        'SELECT name, sum(pgsize - unused) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC',
      )
      .all()
  } catch {
    return [] // dbstat not compiled in
  }
}

/** The stages of one run start on the server, by the function that does each (inclusive time). */
// The stages of a run start through the run-start lane (http/run-start-lane.ts), matched against
// "function file:line" of each frame, inclusive.
const STAGES = [
  'parserOnIncoming',
  'authenticate auth.service.ts',
  'startFresh run-start.ts',
  'whole sqlite-executor.ts',
  'sealBatch run-event-log.ts',
  'appendSteps audit-recorder.ts',
  'end node:_http_outgoing',
  'Socket._writev',
  '(garbage collector)',
]

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits))

async function main(): Promise<void> {
  const chain = eligibilityChain()
  const eligibility = chain.flow
  const flow = eligibility ?? thresholdChain()
  const registry: NodeRegistry = eligibility ? catalogRegistry : testRegistry
  const input = eligibility ? eligibilityInput : { score: 9, patient: { name: 'Bench Patient' } }
  const dir = mkdtempSync(join(tmpdir(), 'carepath-bench-'))
  const server = await startServer({
    port: 0,
    dataDir: dir,
    registry,
    connectors: {},
    timerIntervalMs: 0,
    log: (l) => console.error(l),
  })
  const rt = server.runtime
  await publishThroughReview(rt, flow)
  const token = await startRunsToken(rt)
  const peer = await startNodeRed()

  console.log(
    `flow: ${flow.id} (${eligibility ? "the eligibility example's three decision.rules nodes" : `fallback: three test threshold decisions (${chain.why})`}), ${seconds} s per level; peer: Node-RED ${peer.version} (http in → function → http response, stores nothing; and the same storing a row)`,
  )
  const carepath = (connections: number, duration = seconds): LoadSpec => ({
    url: server.url,
    path: `/api/flows/${flow.id}/runs`,
    token,
    connections,
    duration,
    input,
  })
  const nodeRed = (connections: number, duration = seconds): LoadSpec => ({
    url: peer.url,
    path: NODE_RED_PATH,
    connections,
    duration,
    input,
  })
  const nodeRedStoring = (connections: number, duration = seconds): LoadSpec => ({
    ...nodeRed(connections, duration),
    path: NODE_RED_STORING_PATH,
  })
  /** A level of load on the peer, with its CPU per request. */
  const onPeer = async (spec: LoadSpec): Promise<LoadResult> => {
    const before = childCpuMs(peer.process)
    const result = await runLoad(spec)
    const after = childCpuMs(peer.process)
    return {
      ...result,
      ...(before !== undefined && after !== undefined
        ? { cpuMsPerRun: (after - before) / Math.max(1, result.requests) }
        : {}),
    }
  }
  await runLoad(carepath(10, 2)) // warm-up
  await runLoad(nodeRed(10, 2))
  await runLoad(nodeRedStoring(10, 2))
  const calibration = await runLoad({ ...carepath(10, 3), path: '/healthz' })
  const sql = rt.db.$client
  const runCount = () => sql.prepare<[], { n: number }>('SELECT count(*) AS n FROM runs').get()?.n ?? 0
  const bytesBefore = storedBytes(sql)
  const runsBefore = runCount()
  const levels = [1, 10]
  const ours: LoadResult[] = []
  const theirs: LoadResult[] = []
  const theirsStoring: LoadResult[] = []
  const peerBefore = peerStorage(peer)
  // Levels alternate between the two, so a change in the machine's load touches both alike.
  const profiles: string[] = []
  for (const connections of levels) {
    const written = bytesWritten()
    const cpu = process.cpuUsage()
    const { result, summary } = await profiled(`http-c${connections}`, STAGES, () => runLoad(carepath(connections)))
    const used = process.cpuUsage(cpu)
    if (summary.length > 0) profiles.push(`  ${connections} connection(s), where the server's CPU went:`, ...summary)
    const runs = Math.max(1, result.requests)
    ours.push({
      ...result,
      cpuMsPerRun: (used.user + used.system) / 1000 / runs,
      systemMsPerRun: used.system / 1000 / runs,
      ...(written !== undefined ? { writtenPerRun: ((bytesWritten() ?? written) - written) / runs } : {}),
    })
    theirs.push(await onPeer(nodeRed(connections)))
    theirsStoring.push(await onPeer(nodeRedStoring(connections)))
  }
  const peerAfter = peerStorage(peer)
  const peerBytesPerRow = (peerAfter.bytes - peerBefore.bytes) / Math.max(1, peerAfter.rows - peerBefore.rows)
  const runs = runCount() - runsBefore
  const bytesPerRun = (storedBytes(sql) - bytesBefore) / Math.max(1, runs)
  const load = loadAverage()

  const counts = sql
    .prepare<[], { status: string; n: number }>('SELECT status, count(*) AS n FROM runs GROUP BY status')
    .all()
  // A committed batch of a run's events is one row (a JSON array), a lone event a batch of one.
  const { events, rows } = sql
    .prepare<[], { events: number; rows: number }>(
      'SELECT sum(last_seq - first_seq + 1) AS events, count(*) AS rows FROM run_events',
    )
    .get() ?? { events: 0, rows: 0 }
  const verify = await rt.audit.verify()

  const [c1, c10] = ours
  const [n1, n10] = theirs
  const [s1, s10] = theirsStoring
  // Met: one answer per goal of the row (a row with two goals says each: "yes / NO").
  type Met = boolean | boolean[] | undefined
  type Row = [string, number | undefined, number | undefined, number | undefined, string, Met, number]
  const table: Row[] = [
    // figure, Carepath, Node-RED, Node-RED storing a row, goal, met, digits
    [
      'runs/s, 1 connection',
      c1?.perSecond,
      n1?.perSecond,
      s1?.perSecond,
      '≥ Node-RED',
      c1 && n1 && c1.perSecond >= n1.perSecond,
      0,
    ],
    [
      'runs/s, 10 connections',
      c10?.perSecond,
      n10?.perSecond,
      s10?.perSecond,
      '≥ 1,500 / ≥ Node-RED',
      c10 && n10 && [c10.perSecond >= 1500, c10.perSecond >= n10.perSecond],
      0,
    ],
    ['p99 ms, 1 connection', c1?.p99, n1?.p99, s1?.p99, '–', undefined, 0],
    ['p99 ms, 10 connections', c10?.p99, n10?.p99, s10?.p99, '≤ 25', c10 && c10.p99 <= 25, 0],
    [
      'CPU ms per run, 1 connection',
      c1?.cpuMsPerRun,
      n1?.cpuMsPerRun,
      s1?.cpuMsPerRun,
      '≤ 0.6',
      c1 && (c1.cpuMsPerRun ?? 9) <= 0.6,
      3,
    ],
    [
      'CPU ms per run, 10 connections',
      c10?.cpuMsPerRun,
      n10?.cpuMsPerRun,
      s10?.cpuMsPerRun,
      '≤ 0.6',
      c10 && (c10.cpuMsPerRun ?? 9) <= 0.6,
      3,
    ],
    ['bytes stored per run', bytesPerRun, undefined, peerBytesPerRow, '≤ 2,048', bytesPerRun <= 2048, 0],
  ]
  console.log(`\nload average ${load} (1 / 5 / 15 min) on ${cpus().length} cores`)
  console.log(
    `${'figure'.padEnd(32)}${'Carepath'.padStart(10)}${'Node-RED'.padStart(10)}${'ratio'.padStart(8)}${'+ a row'.padStart(10)}${'ratio'.padStart(8)}  ${'goal'.padEnd(24)}met`,
  )
  const metText = (met: Met) =>
    met === undefined ? '' : (Array.isArray(met) ? met : [met]).map((m) => (m ? 'yes' : 'NO')).join(' / ')
  const ratioText = (mine: number | undefined, peerValue: number | undefined) =>
    mine !== undefined && peerValue ? `${(mine / peerValue).toFixed(2)}×` : '–'
  for (const [name, mine, peerValue, storingValue, goal, met, digits] of table) {
    console.log(
      `${name.padEnd(32)}${fmt(mine, digits).padStart(10)}${fmt(peerValue, digits).padStart(10)}${ratioText(mine, peerValue).padStart(8)}${fmt(storingValue, digits).padStart(10)}${ratioText(mine, storingValue).padStart(8)}  ${goal.padEnd(24)}${metText(met)}`,
    )
  }
  console.log(
    `"+ a row": Node-RED's flow that also stores the request's input and outcome under its idempotency key in SQLite (WAL, synchronous NORMAL), one commit per request, before it answers; the goals are held against the first Node-RED column`,
  )
  const failed = [...ours, ...theirs, ...theirsStoring].filter((r) => r.non2xx + r.errors > 0)
  if (failed.length > 0)
    console.log(`WARNING: failed requests: ${failed.map((r) => `${r.non2xx} non-2xx, ${r.errors} errors`).join('; ')}`)
  console.log(
    `Carepath's CPU per run in the system (the commit's page writes, the sockets): ${ours
      .map((r, i) => `${fmt(r.systemMsPerRun, 3)} ms at ${levels[i]}`)
      .join(', ')}; bytes written per run (WAL pages, checkpoints, responses): ${ours
      .map((r, i) => `${fmt(r.writtenPerRun)} at ${levels[i]}`)
      .join(', ')}`,
  )
  // At one connection the server sleeps between requests, and wakes to each on cold caches: the
  // peer pays that too, so its own rise from 10 connections to 1 says what the 1-connection goal asks.
  const rise = (one?: LoadResult, ten?: LoadResult) =>
    one?.cpuMsPerRun !== undefined && ten?.cpuMsPerRun ? one.cpuMsPerRun / ten.cpuMsPerRun : undefined
  const peerRise = rise(n1, n10)
  if (peerRise !== undefined)
    console.log(
      `CPU per run from 10 connections to 1: Node-RED ×${fmt(peerRise, 2)}, Carepath ×${fmt(rise(c1, c10), 2)}; at Node-RED's rise, ≤ 0.6 ms at one connection asks ≤ ${fmt(0.6 / peerRise, 3)} ms at ten`,
    )
  console.log(
    `calibration: GET /healthz (no work) at 10 connections: ${calibration.perSecond.toFixed(0)} req/s, p99 ${calibration.p99} ms`,
  )
  console.log(
    `stored: ${counts.map((c) => `${c.n} ${c.status}`).join(', ')}; ${events} events in ${rows} rows; audit chain ${verify.ok ? 'intact' : 'BROKEN'} (${verify.checked} records)`,
  )
  console.log(
    `bytes by table and index (all runs): ${bytesByTable(sql)
      .slice(0, 8)
      .map((t) => `${t.name} ${(t.bytes / Math.max(1, runCount())).toFixed(0)}/run`)
      .join(', ')}`,
  )
  for (const line of profiles) console.log(line)
  await peer.stop()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}

await main()
