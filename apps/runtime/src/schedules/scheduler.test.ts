import { afterEach, describe, expect, it } from 'vitest'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { createRuntime } from '../runtime.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { createScheduleStore } from './schedule-store.ts'

const { registry } = composeCatalog([builtinPlugin])
const HOUR = 3_600_000

/** A flow that starts on a schedule, optionally waits, and ends. */
function scheduledFlow(trigger: Record<string, unknown>, waitFor?: string): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id: 'nightly',
    version: 1,
    title: 'Nightly batch',
    facts: {
      type: 'object',
      properties: { schedule: { type: 'object', properties: { at: { type: 'string', 'x-phi': 'none' } } } },
    },
    roles: {},
    start: 'tick',
    nodes: {
      tick: { type: 'trigger.schedule', typeVersion: 1, config: trigger, next: { next: waitFor ? 'hold' : 'done' } },
      ...(waitFor
        ? {
            hold: {
              type: 'wait',
              typeVersion: 1,
              config: { mode: 'duration', duration: waitFor },
              next: { due: 'done' },
            },
          }
        : {}),
      done: { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
    },
  }
}

const cron = (expression: string, extra: Record<string, unknown> = {}) => ({
  schedule: { kind: 'cron', cron: expression },
  timezone: 'UTC',
  into: 'schedule.at',
  ...extra,
})

/** The scheduled time of every run the schedule started, oldest first. */
async function firedTimes(t: TestRuntime): Promise<string[]> {
  return (await t.runtime.schedules.history('nightly', 1000))
    .filter((row) => row.status === 'fired')
    .map((row) => row.at)
    .reverse()
}

