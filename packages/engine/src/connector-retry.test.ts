import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createNodeRegistry, defineNodeType, NodeError, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import { connectorErrorClass, isRetryable, retryDelayMs } from './connector-errors.ts'
import { resumeRun, startRun, traceOf, type EngineDeps, type RunEvent } from './index.ts'
import { claimFlow, fixedClock, testFlow } from './testing/test-flows.ts'
import { testTypes } from './testing/test-nodes.ts'

/** Sends to `a`, then to `b`, in one step: a step with a side effect before the call that fails. */
const testPair = defineNodeType({
  type: 'test.pair',
  typeVersion: 1,
  title: 'Pair',
  description: 'Two calls in one step.',
  category: 'Integration',
  icon: 'P',
  config: z.object({}).strict(),
  defaults: {},
  ports: () => [
    { name: 'ok', required: true },
    { name: 'error', required: false },
    { name: 'manual', required: false },
  ],
  reads: () => [],
  writes: () => ['sent'],
  phi: [],
  async execute(ctx) {
    const a = await ctx.call('a', { send: 'letter' })
    const b = await ctx.call('b', { confirm: 'letter' })
    return { kind: 'next', port: 'ok', set: { sent: { a, b } } }
  },
})
const registry = createNodeRegistry([...testTypes, testPair])

const pairFlow = () =>
  testFlow('pair', {
    start: { type: 'test.start', next: { default: 'send' } },
    send: { type: 'test.pair', next: { ok: 'done', manual: 'manual' } },
    done: { type: 'test.end', config: { outcome: 'sent' } },
    manual: { type: 'test.end', config: { outcome: 'by-hand' } },
  })
const withRetry = (doc: ReturnType<typeof pairFlow>, retry: { attempts: number; backoffMs: number }) => {
  const copy = structuredClone(doc)
  copy.nodes['send']!.retry = retry
  return copy
}

/** Adapters that fail with the queued errors, then answer; every call is counted. */
function scripted(failures: Record<string, NodeError[]>) {
  const calls: Record<string, number> = {}
  const connectors: Record<string, ConnectorAdapter> = {}
  for (const name of ['a', 'b', 'payer']) {
    connectors[name] = async (request) => {
      calls[name] = (calls[name] ?? 0) + 1
      const next = failures[name]?.shift()
      if (next) throw next
      return { ok: name, echo: request }
    }
  }
  return { calls, connectors }
}

function depsOf(connectors: Record<string, ConnectorAdapter>, extra: Partial<EngineDeps> = {}) {
  const waits: number[] = []
  const deps: EngineDeps = {
    registry,
    clock: fixedClock(),
    connectors,
    sleep: async (ms) => void waits.push(ms),
    incidents: true,
    ...extra,
  }
  return { deps, waits }
}

const down = (code: string, extra: { retryAfterMs?: number } = {}) =>
  new NodeError(`The peer answered ${code}.`, { code, retryable: true, ...extra })
const types = (events: readonly RunEvent[]) => events.map((e) => e.type)

describe('connector error classes', () => {
  it('classifies adapter codes and retries only what may succeed next time', () => {
    expect(
      ['timeout', 'unreachable', 'http-503', 'fhir-429', 'http-404', 'not-configured', 'invalid-request', 'x'].map(
        connectorErrorClass,
      ),
    ).toEqual([
      'timeout',
      'unreachable',
      'server-error',
      'rate-limited',
      'client-error',
      'configuration',
      'invalid',
      'other',
    ])
    expect(isRetryable('client-error', true)).toBe(false)
    expect(isRetryable('server-error', true)).toBe(true)
    expect(isRetryable('timeout', false)).toBe(false)
    expect(retryDelayMs({ attempts: 5, backoffMs: 100 }, 3)).toBe(400)
    expect(retryDelayMs({ attempts: 5, backoffMs: 100, maxBackoffMs: 250 }, 3)).toBe(250)
    expect(retryDelayMs({ attempts: 5, backoffMs: 100 }, 1, 5_000)).toBe(5_000)
    expect(retryDelayMs({ attempts: 5, backoffMs: 100 }, 1, 24 * 3600_000)).toBe(600_000)
  })
})

