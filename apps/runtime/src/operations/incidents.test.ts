import { afterEach, expect, it } from 'vitest'
import { NodeError, type JsonValue } from '@carepath/dsl'
import { TRPCError } from '@trpc/server'
import {
  describeOnEachRuntime,
  publishFlow,
  type createTestRuntime,
  type TestRuntime,
} from '../testing/test-runtime.ts'
import { intakeFlow } from '../testing/test-registry.ts'

/** An `echo` connector that is down until `up` is set; every call is counted. */
function echo() {
  const peer = { up: false, calls: 0 }
  const adapter = async (request: JsonValue) => {
    peer.calls++
    if (!peer.up) throw new NodeError('The echo service answered HTTP 503.', { code: 'http-503', retryable: true })
    return { node: 'call', n: peer.calls, request } as JsonValue
  }
  return { peer, adapter }
}

const patient = { name: 'Alice Example', ssn: '123-45-6789' }

async function setUp(
  open: (options: Parameters<typeof createTestRuntime>[0]) => Promise<TestRuntime>,
): Promise<{ t: TestRuntime; peer: { up: boolean; calls: number } }> {
  const { peer, adapter } = echo()
  const waits: number[] = []
  const t = await open({
    connectors: { echo: adapter },
    sleep: async (ms) => void waits.push(ms),
  })
  await publishFlow(t, intakeFlow({ withCall: true }))
  return { t, peer }
}

const start = (t: TestRuntime, key: string) =>
  t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 2, patient }, idempotencyKey: key })

describeOnEachRuntime('incidents', (open) => {
  let t: TestRuntime
  afterEach(() => t?.close())

  it('a connector that stays down holds the run as an incident, its cause listed without patient data', async () => {
    const setup = await setUp(open)
    t = setup.t
    const run = await start(t, 'a')
    expect(run.status).toBe('incident')
    expect(setup.peer.calls).toBe(3) // the default policy: three attempts
    const { total, incidents } = await t.as.operator.incidents.list({})
    expect(total).toBe(1)
    expect(incidents[0]).toMatchObject({
      runId: run.id,
      flowId: 'intake-check',
      nodeId: 'call',
      connector: 'echo',
      errorClass: 'server-error',
      attempts: 3,
      message: 'The echo service answered HTTP 503.',
      status: 'open',
    })
    // The operator sees the run's path and cause, never its patient values.
    const view = await t.as.operator.runs.get({ id: run.id })
    expect(view.incident).toMatchObject({ nodeId: 'call', errorClass: 'server-error' })
    expect(JSON.stringify(view)).not.toContain('Alice')
    expect(JSON.stringify(view)).not.toContain('123-45-6789')
    await expect(t.as.agent.incidents.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('bulk retry: refused when the confirmed count is stale, then each run retried once and completed', async () => {
    const setup = await setUp(open)
    t = setup.t
    const runs = [await start(t, 'b1'), await start(t, 'b2')]
    setup.peer.up = true
    const callsBefore = setup.peer.calls
    await expect(
      t.as.operator.incidents.bulkRetry({ filter: { flowId: 'intake-check' }, expectedCount: 3 }),
    ).rejects.toThrow(/2 incidents match now, not 3/)
    expect(setup.peer.calls).toBe(callsBefore)
    const done = await t.as.operator.incidents.bulkRetry({ filter: { flowId: 'intake-check' }, expectedCount: 2 })
    expect(done.retried).toBe(2)
    expect(done.results).toHaveLength(2)
    expect(done.results).toEqual(
      expect.arrayContaining(runs.map((r) => ({ runId: r.id, ok: true, status: 'completed' }))),
    )
    expect(setup.peer.calls).toBe(callsBefore + 2)
    for (const r of runs) expect((await t.as.operator.runs.get({ id: r.id })).outcome).toBe('fast-track')
    expect((await t.as.operator.incidents.list({})).total).toBe(0)
    const resolved = await t.as.operator.incidents.list({ filter: { status: 'resolved' } })
    expect(resolved.incidents.map((i) => [i.resolution, i.resolvedBy])).toEqual([
      ['retry', 'operator'],
      ['retry', 'operator'],
    ])
    // Run again, the same bulk action finds nothing open: nothing is retried twice.
    await expect(
      t.as.operator.incidents.bulkRetry({ filter: { flowId: 'intake-check' }, expectedCount: 2 }),
    ).rejects.toThrow(/0 incidents match now/)
    expect(setup.peer.calls).toBe(callsBefore + 2)
  })

  it('skip leaves by the chosen port with an audited reason; cancel ends the run; bad ports are refused', async () => {
    const setup = await setUp(open)
    t = setup.t
    const skipped = await start(t, 's1')
    await expect(
      t.as.operator.incidents.skip({ runId: skipped.id, port: 'nowhere', reason: 'peer retired' }),
    ).rejects.toThrow(/no outcome "nowhere"/)
    await expect(t.as.operator.incidents.skip({ runId: skipped.id, port: 'ok', reason: '' })).rejects.toBeInstanceOf(
      TRPCError,
    )
    const after = await t.as.operator.incidents.skip({
      runId: skipped.id,
      port: 'ok',
      reason: 'Echo confirmed by phone',
    })
    expect(after).toMatchObject({ status: 'completed', outcome: 'fast-track' })
    const cancelled = await start(t, 's2')
    // An operator quoting the patient: the trail keeps the words, not the value.
    expect(
      await t.as.operator.incidents.cancel({ runId: cancelled.id, reason: 'duplicate referral for Alice Example' }),
    ).toMatchObject({
      status: 'cancelled',
    })
    await expect(t.as.operator.incidents.retry({ runId: cancelled.id })).rejects.toThrow(/has no open incident/)
    const audit = await t.as.auditor.audit.list({ limit: 1000 })
    const resolutions = audit.items.filter((r) => r.record.action === 'incident.resolve').map((r) => r.record.why)
    // The reason is in the resolution's record alone, under its `why`.
    expect(audit.items.filter((r) => JSON.stringify(r.record).includes('Echo confirmed by phone'))).toHaveLength(1)
    expect(resolutions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'skip', port: 'ok', reason: 'Echo confirmed by phone' }),
        expect.objectContaining({ action: 'cancel', reason: 'duplicate referral for [redacted]' }),
      ]),
    )
  })

  it('a run whose flow was retired is not retried (skip or cancel it instead)', async () => {
    const setup = await setUp(open)
    t = setup.t
    const run = await start(t, 'r1')
    await t.as.reviewer.flows.retire({ id: 'intake-check' })
    setup.peer.up = true
    await expect(t.as.operator.incidents.retry({ runId: run.id })).rejects.toThrow(/retired/)
    expect((await t.as.operator.incidents.list({})).total).toBe(1)
  })
})