describe('scheduler', () => {
  let t: TestRuntime
  afterEach(() => t.close())

  /** Move the clock an hour at a time, sweeping after each step, like `carepath serve` does each second. */
  async function stepHours(hours: number) {
    await step(hours, HOUR)
  }
  async function step(times: number, ms: number) {
    for (let i = 0; i < times; i++) {
      t.advance(ms)
      await t.runtime.runs.fireDueTimers()
      await t.runtime.schedules.sweep()
    }
  }

  it('fires a published schedule at its times, with the time in the run’s facts, once each', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 */6 * * *'))) // published 2026-03-01 09:00 UTC
    expect((await t.runtime.schedules.sweep()).fired).toEqual([])
    await stepHours(24)
    expect(await firedTimes(t)).toEqual([
      '2026-03-01T12:00:00.000Z',
      '2026-03-01T18:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-02T06:00:00.000Z',
    ])
    // Sweeping again at the same time starts nothing more.
    expect((await t.runtime.schedules.sweep()).fired).toEqual([])
    const runs = await t.runtime.runs.store.listRuns('nightly', 100)
    expect(runs).toHaveLength(4)
    expect(runs.every((run) => run.status === 'completed' && run.started_by === 'scheduler')).toBe(true)
    const first = (await t.runtime.runs.store.events(runs.at(-1)!.id))[0]
    expect(first?.type === 'run.started' && first.data.input).toEqual({ schedule: { at: '2026-03-01T12:00:00.000Z' } })
  })

  it('keeps a daily 02:30 in New York across the spring-forward night: 03:00 that day, once', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('30 2 * * *', { timezone: 'America/New_York' })))
    // 2026-03-06 to 2026-03-10; clocks go from 02:00 EST to 03:00 EDT on Sunday 2026-03-08.
    t.advance(4 * 24 * HOUR)
    await t.runtime.schedules.sweep() // catches up the latest missed time only (catchUpLimit 1)
    await step(4 * 48, HOUR / 2)
    const times = await firedTimes(t)
    expect(times.filter((at) => at >= '2026-03-06')).toEqual([
      '2026-03-06T07:30:00.000Z', // 02:30 EST
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ])
  })

  it('fires a daily 01:30 in New York once on the fall-back night, when 01:30 happens twice', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('30 1 * * *', { timezone: 'America/New_York', catchUp: 'skip' })))
    // Eight months later: every time missed meanwhile is skipped (catchUp: skip), and says so.
    t.advance(Date.parse('2026-10-31T00:00:00Z') - Date.parse('2026-03-01T09:00:00Z'))
    const caughtUp = await t.runtime.schedules.sweep()
    expect(caughtUp.fired).toEqual([])
    expect(caughtUp.skipped.length).toBeGreaterThan(200)
    // Sweeping each half hour, so every time is looked at on time (a time seen more than a minute late was missed).
    await step(3 * 48, HOUR / 2)
    expect(await firedTimes(t)).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; the second 01:30 (EST, 06:30 UTC) does not fire
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ])
    const skipped = (await t.runtime.audit.list({ limit: 500 })).items
      .map((item) => item.record)
      .filter((record) => record.action === 'schedule.tick')
    expect(skipped).toEqual([
      expect.objectContaining({
        why: expect.objectContaining({ status: 'skipped', reason: 'missed', from: '2026-03-02T06:30:00.000Z' }),
      }),
    ])
  })

  it('after downtime fires the latest missed times up to the flow’s limit, oldest first, and skips the rest', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 * * * *', { catchUpLimit: 3 })))
    t.advance(10 * HOUR) // down from 09:00 to 19:00: 10:00 … 18:00 missed, 19:00 on time
    const result = await t.runtime.schedules.sweep()
    expect(result.fired.map((f) => f.at)).toEqual([
      '2026-03-01T16:00:00.000Z',
      '2026-03-01T17:00:00.000Z',
      '2026-03-01T18:00:00.000Z',
      '2026-03-01T19:00:00.000Z',
    ])
    expect(result.skipped.map((s) => s.at.slice(11, 16))).toEqual([
      '10:00',
      '11:00',
      '12:00',
      '13:00',
      '14:00',
      '15:00',
    ])
    expect(await t.runtime.runs.store.listRuns('nightly', 100)).toHaveLength(4)
  })

  it('with catch-up off, fires only the time that is due now', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 * * * *', { catchUp: 'skip' })))
    t.advance(10 * HOUR + 30_000) // 19:00:30: 19:00 is half a minute late, which is on time
    const result = await t.runtime.schedules.sweep()
    expect(result.fired.map((f) => f.at)).toEqual(['2026-03-01T19:00:00.000Z'])
    expect(result.skipped).toHaveLength(9)
  })

  it('overlap skip: a time that comes while the last run still waits starts nothing', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 * * * *', { overlap: 'skip' }), 'PT90M'))
    await stepHours(4) // 10:00 fires (waits to 11:30), 11:00 skipped, 12:00 fires (to 13:30), 13:00 skipped
    const history = (await t.runtime.schedules.history('nightly')).reverse()
    expect(history.map((row) => [row.at.slice(11, 16), row.status, row.reason])).toEqual([
      ['10:00', 'fired', null],
      ['11:00', 'skipped', 'overlap'],
      ['12:00', 'fired', null],
      ['13:00', 'skipped', 'overlap'],
    ])
  })

  it('overlap queue: the time waits for the running one to end, then starts', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 * * * *', { overlap: 'queue' }), 'PT90M'))
    t.advance(HOUR) // 10:00
    await t.runtime.schedules.sweep()
    t.advance(HOUR) // 11:00: the 10:00 run waits until 11:30
    expect((await t.runtime.schedules.sweep()).queued.map((q) => q.at)).toEqual(['2026-03-01T11:00:00.000Z'])
    t.advance(HOUR / 2) // 11:30: the 10:00 run ends; the queued 11:00 starts on the next sweep
    await t.runtime.runs.fireDueTimers()
    const started = await t.runtime.schedules.sweep()
    expect(started.fired.map((f) => f.at)).toEqual(['2026-03-01T11:00:00.000Z'])
    const runs = await t.runtime.runs.store.listRuns('nightly', 100)
    expect(runs.map((run) => run.status).sort()).toEqual(['completed', 'waiting'])
  })

  it('overlap allow: runs of consecutive times go on side by side', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 * * * *', { overlap: 'allow' }), 'PT90M'))
    await stepHours(2)
    expect(await t.runtime.runs.store.runsByStatus('waiting')).toHaveLength(2)
  })

  it('fires each time once when several runtime processes sweep the same database at once', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('*/15 * * * *', { catchUpLimit: 100 })))
    t.advance(3 * HOUR)
    const others = await Promise.all(
      [1, 2, 3].map(() => createRuntime({ dbFile: t.runtime.file, now: t.runtime.now, registry, connectors: {} })),
    )
    try {
      const results = await Promise.all([t.runtime, ...others].map((runtime) => runtime.schedules.sweep()))
      const fired = results.flatMap((r) => r.fired.map((f) => f.at)).sort()
      expect(fired).toHaveLength(12) // 09:15 … 12:00
      expect(new Set(fired).size).toBe(12)
      expect(await t.runtime.runs.store.listRuns('nightly', 100)).toHaveLength(12)
    } finally {
      for (const runtime of others) await runtime.close()
    }
  })

  it('a claim whose process died is taken over after its lease, and never starts a second run', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 10 * * *')))
    const hash = (await t.runtime.flowService.list())[0]!.publishedHash!
    const store = createScheduleStore(t.runtime.store)
    t.advance(HOUR) // 10:00
    // Another process claimed 10:00 and died before starting the run.
    expect(
      await store.claim({
        flowId: 'nightly',
        tickAt: '2026-03-01T10:00:00.000Z',
        hash,
        owner: 'process:dead',
        leaseUntil: '2026-03-01T10:05:00.000Z',
        at: '2026-03-01T10:00:00.000Z',
      }),
    ).toBe(true)
    expect((await t.runtime.schedules.sweep()).fired).toEqual([]) // its lease still holds
    t.advance(10 * 60_000)
    const taken = await t.runtime.schedules.sweep()
    expect(taken.fired.map((f) => f.at)).toEqual(['2026-03-01T10:00:00.000Z'])
    // Had the dead process got as far as starting the run, the same idempotency key finds it:
    // the time is put back as a claim (of this process) that never settled.
    await t.runtime.store.sql.run(
      "UPDATE schedule_ticks SET status = 'claimed', run_id = NULL WHERE flow_id = ? AND tick_at = ?",
      ['nightly', '2026-03-01T10:00:00.000Z'],
    )
    t.advance(10 * 60_000)
    const again = await t.runtime.schedules.sweep()
    expect(again.fired.map((f) => f.runId)).toEqual(taken.fired.map((f) => f.runId))
    expect(await t.runtime.runs.store.listRuns('nightly', 100)).toHaveLength(1)
  })

  it('stops firing a retired flow', async () => {
    t = await createTestRuntime({ registry })
    await publishFlow(t, scheduledFlow(cron('0 * * * *')))
    await t.as.reviewer.flows.retire({ id: 'nightly' })
    await stepHours(3)
    expect(await t.runtime.runs.store.listRuns('nightly', 100)).toEqual([])
  })
})
