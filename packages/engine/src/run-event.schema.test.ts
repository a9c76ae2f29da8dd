// The run event schema against the events real runs write: every example flow's suite cases and
// the engine's own small flows (subflows, timers, handled and unhandled failures) parse back to
// exactly what was written, every event type is covered, and a wrong shape is refused by name.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { NodeError, validateFlow, type FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import {
  RUN_EVENT_TYPES,
  RUN_EVENT_VERSION,
  RunEventFormatError,
  caseDeps,
  flowHashOf,
  foldEvents,
  migrateRun,
  parseRunEvents,
  parseSuite,
  resumeRun,
  runEventSchema,
  startRun,
  traceOf,
  upgradeRunEvents,
  type EngineDeps,
  type RunEvent,
  type RunEventMigration,
} from './index.ts'
import { fixedClock, migrationTestFlows, subflowTestFlows, testFlow } from './testing/test-flows.ts'
import { testRegistry } from './testing/test-nodes.ts'

const examplesDir = fileURLToPath(new URL('../../../examples', import.meta.url))

/** Every suite case of every example flow, run to its end: the logs real flows write. */
async function exampleLogs(): Promise<RunEvent[][]> {
  const logs: RunEvent[][] = []
  for (const name of readdirSync(examplesDir).filter((n) => n.endsWith('.flow.json'))) {
    const result = validateFlow(JSON.parse(readFileSync(join(examplesDir, name), 'utf8')), registry)
    const suite = parseSuite(
      JSON.parse(readFileSync(join(examplesDir, name.replace('.flow.json', '.suite.json')), 'utf8')),
    )
    if (!result.valid || !result.document || !suite.ok) throw new Error(`${name} or its suite does not load`)
    for (const c of suite.suite.cases) {
      const { deps, autopilot } = caseDeps(c, { registry })
      const state = await startRun(result.document, c.input, deps, { runId: `${name}:${c.id}`, autopilot })
      logs.push(state.events)
    }
  }
  return logs
}

/** Engine flows for what the examples may not reach: a subflow, a timer, failures handled and not. */
async function engineLogs(): Promise<RunEvent[][]> {
  const clock = fixedClock()
  const deps = (extra: Partial<EngineDeps> = {}): EngineDeps => ({
    registry: testRegistry,
    clock,
    connectors: { payer: async () => ({ status: 'active' }) },
    ...extra,
  })
  const { child, parent } = subflowTestFlows
  const loadFlow = async () => child
  const subflow = await startRun(parent(flowHashOf(child)), { amount: 12 }, deps({ loadFlow }), { runId: 's1' })
  const failingChild = testFlow('child', {
    start: { type: 'test.start', next: { default: 'gone' } },
    gone: { type: 'test.threshold', config: { fact: 'amount', min: 10 }, next: { high: 'missing' } },
  })
  const failedSubflow = await startRun(
    parent(flowHashOf(failingChild)),
    { amount: 12 },
    deps({ loadFlow: async () => failingChild }),
    {
      runId: 's2',
    },
  )
  const timer = testFlow('timer', {
    start: { type: 'test.start', next: { default: 'pause' } },
    pause: { type: 'test.wait', config: { minutes: 30 }, next: { done: 'end' } },
    end: { type: 'test.end', config: { outcome: 'done' } },
  })
  const waiting = await startRun(timer, {}, deps(), { runId: 't1' })
  clock.set('2026-01-03T09:00:00.000Z')
  const timed = await resumeRun(timer, waiting.events, { type: 'timer' }, deps())
  const connectorDown = testFlow('down', {
    start: { type: 'test.start', next: { default: 'fetch' } },
    fetch: {
      type: 'test.fetch',
      config: { connector: 'payer', idFrom: 'memberId', into: 'coverage' },
      next: { ok: 'end' },
    },
    end: { type: 'test.end', config: { outcome: 'done' } },
  })
  const down = deps({
    connectors: {
      payer: async () => {
        throw new Error('payer unreachable')
      },
    },
  })
  const failed = await startRun(connectorDown, { memberId: 'M1' }, down, { runId: 'f1' })
  // A waiting run moved to a new version, then answered there.
  const { v1, v2 } = migrationTestFlows
  const versions: EngineDeps = {
    registry,
    clock,
    connectors: {},
    loadFlow: async (_id, hash) => (hash === flowHashOf(v1) ? v1 : v2),
  }
  const asked = await startRun(v1, {}, versions, { runId: 'm1' })
  const moved = await migrateRun(v2, asked.events, { migration: 'mig-1', toNode: 'call-patient' }, versions)
  const answer = { value: 'yes' }
  const migrated = await resumeRun(
    v2,
    moved.events,
    { type: 'answer', taskId: moved.openTask?.taskId ?? '', answer },
    versions,
  )
  return [
    subflow.events,
    failedSubflow.events,
    timed.events,
    failed.events,
    migrated.events,
    ...(await incidentLogs(connectorDown)),
  ]
}

