// Metrics read from the rollups (metrics-rollup.ts): per flow version, runs started, ended by
// status, in each status now, completion rate, cycle time p50/p90 and outcomes; per human step,
// time to claim and to answer; per connector, calls, error rate, retries and latency p50/p99. Nothing here
// reads a run or its log (only step titles from the flow version), so the cost does not grow with the number of stored runs.
import type { Store } from '../store/store.ts'
import { quantileMs } from './metric-histogram.ts'

type Counts = Map<string, Map<string, number>>
type Histograms = Map<string, Map<number, number>>

/** One flow version's figures. */
export interface FlowVersionMetrics {
  flowId: string
  hash: string
  /** The flow's revision number of this hash, when it is known. */
  revision: number | null
  published: boolean
  started: number
  completed: number
  failed: number
  cancelled: number
  incidents: number
  /** Runs in each status now. */
  now: { running: number; waiting: number; incident: number }
  /** completed ÷ (completed + failed + cancelled), null before any run ended. */
  completionRate: number | null
  cycleMs: { p50: number | null; p90: number | null }
  outcomes: Record<string, number>
  /** Per human step: time from a task opening to a person claiming it, and to its answer. */
  steps: StepMetrics[]
}

/** One human step's waits. */
export interface StepMetrics {
  nodeId: string
  /** The step's title as the flow names it. */
  title: string
  claimed: number
  claimMs: { p50: number | null; p90: number | null }
  answered: number
  answerMs: { p50: number | null; p90: number | null }
}

export interface ConnectorMetrics {
  connector: string
  calls: number
  errors: number
  retries: number
  errorRate: number | null
  latencyMs: { p50: number | null; p99: number | null }
}

