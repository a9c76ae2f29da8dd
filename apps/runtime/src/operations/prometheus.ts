// `GET /metrics` for outside monitoring, in Prometheus text format (prom-client): the same rollups
// the operations screen reads, collected at each scrape. Flow ids, version hashes, outcomes and
// connector names only: no patient data.
import { Counter, Gauge, Registry } from 'prom-client'
import type { MetricsService } from './metrics.service.ts'

export function createPrometheusRegistry(
  metrics: MetricsService,
  extra: {
    incidentsOpen(): Promise<number>
    deadLettersOpen(): Promise<number>
    /** The inbound listeners: up (1) or down (0), so outside monitoring sees them too. */
    listeners(): { name: string; listening: boolean }[]
  },
) {
  const registry = new Registry()
  const version = ['flow', 'version'] as const
  // Each collector reads the rollups once per scrape (shared by the metrics below, which prom-client
  // may collect at once: the first to ask starts the read, the others await the same one).
  let snapshot:
    | Promise<{
        flows: Awaited<ReturnType<MetricsService['flows']>>
        connectors: Awaited<ReturnType<MetricsService['connectors']>>
      }>
    | undefined
  const read = () =>
    (snapshot ??= (async () => ({ flows: await metrics.flows(), connectors: await metrics.connectors() }))())

  const runs = new Counter({
    name: 'carepath_runs_total',
    help: 'Runs of a flow version by what became of them (started, completed, failed, cancelled).',
    labelNames: [...version, 'status'],
    registers: [registry],
    async collect() {
      const { flows } = await read()
      this.reset()
      for (const f of flows) {
        const labels = { flow: f.flowId, version: f.hash.slice(0, 12) }
        for (const status of ['started', 'completed', 'failed', 'cancelled'] as const)
          this.inc({ ...labels, status }, f[status])
      }
    },
  })
  new Gauge({
    name: 'carepath_runs_active',
    help: 'Runs of a flow version in each status now (running, waiting, incident).',
    labelNames: [...version, 'status'],
    registers: [registry],
    async collect() {
      const { flows } = await read()
      this.reset()
      for (const f of flows)
        for (const [status, n] of Object.entries(f.now))
          this.set({ flow: f.flowId, version: f.hash.slice(0, 12), status }, n)
    },
  })
  new Gauge({
    name: 'carepath_run_cycle_seconds',
    help: 'Cycle time (start to completion) of a flow version, by quantile.',
    labelNames: [...version, 'quantile'],
    registers: [registry],
    async collect() {
      const { flows } = await read()
      this.reset()
      for (const f of flows) {
        const labels = { flow: f.flowId, version: f.hash.slice(0, 12) }
        if (f.cycleMs.p50 !== null) this.set({ ...labels, quantile: '0.5' }, f.cycleMs.p50 / 1000)
        if (f.cycleMs.p90 !== null) this.set({ ...labels, quantile: '0.9' }, f.cycleMs.p90 / 1000)
      }
    },
  })
  new Counter({
    name: 'carepath_connector_calls_total',
    help: 'Connector calls (attempts), and how many failed.',
    labelNames: ['connector', 'result'],
    registers: [registry],
    async collect() {
      const { connectors } = await read()
      this.reset()
      for (const c of connectors) {
        this.inc({ connector: c.connector, result: 'ok' }, c.calls - c.errors)
        this.inc({ connector: c.connector, result: 'error' }, c.errors)
      }
    },
  })
  new Gauge({
    name: 'carepath_connector_latency_seconds',
    help: 'Connector call latency by quantile.',
    labelNames: ['connector', 'quantile'],
    registers: [registry],
    async collect() {
      const { connectors } = await read()
      this.reset()
      for (const c of connectors) {
        if (c.latencyMs.p50 !== null) this.set({ connector: c.connector, quantile: '0.5' }, c.latencyMs.p50 / 1000)
        if (c.latencyMs.p99 !== null) this.set({ connector: c.connector, quantile: '0.99' }, c.latencyMs.p99 / 1000)
      }
    },
  })
  new Gauge({
    name: 'carepath_incidents_open',
    help: 'Runs held at a failed step, waiting for an operator.',
    registers: [registry],
    async collect() {
      this.set(await extra.incidentsOpen())
    },
  })
  new Gauge({
    name: 'carepath_dead_letters_open',
    help: 'Inbound messages that started no run and are not yet reprocessed.',
    registers: [registry],
    async collect() {
      this.set(await extra.deadLettersOpen())
    },
  })
  new Gauge({
    name: 'carepath_human_step_seconds',
    help: 'Per human step of a flow version: time from a task opening to its claim and to its answer, by quantile.',
    labelNames: [...version, 'step', 'wait', 'quantile'],
    registers: [registry],
    async collect() {
      const { flows } = await read()
      this.reset()
      for (const f of flows)
        for (const step of f.steps) {
          const labels = { flow: f.flowId, version: f.hash.slice(0, 12), step: step.nodeId }
          for (const [wait, q] of [
            ['claim', step.claimMs],
            ['answer', step.answerMs],
          ] as const) {
            if (q.p50 !== null) this.set({ ...labels, wait, quantile: '0.5' }, q.p50 / 1000)
            if (q.p90 !== null) this.set({ ...labels, wait, quantile: '0.9' }, q.p90 / 1000)
          }
        }
    },
  })
  new Gauge({
    name: 'carepath_listener_up',
    help: 'An inbound listener (the HL7 MLLP port): 1 while it listens, 0 when it is down.',
    labelNames: ['listener'],
    registers: [registry],
    collect() {
      this.reset()
      for (const l of extra.listeners()) this.set({ listener: l.name }, l.listening ? 1 : 0)
    },
  })
  void runs
  return {
    contentType: registry.contentType,
    async text(): Promise<string> {
      snapshot = undefined
      try {
        return await registry.metrics()
      } finally {
        snapshot = undefined
      }
    },
  }
}
