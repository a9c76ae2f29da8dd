// Metrics query time at 100,000 and 1,000,000 stored runs. Runs are written to the runs table and
// through the same rollup observer a live runtime uses (metrics-rollup.ts), in batches of events a
// run really writes (start, a connector call, an end); then the operations screen's reads and a
// Prometheus scrape are timed. Beside them, the naive answer: grouping the runs table itself.
// Figures are printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { RunEvent } from '@carepath/engine'
import { createRuntime } from '../apps/runtime/src/runtime.ts'
import { createMetricsWriter } from '../apps/runtime/src/operations/metrics-rollup.ts'
import { median } from './median.ts'

const SIZES = (process.env.METRICS_BENCH_SIZES ?? '100000,1000000').split(',').map(Number)
const FLOWS = ['eligibility', 'scheduling', 'prior-auth', 'referral', 'lab-routing', 'reminders', 'intake', 'discharge']
const OUTCOMES = ['verified', 'self-pay', 'manual-review', 'booked']
const CONNECTORS = ['fhir', 'payer', 'notify']

/** Seeded, so every run of the bench stores the same runs. */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

async function time(times: number, work: () => unknown): Promise<{ median: number; max: number }> {
  const samples: number[] = []
  for (let i = 0; i < times; i++) {
    const t0 = performance.now()
    await work()
    samples.push(performance.now() - t0)
  }
  return { median: median(samples), max: Math.max(...samples) }
}

async function measure(count: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-metrics-bench-'))
  const runtime = await createRuntime({ dbFile: join(dir, 'carepath.db'), connectors: {} })
  const sql = runtime.db.$client
  const { observer } = createMetricsWriter(runtime.store)
  const insertRun = sql.prepare(
    "INSERT INTO runs (id, flow_id, hash, status, outcome, idempotency_key, started_by, created_at, updated_at, event_count) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?, ?, 6)",
  )
  const random = seeded(count)
  const base = Date.parse('2026-01-01T00:00:00.000Z')
  const t0 = performance.now()
  const write = (from: number, to: number) =>
    runtime.store.transaction(async () => {
      for (let i = from; i < to; i++) {
        const flowId = FLOWS[i % FLOWS.length] as string
        const hash = `v${(i >> 3) % 2 ? 2 : 1}`.padStart(64, '0')
        const started = new Date(base + i * 1000).toISOString()
        const callAt = new Date(base + i * 1000 + 5).toISOString()
        const answerAt = new Date(base + i * 1000 + 5 + Math.floor(random() * 400)).toISOString()
        const endedAt = new Date(base + i * 1000 + Math.floor(random() * random() * 3_600_000)).toISOString()
        const failed = random() < 0.04
        const outcome = OUTCOMES[Math.floor(random() * OUTCOMES.length)] as string
        const connector = CONNECTORS[i % CONNECTORS.length] as string
        const id = `run-${i}`
        const run = { id, flowId, hash }
        insertRun.run(id, flowId, hash, failed ? 'failed' : 'completed', failed ? null : outcome, id, started, endedAt)
        const events: RunEvent[] = [
          { seq: 0, at: started, type: 'run.started', data: { runId: id, flowId, flowHash: hash, input: {} } },
          {
            seq: 1,
            at: callAt,
            type: 'connector.request',
            nodeId: 'call',
            data: { connector, request: {}, attempt: 1 },
          },
        ]
        const actor = { who: 'bench', role: 'system' }
        await observer({ run, events, previous: undefined, status: 'running', startedAt: started, at: callAt, actor })
        const response: RunEvent = failed
          ? {
              seq: 2,
              at: answerAt,
              type: 'connector.response',
              nodeId: 'call',
              data: { connector, attempt: 1, error: 'down', code: 'http-503' },
            }
          : {
              seq: 2,
              at: answerAt,
              type: 'connector.response',
              nodeId: 'call',
              data: { connector, attempt: 1, response: {} },
            }
        const ended: RunEvent = failed
          ? { seq: 3, at: endedAt, type: 'run.ended', data: { status: 'failed', message: 'down' } }
          : { seq: 3, at: endedAt, type: 'run.ended', data: { status: 'completed', outcome } }
        const status = failed ? 'failed' : 'completed'
        await observer({
          run,
          events: [response, ended],
          previous: 'running',
          status,
          startedAt: started,
          at: endedAt,
          actor,
        })
      }
    })
  for (let from = 0; from < count; from += 10_000) await write(from, Math.min(count, from + 10_000))
  const seedSeconds = (performance.now() - t0) / 1000

  const stored = (sql.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n
  const flows = await time(20, () => runtime.metrics.flows())
  const connectors = await time(20, () => runtime.metrics.connectors())
  const scrape = { median: 0, max: 0 }
  const samples: number[] = []
  for (let i = 0; i < 20; i++) {
    const s = performance.now()
    await runtime.prometheus.text()
    samples.push(performance.now() - s)
  }
  scrape.median = median(samples)
  scrape.max = Math.max(...samples)
  const naive = await time(3, () =>
    sql.prepare('SELECT flow_id, hash, status, count(*) AS n FROM runs GROUP BY flow_id, hash, status').all(),
  )
  const check = (await runtime.metrics.flows())[0]
  console.log(
    `${stored.toLocaleString('en-US')} stored runs (written with their rollups in ${seedSeconds.toFixed(1)} s):`,
  )
  console.log(
    `  metrics per flow version (counts, completion rate, cycle p50/p90, outcomes): median ${flows.median.toFixed(2)} ms, max ${flows.max.toFixed(2)} ms`,
  )
  console.log(
    `  metrics per connector (calls, error rate, latency p50/p99):                 median ${connectors.median.toFixed(2)} ms, max ${connectors.max.toFixed(2)} ms`,
  )
  console.log(
    `  GET /metrics (Prometheus text):                                             median ${scrape.median.toFixed(2)} ms, max ${scrape.max.toFixed(2)} ms`,
  )
  console.log(
    `  for contrast, counting by status over the runs table itself:               median ${naive.median.toFixed(1)} ms`,
  )
  console.log(
    `  e.g. ${check?.flowId}, one version: ${check?.started} started, completion ${((check?.completionRate ?? 0) * 100).toFixed(1)}%, cycle p50 ${check?.cycleMs.p50} ms, p90 ${check?.cycleMs.p90} ms`,
  )
  await runtime.close()
  rmSync(dir, { recursive: true, force: true })
}

for (const size of SIZES) await measure(size)
