import { afterEach, describe, expect, it } from 'vitest'
import { NodeError, type JsonValue } from '@carepath/dsl'
import { describeOnEachRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { intakeFlow } from '../testing/test-registry.ts'
import { bucketOf, bucketUpperMs, quantileMs } from './metric-histogram.ts'

describe('log-scale histograms', () => {
  it('read quantiles within a fifth of the true value', () => {
    for (const ms of [1, 7, 95, 1_000, 61_234, 3_600_000]) {
      const upper = bucketUpperMs(bucketOf(ms))
      expect(upper).toBeGreaterThanOrEqual(ms)
      expect(upper).toBeLessThanOrEqual(Math.ceil(ms * 1.19) + 1)
    }
    const h = new Map<number, number>()
    for (let ms = 1; ms <= 100; ms++) h.set(bucketOf(ms * 10), (h.get(bucketOf(ms * 10)) ?? 0) + 1)
    expect(quantileMs(h, 0.5)).toBeGreaterThanOrEqual(500)
    expect(quantileMs(h, 0.5)).toBeLessThanOrEqual(600)
    expect(quantileMs(new Map(), 0.5)).toBeNull()
  })
})

describeOnEachRuntime('metrics', (open) => {
  let t: TestRuntime
  afterEach(() => t?.close())

  it('counts, completion rate, cycle and answer times per version, connector figures, Prometheus text', async () => {
    let failing = false
    t = await open({
      connectors: {
        echo: async (): Promise<JsonValue> => {
          if (failing) throw new NodeError('The echo service answered HTTP 502.', { code: 'http-502' })
          return { node: 'call' }
        },
      },
    })
    const hash = await publishFlow(t, intakeFlow({ withCall: true }))
    const start = (key: string, score: number) =>
      t.as.agent.runs.start({ flowId: 'intake-check', input: { score }, idempotencyKey: key })
    await start('fast-1', 1)
    await start('fast-2', 2)
    const slow = await start('slow', 9) // waits on the front desk
    failing = true
    const broken = await start('broken', 1)
    const dropped = await start('dropped', 1)
    expect([broken.status, dropped.status]).toEqual(['incident', 'incident'])
    await t.as.operator.incidents.cancel({ runId: dropped.id, reason: 'sent twice' })

    const before = (await t.as.operator.metrics.flows({ flowId: 'intake-check' }))[0]!
    expect(before).toMatchObject({
      flowId: 'intake-check',
      hash,
      revision: 1,
      published: true,
      started: 5,
      completed: 2,
      cancelled: 1,
      failed: 0,
      incidents: 2,
      now: { running: 0, waiting: 1, incident: 1 },
      outcomes: { 'fast-track': 2 },
    })
    expect(before.completionRate).toBeCloseTo(2 / 3)

    // Four minutes later the front desk claims the task, six more and it answers: one cycle of
    // ~10 min, one claim time of ~4 min and one answer time of ~10 min.
    t.advance(4 * 60_000)
    const [task] = await t.as.agent.tasks.inbox()
    expect(task?.runId).toBe(slow.id)
    await t.as.agent.tasks.claim({ id: task!.id })
    t.advance(6 * 60_000)
    await t.as.agent.tasks.answer({ id: task!.id, answer: { approved: true } })
    const after = (await t.as.operator.metrics.flows({ flowId: 'intake-check' }))[0]!
    expect(after.now.waiting).toBe(0)
    expect(after.outcomes).toEqual({ approved: 1, 'fast-track': 2 })
    expect(after.cycleMs.p90).toBeGreaterThanOrEqual(600_000)
    expect(after.cycleMs.p90).toBeLessThanOrEqual(600_000 * 1.19)
    expect(after.steps).toEqual([
      {
        nodeId: 'ask',
        // The step has no title of its own: its type in words and its number stand in, never its id.
        title: 'Test ask 1',
        claimed: 1,
        claimMs: { p50: expect.any(Number), p90: expect.any(Number) },
        answered: 1,
        answerMs: { p50: expect.any(Number), p90: expect.any(Number) },
      },
    ])
    // Read from log-scale buckets: within 19% above the true figure.
    expect(after.steps[0]!.claimMs.p50).toBeGreaterThanOrEqual(240_000)
    expect(after.steps[0]!.claimMs.p90).toBeLessThanOrEqual(240_000 * 1.19)
    expect(after.steps[0]!.answerMs.p50).toBeGreaterThanOrEqual(600_000)
    expect(after.steps[0]!.answerMs.p90).toBeLessThanOrEqual(600_000 * 1.19)

    const [echo] = await t.as.operator.metrics.connectors()
    // 3 good calls, then 2 runs × 3 attempts that failed.
    expect(echo).toMatchObject({ connector: 'echo', calls: 9, errors: 6, retries: 4 })
    expect(echo!.errorRate).toBeCloseTo(6 / 9)

    const text = await t.runtime.prometheus.text()
    const version = hash.slice(0, 12)
    expect(text).toContain(`carepath_runs_total{flow="intake-check",version="${version}",status="completed"} 3`)
    expect(text).toContain(`carepath_runs_active{flow="intake-check",version="${version}",status="incident"} 1`)
    expect(text).toContain('carepath_connector_calls_total{connector="echo",result="error"} 6')
    expect(text).toContain('carepath_incidents_open 1')
    expect(text).toMatch(/# TYPE carepath_run_cycle_seconds gauge/)
    // The step's claim time as the screen shows it, in seconds (4 min, read from its bucket).
    const claimP50 = after.steps[0]!.claimMs.p50! / 1000
    expect(text).toContain(
      `carepath_human_step_seconds{flow="intake-check",version="${version}",step="ask",wait="claim",quantile="0.5"} ${claimP50}`,
    )
  })

  it('compares a version with the one it replaced', async () => {
    t = await open()
    const v1 = await publishFlow(t, intakeFlow())
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 9 }, idempotencyKey: 'a' })
    const { hash: v2 } = await t.as.analyst.flows.save({
      id: 'intake-check',
      document: intakeFlow({ min: 10 }),
      baseRevision: 1,
    })
    await t.as.analyst.review.submit({ id: 'intake-check' })
    await t.as.reviewer.review.approve({ id: 'intake-check', hash: v2, comment: 'ok' })
    await t.as.reviewer.review.publish({ id: 'intake-check', hash: v2 })
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 9 }, idempotencyKey: 'b' })
    const compared = await t.as.reviewer.metrics.compare({ flowId: 'intake-check', base: v1, candidate: v2 })
    expect(compared.before).toMatchObject({ revision: 1, completed: 0, now: { waiting: 1 } })
    expect(compared.after).toMatchObject({ revision: 2, completed: 1, completionRate: 1 })
    expect(compared.change.completionRate).toBeNull()
  })
})
