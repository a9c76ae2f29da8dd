import { describe, expect, it } from 'vitest'
import type { ConnectorAdapter, JsonValue } from '@carepath/dsl'
import { RunRefusedError, foldEvents, resumeRun, startRun, traceOf, type EngineDeps, type RunEvent } from './index.ts'
import { claimFlow, fixedClock, subflowTestFlows, testFlow } from './testing/test-flows.ts'
import { testRegistry } from './testing/test-nodes.ts'

function depsWith(payer: ConnectorAdapter, extra: Partial<EngineDeps> = {}): EngineDeps & { calls: JsonValue[] } {
  const calls: JsonValue[] = []
  return {
    registry: testRegistry,
    clock: fixedClock(),
    connectors: {
      payer: async (request, meta) => {
        calls.push(request)
        return payer(request, meta)
      },
    },
    calls,
    ...extra,
  }
}
const active: ConnectorAdapter = async () => ({ status: 'active' })

describe('startRun', () => {
  it('walks from the start, records the decision and ends with the outcome', async () => {
    const state = await startRun(claimFlow, { memberId: 'M1', amount: 40 }, depsWith(active), { runId: 'r1' })
    expect(state.status).toBe('completed')
    expect(state.outcome).toBe('auto-approved')
    expect(state.path).toEqual(['start', 'fetch', 'amount', 'auto'])
    expect(state.ports).toEqual(['start.default', 'fetch.ok', 'amount.low'])
    expect(state.facts).toEqual({ memberId: 'M1', amount: 40, coverage: { status: 'active' }, band: 'low' })
    expect(state.decisions[0]?.explanation.rules[0]?.conditions[0]).toMatchObject({
      fact: 'amount',
      seen: 40,
      result: false,
    })
  })

  it('pauses on a human step with a task naming the role, fields and shown facts', async () => {
    const state = await startRun(claimFlow, { memberId: 'M1', amount: 400 }, depsWith(active), { runId: 'r2' })
    expect(state.status).toBe('waiting')
    expect(state.openTask).toMatchObject({ nodeId: 'ask', request: { role: 'agent', shows: ['amount'] } })
    expect(state.openTask?.taskId).toBe(`r2:task:${state.events.length - 1}`)
  })

  it('routes a connector failure to the error port, or fails the run naming the node', async () => {
    const down: ConnectorAdapter = async () => {
      throw new Error('payer is down')
    }
    const routed = await startRun(claimFlow, { memberId: 'M1', amount: 1 }, depsWith(down), { runId: 'r3' })
    expect(routed.outcome).toBe('manual-review')
    const noErrorPort = testFlow('no-error', {
      start: { type: 'test.start', next: { default: 'fetch' } },
      fetch: {
        type: 'test.fetch',
        config: { connector: 'payer', idFrom: 'memberId', into: 'coverage' },
        next: { ok: 'end' },
      },
      end: { type: 'test.end', config: { outcome: 'ok' } },
    })
    const failed = await startRun(noErrorPort, { memberId: 'M1' }, depsWith(down), { runId: 'r4' })
    expect(failed.status).toBe('failed')
    expect(failed.error).toEqual({ nodeId: 'fetch', message: 'payer is down' })
  })

  it('fails a run whose node writes a fact its type did not declare', async () => {
    const flow = testFlow('rogue', {
      start: { type: 'test.start', next: { default: 'rogue' } },
      rogue: { type: 'test.rogue', next: { default: 'end' } },
      end: { type: 'test.end', config: { outcome: 'ok' } },
    })
    const state = await startRun(flow, {}, depsWith(active), { runId: 'r5' })
    expect(state.status).toBe('failed')
    expect(state.error?.nodeId).toBe('rogue')
    expect(state.error?.message).toContain('"theirs"')
    expect(state.facts).toEqual({})
  })

  it('stops a loop at its maxVisits bound', async () => {
    const loop = (limit: number) =>
      testFlow('loop', {
        start: { type: 'test.start', next: { default: 'count' } },
        count: {
          type: 'test.count',
          config: { fact: 'n', limit },
          next: { again: 'count', done: 'end' },
          maxVisits: 5,
        },
        end: { type: 'test.end', config: { outcome: 'counted' } },
      })
    const ok = await startRun(loop(5), {}, depsWith(active), { runId: 'r6' })
    expect(ok.outcome).toBe('counted')
    expect(ok.facts).toEqual({ n: 5 })
    const runaway = await startRun(loop(50), {}, depsWith(active), { runId: 'r7' })
    expect(runaway.status).toBe('failed')
    expect(runaway.error?.message).toContain('maxVisits')
  })

  it('refuses a flow with an unknown node type before writing anything', async () => {
    const flow = testFlow('unknown', { start: { type: 'test.nope' } })
    const events: RunEvent[] = []
    await expect(
      startRun(flow, {}, depsWith(active, { onEvent: (e) => void events.push(e) }), { runId: 'r8' }),
    ).rejects.toThrow(RunRefusedError)
    expect(events).toEqual([])
  })

  it('retries a failing connector per its policy, waiting through the injected sleep', async () => {
    let attempts = 0
    const flaky: ConnectorAdapter = async () => {
      attempts++
      if (attempts < 3) throw new Error('timeout')
      return { status: 'active' }
    }
    const waits: number[] = []
    const deps = depsWith(flaky, {
      retry: { payer: { attempts: 3, backoffMs: 100 } },
      sleep: async (ms) => void waits.push(ms),
    })
    const state = await startRun(claimFlow, { memberId: 'M1', amount: 1 }, deps, { runId: 'r9' })
    expect(state.outcome).toBe('auto-approved')
    expect(waits).toEqual([100, 200])
    expect(state.events.flatMap((e) => (e.type === 'connector.request' ? [e.data.attempt] : []))).toEqual([1, 2, 3])
  })
})