export function createMetricsService(
  store: Store,
  options: { stepTitle?: (flowId: string, hash: string, nodeId: string) => string | Promise<string> } = {},
) {
  const stepTitle = options.stepTitle ?? ((_flowId: string, _hash: string, nodeId: string) => nodeId)
  const { sql } = store

  async function counts(scope: string): Promise<Counts> {
    const out: Counts = new Map()
    const rows = await sql.all<{ key: string; name: string; value: number | string }>(
      'SELECT key, name, value FROM metric_counts WHERE scope = ?',
      [scope],
    )
    for (const row of rows) {
      let names = out.get(row.key)
      if (!names) out.set(row.key, (names = new Map()))
      names.set(row.name, Number(row.value))
    }
    return out
  }
  async function histograms(scope: string): Promise<Histograms> {
    const out: Histograms = new Map()
    const rows = await sql.all<{ key: string; bucket: number | string; count: number | string }>(
      'SELECT key, bucket, count FROM metric_histograms WHERE scope = ?',
      [scope],
    )
    for (const row of rows) {
      let buckets = out.get(row.key)
      if (!buckets) out.set(row.key, (buckets = new Map()))
      buckets.set(Number(row.bucket), Number(row.count))
    }
    return out
  }
  /** Each stored version's latest revision number and status (the status of that revision). */
  async function versions(): Promise<Map<string, { revision: number; status: string }>> {
    const rows = await sql.all<{ flow_id: string; hash: string; revision: number | string; status: string }>(
      'SELECT flow_id, hash, revision, status FROM flow_versions ORDER BY flow_id, hash, revision',
    )
    const out = new Map<string, { revision: number; status: string }>()
    // Ascending revisions: the last one of a version is the one kept.
    for (const v of rows) out.set(`${v.flow_id}@${v.hash}`, { revision: Number(v.revision), status: v.status })
    return out
  }
  const total = (h: ReadonlyMap<number, number> | undefined) => [...(h?.values() ?? [])].reduce((a, b) => a + b, 0)

  /** Every flow version that has run, newest revision first within a flow. */
  async function flows(filter: { flowId?: string | undefined } = {}): Promise<FlowVersionMetrics[]> {
    const flow = await counts('flow')
    const now = await counts('flow-now')
    const outcomes = await counts('outcome')
    const cycle = await histograms('cycle')
    const answers = await histograms('task-answer')
    const claims = await histograms('task-claim')
    const known = await versions()
    const keys = new Set([...flow.keys(), ...now.keys()])
    const out: FlowVersionMetrics[] = []
    for (const key of keys) {
      const at = key.lastIndexOf('@')
      const flowId = key.slice(0, at)
      const hash = key.slice(at + 1)
      if (filter.flowId !== undefined && flowId !== filter.flowId) continue
      const c = flow.get(key) ?? new Map<string, number>()
      const n = now.get(key) ?? new Map<string, number>()
      const get = (name: string) => c.get(name) ?? 0
      const ended = get('completed') + get('failed') + get('cancelled')
      const stepIds = [...new Set([...answers.keys(), ...claims.keys()])]
        .filter((k) => k.startsWith(`${key}#`))
        .map((k) => k.slice(key.length + 1))
      const steps: StepMetrics[] = []
      for (const nodeId of stepIds) {
        const answer = answers.get(`${key}#${nodeId}`) ?? new Map<number, number>()
        const claim = claims.get(`${key}#${nodeId}`) ?? new Map<number, number>()
        steps.push({
          nodeId,
          title: await stepTitle(flowId, hash, nodeId),
          claimed: total(claim),
          claimMs: { p50: quantileMs(claim, 0.5), p90: quantileMs(claim, 0.9) },
          answered: total(answer),
          answerMs: { p50: quantileMs(answer, 0.5), p90: quantileMs(answer, 0.9) },
        })
      }
      steps.sort((a, b) => a.nodeId.localeCompare(b.nodeId))
      const version = known.get(key)
      out.push({
        flowId,
        hash,
        revision: version?.revision ?? null,
        published: version?.status === 'published',
        started: get('started'),
        completed: get('completed'),
        failed: get('failed'),
        cancelled: get('cancelled'),
        incidents: get('incidents'),
        now: {
          running: Math.max(0, n.get('running') ?? 0),
          waiting: Math.max(0, n.get('waiting') ?? 0),
          incident: Math.max(0, n.get('incident') ?? 0),
        },
        completionRate: ended > 0 ? get('completed') / ended : null,
        cycleMs: {
          p50: quantileMs(cycle.get(key) ?? new Map(), 0.5),
          p90: quantileMs(cycle.get(key) ?? new Map(), 0.9),
        },
        outcomes: Object.fromEntries([...(outcomes.get(key) ?? new Map<string, number>()).entries()].sort()),
        steps,
      })
    }
    return out.sort((a, b) => a.flowId.localeCompare(b.flowId) || (b.revision ?? 0) - (a.revision ?? 0))
  }

  async function connectors(): Promise<ConnectorMetrics[]> {
    const c = await counts('connector')
    const latency = await histograms('latency')
    return [...c.entries()]
      .map(([connector, names]) => {
        const calls = names.get('calls') ?? 0
        const errors = names.get('errors') ?? 0
        const h = latency.get(connector) ?? new Map<number, number>()
        return {
          connector,
          calls,
          errors,
          retries: names.get('retries') ?? 0,
          errorRate: calls > 0 ? errors / calls : null,
          latencyMs: { p50: quantileMs(h, 0.5), p99: quantileMs(h, 0.99) },
        }
      })
      .sort((a, b) => a.connector.localeCompare(b.connector))
  }

  /**
   * A flow's version against the one before it (before and after a publish): the same figures
   * side by side, and the change in completion rate and cycle time.
   */
  async function compare(flowId: string, base: string, candidate: string) {
    const all = await flows({ flowId })
    const before = all.find((v) => v.hash === base) ?? null
    const after = all.find((v) => v.hash === candidate) ?? null
    const delta = (a: number | null | undefined, b: number | null | undefined) =>
      a === null || a === undefined || b === null || b === undefined ? null : b - a
    return {
      flowId,
      before,
      after,
      change: {
        completionRate: delta(before?.completionRate, after?.completionRate),
        cycleP50Ms: delta(before?.cycleMs.p50, after?.cycleMs.p50),
        cycleP90Ms: delta(before?.cycleMs.p90, after?.cycleMs.p90),
      },
    }
  }

  return { flows, connectors, compare }
}
export type MetricsService = ReturnType<typeof createMetricsService>