describe('connector retries', () => {
  it("retries per the node's policy on 5xx and timeouts, recording each wait; replay is byte-identical", async () => {
    const { calls, connectors } = scripted({ a: [down('http-503'), down('timeout')] })
    const { deps, waits } = depsOf(connectors)
    const flow = withRetry(pairFlow(), { attempts: 3, backoffMs: 100 })
    const state = await startRun(flow, {}, deps, { runId: 'r1' })
    expect(state.outcome).toBe('sent')
    expect(waits).toEqual([100, 200])
    expect(calls).toEqual({ a: 3, b: 1 })
    const retries = state.events.filter((e) => e.type === 'connector.retry').map((e) => e.data)
    expect(retries).toEqual([
      { connector: 'a', attempt: 1, delayMs: 100 },
      { connector: 'a', attempt: 2, delayMs: 200 },
    ])
    // Replaying the whole log calls nothing, waits for nothing and gives the same bytes.
    const again = depsOf(scripted({}).connectors)
    const replayed = await resumeRun(flow, state.events.slice(0, -1), { type: 'continue' }, again.deps)
    expect(traceOf(replayed.events)).toBe(traceOf(state.events))
    expect(again.waits).toEqual([])
  })

  it('never retries a 4xx, and waits as long as a 429 says (Retry-After)', async () => {
    const flow = withRetry(pairFlow(), { attempts: 3, backoffMs: 100 })
    const refused = scripted({ a: [down('http-422')] })
    const first = depsOf(refused.connectors, { incidents: false })
    const failed = await startRun(flow, {}, first.deps, { runId: 'r2' })
    expect(failed.status).toBe('failed')
    expect(refused.calls).toEqual({ a: 1 })
    expect(first.waits).toEqual([])

    const limited = scripted({ a: [down('http-429', { retryAfterMs: 7_000 })] })
    const second = depsOf(limited.connectors)
    const state = await startRun(flow, {}, second.deps, { runId: 'r3' })
    expect(state.outcome).toBe('sent')
    expect(second.waits).toEqual([7_000])
    const response = state.events.find((e) => e.type === 'connector.response' && 'error' in e.data)
    expect(response?.data).toMatchObject({ code: 'http-429', retryAfterMs: 7_000 })
  })

  it("uses the installation's default policy when the node has none, and the node's over it", async () => {
    const { connectors, calls } = scripted({ a: [down('unreachable'), down('unreachable')] })
    const { deps, waits } = depsOf(connectors, { defaultRetry: { attempts: 3, backoffMs: 10, factor: 3 } })
    expect((await startRun(pairFlow(), {}, deps, { runId: 'r4' })).outcome).toBe('sent')
    expect(waits).toEqual([10, 30])
    expect(calls.a).toBe(3)
    const own = scripted({ a: [down('unreachable'), down('unreachable')] })
    const single = depsOf(own.connectors, { defaultRetry: { attempts: 3, backoffMs: 10 } })
    const state = await startRun(withRetry(pairFlow(), { attempts: 1, backoffMs: 0 }), {}, single.deps, {
      runId: 'r5',
    })
    expect(state.status).toBe('incident')
    expect(own.calls.a).toBe(1)
  })

  it("exhausted retries leave by the node's error port when it has one", async () => {
    const { connectors } = scripted({ payer: [down('http-502'), down('http-502')] })
    const { deps } = depsOf(connectors, { defaultRetry: { attempts: 2, backoffMs: 0 } })
    const state = await startRun(claimFlow, { memberId: 'M1', amount: 1 }, deps, { runId: 'r6' })
    expect(state.outcome).toBe('manual-review')
    expect(state.events.find((e) => e.type === 'error')?.data).toMatchObject({ handled: true })
  })
})