/** A call retried, then held as an incident: one retried by an operator, one cancelled. */
async function incidentLogs(flow: FlowDocument): Promise<RunEvent[][]> {
  let calls = 0
  const deps: EngineDeps = {
    registry: testRegistry,
    clock: fixedClock(),
    connectors: {
      payer: async () => {
        if (++calls <= 4) throw new NodeError('The payer answered 503.', { code: 'http-503', retryAfterMs: 1000 })
        return { status: 'active' }
      },
    },
    defaultRetry: { attempts: 2, backoffMs: 500 },
    sleep: async () => {},
    incidents: true,
  }
  const first = await startRun(flow, { memberId: 'M1' }, deps, { runId: 'x1' })
  const cancelled = await resumeRun(flow, first.events, { type: 'incident', action: 'cancel' }, deps)
  const second = await startRun(flow, { memberId: 'M2' }, deps, { runId: 'x2' })
  const retried = await resumeRun(flow, second.events, { type: 'incident', action: 'retry' }, deps)
  return [cancelled.events, retried.events]
}

/** Events as a database or file gives them back: JSON text, parsed. */
const stored = (events: readonly RunEvent[]): unknown => JSON.parse(JSON.stringify(events))

describe('runEventSchema', () => {
  it('parses the events of real runs back to exactly what was written, covering every event type', async () => {
    const logs = [...(await exampleLogs()), ...(await engineLogs())]
    const seen = new Set<string>()
    for (const log of logs) {
      const parsed = parseRunEvents(stored(log))
      expect(parsed).toEqual(log)
      expect(traceOf(parsed)).toBe(traceOf(log))
      for (const event of log) seen.add(event.type)
    }
    expect([...seen].sort()).toEqual([...RUN_EVENT_TYPES].sort())
  })

  it('refuses an event whose data has the wrong shape, naming the event and the field', () => {
    const good: RunEvent = {
      seq: 3,
      at: '2026-01-01T09:00:00.000Z',
      type: 'node.exited',
      nodeId: 'a',
      data: { port: 'ok', to: 'b' },
    }
    expect(runEventSchema.safeParse(good).success).toBe(true)
    const wrong = { ...good, data: { port: 7, to: 'b' } }
    expect(() => parseRunEvents([good, wrong])).toThrow(RunEventFormatError)
    expect(() => parseRunEvents([good, wrong])).toThrow('event 3 (node.exited), field "1.data.port"')
    expect(() => parseRunEvents([{ ...good, type: 'node.teleported' }])).toThrow(/field "0.type"/)
    expect(() => parseRunEvents([{ ...good, data: { port: 'ok', to: 'b', extra: 1 } }])).toThrow(/node\.exited/)
    expect(() =>
      parseRunEvents([{ seq: 0, at: 'x', type: 'run.ended', data: { status: 'failed', outcome: 'done' } }]),
    ).toThrow(/event 0 \(run\.ended\), field "0\.data/)
    const at = '2026-01-01T09:00:00.000Z'
    // Payloads must be JSON: a number JSON cannot hold, or a response with neither value nor error.
    expect(() => parseRunEvents([{ seq: 0, at, type: 'facts.set', data: { set: { a: Number.NaN } } }])).toThrow(
      /field "0\.data\.set": Expected a JSON object/,
    )
    expect(() =>
      parseRunEvents([{ seq: 0, at, type: 'connector.response', data: { connector: 'payer', attempt: 1 } }]),
    ).toThrow(/event 0 \(connector\.response\)/)
    expect(() => parseRunEvents({ events: [] })).toThrow('not a list of events')
  })
})

const fixturesDir = fileURLToPath(new URL('../fixtures/run-events', import.meta.url))

describe('the event format version', () => {
  it('still reads the golden logs of every stored format version (fixtures/run-events/v<N>.json)', () => {
    const files = readdirSync(fixturesDir).filter((f) => /^v\d+\.json$/.test(f))
    expect(files).toContain(`v${RUN_EVENT_VERSION}.json`)
    for (const file of files) {
      const golden = JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as { version: number; logs: unknown[] }
      const seen = new Set<string>()
      for (const log of golden.logs) {
        const events = parseRunEvents(log, golden.version)
        // Each golden log is a finished run: it folds to an ended state with its path.
        const state = foldEvents(events)
        expect(['completed', 'failed', 'cancelled']).toContain(state.status)
        expect(state.path.length).toBeGreaterThan(0)
        if (golden.version === RUN_EVENT_VERSION) expect(events).toEqual(log)
        for (const event of events) seen.add(event.type)
      }
      // The current version's golden logs hold every event type; an older one, those it had.
      if (golden.version === RUN_EVENT_VERSION) expect([...seen].sort(), file).toEqual([...RUN_EVENT_TYPES].sort())
    }
  })

  const step: RunEventMigration = {
    from: 1,
    name: 'rename-note',
    up: (events) => events.map((e) => ({ ...(e as object), upgraded: true })),
  }

  it('reads the current version as it is, and refuses a version this engine does not know', () => {
    const raw = [{ seq: 0 }]
    expect(upgradeRunEvents(raw, RUN_EVENT_VERSION)).toEqual(raw)
    expect(() => upgradeRunEvents(raw, RUN_EVENT_VERSION + 1)).toThrow(
      `format version ${RUN_EVENT_VERSION + 1}; this engine reads versions 1 to ${RUN_EVENT_VERSION}`,
    )
    expect(() => upgradeRunEvents(raw, 0)).toThrow(RunEventFormatError)
  })

  it('brings an older stored form forward step by step, without changing what it was given', () => {
    const raw = Object.freeze([Object.freeze({ seq: 0 })])
    expect(upgradeRunEvents(raw, 1, [step], 2)).toEqual([{ seq: 0, upgraded: true }])
    expect(raw).toEqual([{ seq: 0 }])
    expect(() => upgradeRunEvents(raw, 1, [], 2)).toThrow('No migration of the event log from version 1.')
  })
})
