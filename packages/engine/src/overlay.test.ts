// The simulation-only overlay hook: facts set as the run enters one node, recorded in the log.
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { RunRefusedError, resumeRun, startRun, traceOf, type EngineDeps, type OverlaySite } from './index.ts'
import { claimFlow, fixedClock } from './testing/test-flows.ts'
import { testRegistry } from './testing/test-nodes.ts'

function deps(overlay?: EngineDeps['overlay']): EngineDeps {
  return {
    registry: testRegistry,
    clock: fixedClock(),
    connectors: { payer: async () => ({ status: 'active' }) },
    ...(overlay ? { overlay } : {}),
  }
}

/** Sets `amount` to 150 on the first entry to the `amount` decision, and notes every site asked. */
function probeAtAmount(asked: OverlaySite[] = []): EngineDeps['overlay'] {
  return (site) => {
    asked.push(site)
    return site.nodeId === 'amount' && site.visit === 1 ? ({ amount: 150 } as Record<string, JsonValue>) : undefined
  }
}

describe('EngineDeps.overlay', () => {
  it('sets the facts only as the named node is entered, before it decides, as a recorded probe event', async () => {
    const asked: OverlaySite[] = []
    const state = await startRun(claimFlow, { memberId: 'M1', amount: 40 }, deps(probeAtAmount(asked)), {
      runId: 'r-1',
    })
    const probes = state.events.filter((e) => e.type === 'facts.set' && e.data.source === 'simulation-probe')
    expect(probes).toHaveLength(1)
    expect(probes[0]).toMatchObject({ nodeId: 'amount', data: { set: { amount: 150 }, source: 'simulation-probe' } })
    const index = state.events.indexOf(probes[0]!)
    expect(state.events[index - 1]).toMatchObject({ type: 'node.entered', nodeId: 'amount' })
    expect(state.events[index + 1]).toMatchObject({ type: 'decision', nodeId: 'amount', data: { port: 'high' } })
    expect(state.path).toEqual(['start', 'fetch', 'amount', 'ask'])
    expect(asked.map((s) => s.nodeId)).toEqual(['start', 'fetch', 'amount', 'ask'])
    // Without the hook the same input is approved automatically.
    const plain = await startRun(claimFlow, { memberId: 'M1', amount: 40 }, deps(), { runId: 'r-1' })
    expect(plain.outcome).toBe('auto-approved')
    expect(plain.events.some((e) => e.type === 'facts.set' && e.data.source === 'simulation-probe')).toBe(false)
  })

  it('gives the same trace on every run and replays from its log', async () => {
    const first = await startRun(claimFlow, { memberId: 'M1', amount: 40 }, deps(probeAtAmount()), { runId: 'r-2' })
    const second = await startRun(claimFlow, { memberId: 'M1', amount: 40 }, deps(probeAtAmount()), { runId: 'r-2' })
    expect(traceOf(second.events)).toBe(traceOf(first.events))
    expect(first.status).toBe('waiting')
    const taskId = first.openTask?.taskId ?? ''
    const done = await resumeRun(
      claimFlow,
      first.events,
      { type: 'answer', taskId, answer: { approved: true } },
      deps(probeAtAmount()),
    )
    expect(done.outcome).toBe('approved')
    expect(traceOf(done.events.slice(0, first.events.length))).toBe(traceOf(first.events))
    // A log with probe facts is not passed off as a plain run: resuming it without the hook is refused.
    const refused = resumeRun(claimFlow, first.events, { type: 'answer', taskId, answer: { approved: true } }, deps())
    await expect(refused).rejects.toBeInstanceOf(RunRefusedError)
  })
})
