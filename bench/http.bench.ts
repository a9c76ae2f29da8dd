// Runs started and completed per second over HTTP (REST, API token) for a flow with three
// decisions, with the event log and the audit trail written durably (SQLite WAL, one transaction
// per run), p50/p99 latency at 1, 10 and 50 connections. The load generator (autocannon) runs
// in a second process against 127.0.0.1. Figures are printed, never asserted.
//   pnpm bench http                       (BENCH_SECONDS=10 per level by default)
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/http.bench.ts   (profile the server)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateFlow, type FlowDocument, type JsonValue, type NodeRegistry } from '@carepath/dsl'
import { registry as catalogRegistry } from '@carepath/catalog'
import { startServer } from '@carepath/runtime'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'

const here = dirname(fileURLToPath(import.meta.url))
const seconds = Number(process.env.BENCH_SECONDS ?? 10)

interface LoadResult {
  /** Server CPU (user + system) per completed run, ms: steadier than runs/s on a shared machine. */
  cpuMsPerRun?: number
  connections: number
  requests: number
  perSecond: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}

/** The part of autocannon's result this benchmark reads. */
interface AutocannonResult {
  requests: { total: number; average: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
}

// ---- second process: the load generator -------------------------------------------------------
async function load(
  url: string,
  token: string,
  flowId: string,
  connections: number,
  duration: number,
  input: JsonValue,
): Promise<void> {
  const specifier = 'autocannon'
  // autocannon ships no types and its result is only read here: the cast names the one call made
  // and AutocannonResult the part of the answer read (a benchmark's own tool, not outside data).
  const { default: autocannon } = (await import(specifier)) as unknown as {
    default: (opts: object) => Promise<AutocannonResult>
  }
  let n = 0
  const prefix = `${connections}-${process.pid}`
  const result = await autocannon({
    url,
    connections,
    duration,
    // flowId '-' measures GET /healthz instead: what this machine's HTTP stack does right now.
    requests:
      flowId === '-'
        ? [{ method: 'GET', path: '/healthz' }]
        : [
            {
              method: 'POST',
              path: `/api/flows/${flowId}/runs`,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              setupRequest: (req: object) => ({
                ...req,
                body: JSON.stringify({ input, idempotencyKey: `${prefix}-${n++}` }),
              }),
            },
          ],
  })
  const out: LoadResult = {
    connections,
    requests: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }
  process.stdout.write(JSON.stringify(out) + '\n')
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
  eligibility: {
    status: 'active',
    planAccepted: true,
    nameMatches: true,
    birthDateMatches: true,
    copay: 20,
    deductibleRemaining: 0,
  },
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

function runLoad(
  url: string,
  token: string,
  flowId: string,
  connections: number,
  duration: number,
  input: JsonValue,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--load',
        url,
        token,
        flowId,
        String(connections),
        String(duration),
        JSON.stringify(input),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += String(d)))
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as LoadResult)
        : reject(new Error(`load generator exited ${code}`)),
    )
  })
}

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
  const { hash } = rt.flows.create(flow, analyst)
  await rt.review.submit(flow.id, analyst)
  rt.review.approve(flow.id, hash, 'bench', reviewer)
  rt.review.publish(flow.id, hash, reviewer)
  const { token } = rt.auth.createApiToken({ username: 'intake-system', name: 'bench', scopes: ['runs:start'] }, system)

  console.log(
    `flow: ${flow.id} (${eligibility ? "the eligibility example's three decision.rules nodes" : `fallback: three test threshold decisions (${chain.why})`}), ${seconds} s per level`,
  )
  await runLoad(server.url, token, flow.id, 10, 2, input) // warm-up
  const calibration = await runLoad(server.url, token, '-', 10, 3, null)
  const results: LoadResult[] = []
  for (const connections of [1, 10, 50]) {
    const cpu = process.cpuUsage()
    const result = await runLoad(server.url, token, flow.id, connections, seconds, input)
    const used = process.cpuUsage(cpu)
    results.push({ ...result, cpuMsPerRun: (used.user + used.system) / 1000 / Math.max(1, result.requests) })
  }

  const counts = rt.db.$client.prepare('SELECT status, count(*) AS n FROM runs GROUP BY status').all() as {
    status: string
    n: number
  }[]
  // A committed batch of a run's events is one row (a JSON array), a lone event a batch of one.
  const { events, rows } = rt.db.$client
    .prepare('SELECT sum(last_seq - first_seq + 1) AS events, count(*) AS rows FROM run_events')
    .get() as { events: number; rows: number }
  const verify = rt.audit.verify()
  console.log('\nconnections   runs/s   p50 ms   p99 ms   requests   non-2xx   errors   server CPU ms/run')
  for (const r of results) {
    console.log(
      `${String(r.connections).padStart(11)} ${r.perSecond.toFixed(0).padStart(8)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.requests).padStart(10)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(8)} ${(r.cpuMsPerRun ?? 0).toFixed(3).padStart(19)}`,
    )
  }
  console.log(
    `calibration: GET /healthz (no work) at 10 connections: ${calibration.perSecond.toFixed(0)} req/s, p99 ${calibration.p99} ms`,
  )
  const [l1, l2] = [results[1], results[2]].map((r) => r?.cpuMsPerRun ?? 0)
  console.log(
    `one core at that CPU cost: ≈ ${(1000 / Math.min(l1 || Infinity, l2 || Infinity)).toFixed(0)} runs/s (load average now ${(await import('node:os')).loadavg()[0]?.toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`,
  )
  console.log(
    `\nstored: ${counts.map((c) => `${c.n} ${c.status}`).join(', ')}; ${events} events in ${rows} rows; audit chain ${verify.ok ? 'intact' : 'BROKEN'} (${verify.checked} records)`,
  )
  const at10 = results.find((r) => r.connections === 10)
  console.log('peers (same machine class, same decision behind a webhook; research/peer-figures.md):')
  console.log('  n8n 1.94 (SQLite, executions saved): 40.5/s, p99 374 ms at 10 connections')
  console.log('  Node-RED 4.1 (function node, persists nothing): 2,430 req/s, p99 12 ms at 10 connections')
  if (at10)
    console.log(
      `  Carepath at 10 connections: ${at10.perSecond.toFixed(0)} audited runs/s (${(at10.perSecond / 40.5).toFixed(0)}× n8n), p99 ${at10.p99} ms; target ≥ 1,500/s, p99 ≤ 25 ms`,
    )
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}

if (process.argv[2] === '--load') {
  const [, , , url, token, flowId, connections, duration, input] = process.argv
  await load(url!, token!, flowId!, Number(connections), Number(duration), JSON.parse(input!) as JsonValue)
} else {
  await main()
}
