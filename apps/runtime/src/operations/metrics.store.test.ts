// Metrics read from the rollups, on SQLite and PostgreSQL from one suite: the batches of runs that
// two runtime processes commit (each through its own rollup observer, in its own transactions) are
// counted once each, and read the same at either process, and in the Prometheus text.
import type { RunEvent } from '@carepath/engine'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { flows as flowsTable, flowVersions } from '../db/schema.ts'
import type { RunBatch } from '../runs/runs.service.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createMetricsWriter } from './metrics-rollup.ts'
import { createMetricsService } from './metrics.service.ts'
import { createPrometheusRegistry } from './prometheus.ts'

const V1 = '1'.repeat(64)
const V2 = '2'.repeat(64)
const T0 = Date.parse('2026-12-05T10:00:00.000Z')
const at = (ms: number) => new Date(T0 + ms).toISOString()
const actor = { who: 'test', role: 'system' }

/** The batches of one run that starts, calls a connector, waits for a person and completes. */
function runBatches(runId: string, hash: string, options: { cycleMs: number; fail?: boolean }): RunBatch[] {
  const run = { id: runId, flowId: 'intake', hash }
  const ev = <T extends RunEvent['type']>(seq: number, ms: number, type: T, data: unknown, nodeId?: string) =>
    ({ seq, at: at(ms), type, data, ...(nodeId ? { nodeId } : {}) }) as RunEvent
  const response = options.fail
    ? { connector: 'fhir', attempt: 1, error: 'timeout', code: 'timeout' }
    : { connector: 'fhir', attempt: 1, response: {} }
  return [
    {
      run,
      events: [
        ev(0, 0, 'run.started', { runId, flowId: 'intake', flowHash: hash, input: {} }),
        ev(1, 0, 'connector.request', { connector: 'fhir', request: {}, attempt: 1 }, 'lookup'),
        ev(2, 40, 'connector.response', response, 'lookup'),
      ],
      previous: undefined,
      status: 'waiting',
      startedAt: at(0),
      at: at(40),
      actor,
    },
    {
      run,
      events: [ev(3, options.cycleMs, 'run.ended', { status: 'completed', outcome: 'approved' })],
      previous: 'waiting',
      status: 'completed',
      startedAt: at(0),
      at: at(options.cycleMs),
      actor,
    },
  ]
}

describeOnEachStore('metrics on the store', (backend) => {
  let opened: OpenedStore
  const processOn = (store: Store) => {
    const writer = createMetricsWriter(store)
    const metrics = createMetricsService(store, {
      stepTitle: async (_flowId, _hash, nodeId) => (nodeId === 'review' ? 'Review the intake' : nodeId),
    })
    return {
      store,
      writer,
      metrics,
      prometheus: createPrometheusRegistry(metrics, {
        incidentsOpen: async () => 0,
        deadLettersOpen: async () => 2,
        listeners: () => [],
      }),
      /** A batch committed as the runs service commits one: the observer inside its transaction. */
      commit: (batch: RunBatch) => store.transaction(() => writer.observer(batch) as Promise<void>),
    }
  }
  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  beforeEach(async () => {
    opened = await backend.open('metrics')
    a = processOn(opened.store)
    b = processOn(await opened.another())
    // Two versions of the flow: revision 1 (V1) superseded by revision 2 (V2), published.
    await opened.store.db.insert(flowsTable).values({
      id: 'intake',
      title: 'Intake',
      status: 'published',
      draftRevision: 2,
      draftHash: V2,
      draftAuthor: 'analyst',
      publishedHash: V2,
      updatedAt: at(0),
      updatedBy: 'analyst',
    })
    for (const [revision, hash, status] of [
      [1, V1, 'superseded'],
      [2, V2, 'published'],
    ] as const)
      await opened.store.db.insert(flowVersions).values({
        flowId: 'intake',
        revision,
        hash,
        document: { id: 'intake' } as never,
        author: 'analyst',
        status,
        createdAt: at(0),
      })
  })
  afterEach(() => opened.dispose())

  it('counts the runs two processes commit at once, read the same at either, and in the Prometheus text', async () => {
    const work: Promise<void>[] = []
    for (let i = 0; i < 6; i++) {
      const p = i % 2 === 0 ? a : b
      const hash = i < 2 ? V1 : V2
      work.push(
        (async () => {
          for (const batch of runBatches(`run-${i}`, hash, { cycleMs: 1000 * (i + 1), fail: i === 5 }))
            await p.commit(batch)
        })(),
      )
    }
    // One run of V2 still waiting, and a task claim of it reported by the tasks service.
    work.push(a.commit(runBatches('run-w', V2, { cycleMs: 0 })[0]!))
    work.push(
      b.store.transaction(() =>
        b.writer.taskClaimed({ flowId: 'intake', hash: V2, nodeId: 'review', openedAt: at(0) }, at(60_000)),
      ),
    )
    await Promise.all(work)

    const flows = await b.metrics.flows()
    expect(flows.map((f) => [f.hash, f.revision, f.published])).toEqual([
      [V2, 2, true],
      [V1, 1, false],
    ])
    const [v2, v1] = flows
    expect(v1).toMatchObject({ started: 2, completed: 2, failed: 0, completionRate: 1, outcomes: { approved: 2 } })
    expect(v1!.now).toEqual({ running: 0, waiting: 0, incident: 0 })
    expect(v2).toMatchObject({
      started: 5,
      completed: 4,
      completionRate: 1,
      now: { running: 0, waiting: 1, incident: 0 },
    })
    expect(v2!.cycleMs.p50).toBeGreaterThan(0)
    expect(v2!.steps).toEqual([
      expect.objectContaining({ nodeId: 'review', title: 'Review the intake', claimed: 1, answered: 0 }),
    ])
    expect(await a.metrics.flows({ flowId: 'intake' })).toEqual(flows)
    expect(await a.metrics.flows({ flowId: 'other' })).toEqual([])

    const [fhir] = await a.metrics.connectors()
    expect(fhir).toMatchObject({ connector: 'fhir', calls: 7, errors: 1, retries: 0 })
    expect(fhir!.errorRate).toBeCloseTo(1 / 7)
    expect(fhir!.latencyMs.p50).not.toBeNull()

    const compared = await a.metrics.compare('intake', V1, V2)
    expect(compared.before?.hash).toBe(V1)
    expect(compared.after?.hash).toBe(V2)
    expect(compared.change.completionRate).toBe(0)
    expect(compared.change.cycleP50Ms).toBeGreaterThan(0)

    const text = await b.prometheus.text()
    expect(text).toContain(`carepath_runs_total{flow="intake",version="${V2.slice(0, 12)}",status="started"} 5`)
    expect(text).toContain(`carepath_runs_active{flow="intake",version="${V2.slice(0, 12)}",status="waiting"} 1`)
    expect(text).toContain('carepath_connector_calls_total{connector="fhir",result="error"} 1')
    expect(text).toContain('carepath_connector_calls_total{connector="fhir",result="ok"} 6')
    expect(text).toContain('carepath_dead_letters_open 2')
    expect(text).toMatch(/carepath_human_step_seconds\{flow="intake",version="[0-9]{12}",step="review",wait="claim"/)
  })
})