describe('resumeRun', () => {
  it('answers the open task; a wrong answer is refused and changes nothing', async () => {
    const deps = depsWith(active)
    const waiting = await startRun(claimFlow, { memberId: 'M1', amount: 400 }, deps, { runId: 'r10' })
    const taskId = waiting.openTask?.taskId ?? ''
    const refused = resumeRun(
      claimFlow,
      waiting.events,
      { type: 'answer', taskId, answer: { approved: 'maybe' } },
      deps,
    )
    await expect(refused).rejects.toMatchObject({ code: 'invalid-answer', path: 'approved' })
    const done = await resumeRun(
      claimFlow,
      waiting.events,
      { type: 'answer', taskId, answer: { approved: false } },
      deps,
    )
    expect(done.outcome).toBe('denied')
    expect(done.facts.approved).toBe(false)
    expect(deps.calls).toHaveLength(1) // the recorded payer response was replayed, not fetched again
    await expect(
      resumeRun(claimFlow, waiting.events, { type: 'answer', taskId: 'nope', answer: {} }, deps),
    ).rejects.toMatchObject({ code: 'no-open-task' })
  })

  it('fires a timer only when it is due', async () => {
    const clock = fixedClock('2026-01-01T09:00:00.000Z')
    const flow = testFlow('waits', {
      start: { type: 'test.start', next: { default: 'pause' } },
      pause: { type: 'test.wait', config: { minutes: 30 }, next: { done: 'end' } },
      end: { type: 'test.end', config: { outcome: 'woke' } },
    })
    const deps = depsWith(active, { clock })
    const waiting = await startRun(flow, {}, deps, { runId: 'r11' })
    expect(waiting).toMatchObject({ status: 'waiting', waitUntil: '2026-01-01T09:30:00.000Z' })
    await expect(resumeRun(flow, waiting.events, { type: 'timer' }, deps)).rejects.toMatchObject({ code: 'not-due' })
    clock.set('2026-01-01T09:30:00.000Z')
    const done = await resumeRun(flow, waiting.events, { type: 'timer' }, deps)
    expect(done.outcome).toBe('woke')
  })

  it('resumes a run interrupted after any event to the same trace, never repeating a recorded call', async () => {
    const input = { memberId: 'M7', amount: 250 }
    const answer = async (events: RunEvent[], deps: EngineDeps) => {
      const state = foldEvents(events)
      if (state.status !== 'waiting' || !state.openTask) return state
      return resumeRun(
        claimFlow,
        events,
        { type: 'answer', taskId: state.openTask.taskId, answer: { approved: true } },
        deps,
      )
    }
    const reference = await answer(
      (await startRun(claimFlow, input, depsWith(active), { runId: 'r12' })).events,
      depsWith(active),
    )
    for (let cut = 1; cut < reference.events.length; cut++) {
      const persisted: RunEvent[] = []
      const crashing = depsWith(active, {
        onEvent: (event) => {
          if (persisted.length === cut) throw new Error('power lost')
          persisted.push(event)
        },
      })
      let state = await startRun(claimFlow, input, crashing, { runId: 'r12' }).catch(() => undefined)
      if (state?.status === 'waiting') state = await answer(state.events, crashing).catch(() => undefined)
      const recovered = depsWith(active)
      let resumed = await resumeRun(claimFlow, persisted, { type: 'continue' }, recovered)
      resumed = await answer(resumed.events, recovered)
      expect(traceOf(resumed.events)).toBe(traceOf(reference.events))
      const recordedResponse = persisted.some((e) => e.type === 'connector.response')
      if (recordedResponse) expect(recovered.calls).toHaveLength(0)
    }
  })

  it('hands every new event to onEvent in order, numbered by its place in the log', async () => {
    const seen: RunEvent[] = []
    const state = await startRun(
      claimFlow,
      { memberId: 'M1', amount: 5 },
      depsWith(active, { onEvent: (e) => void seen.push(e) }),
      { runId: 'r16' },
    )
    expect(seen).toEqual(state.events)
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, index) => index))
  })

  it('refuses a log whose recorded decision was altered, appending nothing', async () => {
    const deps = depsWith(active)
    const waiting = await startRun(claimFlow, { memberId: 'M1', amount: 400 }, deps, { runId: 'r17' })
    const tampered = structuredClone(waiting.events)
    const decision = tampered.find((e) => e.type === 'decision')
    if (decision?.type !== 'decision') throw new Error('the run made no decision')
    decision.data.port = 'low'
    const appended: RunEvent[] = []
    const watching = depsWith(active, { onEvent: (e) => void appended.push(e) })
    await expect(resumeRun(claimFlow, tampered, { type: 'continue' }, watching)).rejects.toMatchObject({
      code: 'log-mismatch',
    })
    expect(appended).toEqual([])
  })

  it('refuses a log that belongs to another version of the flow', async () => {
    const deps = depsWith(active)
    const waiting = await startRun(claimFlow, { memberId: 'M1', amount: 400 }, deps, { runId: 'r13' })
    const changed = structuredClone(claimFlow)
    ;(changed.nodes.amount as { config: Record<string, unknown> }).config.min = 500
    await expect(resumeRun(changed, waiting.events, { type: 'continue' }, deps)).rejects.toMatchObject({
      code: 'log-mismatch',
    })
  })
})

describe('subflows', () => {
  it('runs the pinned version by hash and stores its result', async () => {
    const { child, parent } = subflowTestFlows
    const { flowHashOf } = await import('./index.ts')
    const hash = flowHashOf(child)
    const deps = depsWith(active, {
      loadFlow: async (id, _hash) => (id === 'child' ? child : Promise.reject(new Error('missing'))),
    })
    const state = await startRun(parent(hash), { amount: 12 }, deps, { runId: 'r14' })
    expect(state.outcome).toBe('ok')
    expect(state.facts.result).toEqual({ outcome: 'big', facts: { amount: 12 } })
    expect(state.path).toEqual(['start', 'call', 'end'])
    expect(state.events.find((e) => e.type === 'subflow.started')?.data).toMatchObject({ runId: 'r14:sub:4', hash })
    const wrongPin = await startRun(parent('0'.repeat(64)), { amount: 12 }, deps, { runId: 'r15' })
    expect(wrongPin.outcome).toBe('subflow-failed')
  })
})