describe('incidents', () => {
  async function inIncident(runId: string) {
    const script = scripted({ b: [down('http-503'), down('http-503')] })
    const { deps } = depsOf(script.connectors, { defaultRetry: { attempts: 2, backoffMs: 5 } })
    const state = await startRun(pairFlow(), {}, deps, { runId })
    return { state, script, deps }
  }

  it('holds an unhandled connector failure as an incident with its cause, not a failed run', async () => {
    const { state } = await inIncident('i1')
    expect(state.status).toBe('incident')
    expect(state.incident).toMatchObject({
      nodeId: 'send',
      connector: 'b',
      errorClass: 'server-error',
      attempts: 2,
      message: 'The peer answered http-503.',
    })
    expect(types(state.events).slice(-2)).toEqual(['connector.response', 'incident.opened'])
  })

  it('an operator retry runs the step again without repeating the call that succeeded', async () => {
    const { state, script, deps } = await inIncident('i2')
    expect(script.calls).toEqual({ a: 1, b: 2 })
    const done = await resumeRun(pairFlow(), state.events, { type: 'incident', action: 'retry' }, deps)
    expect(done.outcome).toBe('sent')
    expect(script.calls).toEqual({ a: 1, b: 3 }) // `a` sent its letter once
    expect(done.facts.sent).toEqual({
      a: { ok: 'a', echo: { send: 'letter' } },
      b: { ok: 'b', echo: { confirm: 'letter' } },
    })
    // The whole log replays to the same bytes, the reused answer included.
    const replayed = await resumeRun(pairFlow(), done.events.slice(0, -1), { type: 'continue' }, deps)
    expect(traceOf(replayed.events)).toBe(traceOf(done.events))
    expect(script.calls).toEqual({ a: 1, b: 3 })
  })

  it('a retry that fails again opens a new incident; skip takes the chosen port; cancel ends the run', async () => {
    const { state, script, deps } = await inIncident('i3')
    script.connectors['b'] = async () => {
      throw down('timeout')
    }
    const again = await resumeRun(pairFlow(), state.events, { type: 'incident', action: 'retry' }, deps)
    expect(again.status).toBe('incident')
    expect(again.incident?.errorClass).toBe('timeout')
    const skipped = await resumeRun(
      pairFlow(),
      again.events,
      { type: 'incident', action: 'skip', port: 'manual' },
      deps,
    )
    expect(skipped.outcome).toBe('by-hand')
    expect(skipped.ports).toEqual(['start.default', 'send.manual'])
    const cancelled = await resumeRun(pairFlow(), again.events, { type: 'incident', action: 'cancel' }, deps)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.events.at(-1)?.data).toEqual({ status: 'cancelled' })
  })

  it('refuses a skip to a port the step lacks, and any resolution of a run with no incident', async () => {
    const { state, deps } = await inIncident('i4')
    await expect(
      resumeRun(pairFlow(), state.events, { type: 'incident', action: 'skip', port: 'nowhere' }, deps),
    ).rejects.toMatchObject({ code: 'invalid-port' })
    const done = await resumeRun(pairFlow(), state.events, { type: 'incident', action: 'retry' }, deps)
    await expect(resumeRun(pairFlow(), done.events, { type: 'incident', action: 'retry' }, deps)).rejects.toMatchObject(
      { code: 'run-ended' },
    )
    const waiting = await startRun(claimFlow, { memberId: 'M', amount: 500 }, depsOf(scripted({}).connectors).deps, {
      runId: 'i5',
    })
    await expect(
      resumeRun(claimFlow, waiting.events, { type: 'incident', action: 'cancel' }, deps),
    ).rejects.toMatchObject({ code: 'no-incident' })
  })

  it('without `incidents` (simulations, the CLI) the same failure ends the run failed', async () => {
    const script = scripted({ b: [down('http-503')] })
    const { deps } = depsOf(script.connectors, { incidents: false })
    const state = await startRun(pairFlow(), {}, deps, { runId: 'i6' })
    expect(state.status).toBe('failed')
    expect(state.error?.nodeId).toBe('send')
  })

  it('a response kept for a retried step answers only that step, not a later visit of it', async () => {
    const script = scripted({ b: [down('http-503')] })
    const { deps } = depsOf(script.connectors)
    const loop = testFlow('loop', {
      start: { type: 'test.start', next: { default: 'send' } },
      send: { type: 'test.pair', next: { ok: 'count' }, maxVisits: 3 },
      count: { type: 'test.count', config: { fact: 'n', limit: 2 }, next: { again: 'send', done: 'done' } },
      done: { type: 'test.end', config: { outcome: 'sent' } },
    })
    const held = await startRun(loop, {}, deps, { runId: 'i8' })
    expect(held.status).toBe('incident')
    const done = await resumeRun(loop, held.events, { type: 'incident', action: 'retry' }, deps)
    expect(done.outcome).toBe('sent')
    // `a` once on the first visit (kept through the retry), once more on the second visit.
    expect(script.calls).toEqual({ a: 2, b: 3 })
  })

  it('keeps retried responses apart from fresh ones: the same request twice is answered twice', async () => {
    const values: JsonValue[] = []
    const { deps } = depsOf({
      a: async () => {
        values.push(values.length)
        return values.length
      },
      b: async () => {
        throw down('http-500')
      },
    })
    const state = await startRun(pairFlow(), {}, deps, { runId: 'i7' })
    deps.connectors['b'] = async () => ({ fine: true })
    const done = await resumeRun(pairFlow(), state.events, { type: 'incident', action: 'retry' }, deps)
    expect(done.facts.sent).toEqual({ a: 1, b: { fine: true } })
    expect(values).toEqual([0])
  })
})
