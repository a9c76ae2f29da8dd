import { describe, expect, it } from 'vitest'
import { REDACTED, type DecisionExplanation, type FactSchema } from '@carepath/dsl'
import { foldEvents, type RunEvent } from '@carepath/engine'
import { runViewOf } from '../runs/run-view.ts'
import type { RunRow } from '../runs/run-store.ts'
import { patientValuesOfRun } from './free-text.ts'
import { runViewPolicy } from './run-view.policy.ts'

const NAME = 'Araminta Viewfield'
const schema: FactSchema = {
  type: 'object',
  properties: { patient: { type: 'object', properties: { name: { type: 'string', 'x-phi': 'demographic' } } } },
}
const why = (seen: string): DecisionExplanation => ({
  outcome: 'yes',
  fired: ['named'],
  rules: [
    {
      id: 'named',
      fired: true,
      conditions: [{ path: 'all.0', fact: 'patient.name', operator: 'notEqual', expected: '', seen, result: true }],
    },
  ],
})
const at = '2026-03-01T09:00:00.000Z'
const log: RunEvent[] = [
  {
    seq: 0,
    at,
    type: 'run.started',
    data: { runId: 'r', flowId: 'f', flowHash: 'h', input: { patient: { name: NAME } } },
  },
  { seq: 1, at, type: 'decision', nodeId: 'check', data: { port: 'yes', explanation: why(NAME) } },
  // The same fact path in a subflow belongs to the child flow's schema, not this one's.
  { seq: 2, at, type: 'decision', nodeId: 'inner', scope: 'child', data: { port: 'yes', explanation: why(NAME) } },
  { seq: 3, at, type: 'run.ended', data: { status: 'completed', outcome: 'done' } },
]
const row: RunRow = {
  id: 'r',
  flow_id: 'f',
  hash: 'h',
  status: 'completed',
  outcome: 'done',
  idempotency_key: 'k',
  started_by: 'agent',
  created_at: at,
  updated_at: at,
  event_count: log.length,
  wait_until: null,
}

describe('the run view by its policy', () => {
  const view = runViewOf(row, foldEvents(log), [])
  const ctx = { schema, allowed: ['none', 'demographic'] as const, patientValues: patientValuesOfRun(log) }

  it('shows a role allowed the class the name in facts and top-level decisions, never in a subflow decision', () => {
    const shown = runViewPolicy(view, { ...ctx, allowed: [...ctx.allowed] })
    expect(shown.facts).toEqual({ patient: { name: NAME } })
    const [top, inner] = shown.decisions
    expect(top?.explanation.rules[0]?.conditions[0]?.seen).toBe(NAME)
    expect(inner).toMatchObject({ scope: 'child', nodeId: 'inner' })
    expect(inner?.explanation.rules[0]?.conditions[0]?.seen).toBe(REDACTED)
    expect(shown).toMatchObject({ id: 'r', flowId: 'f', status: 'completed', outcome: 'done', path: [] })
  })

  it('shows a role with no PHI classes no patient value at all', () => {
    const shown = runViewPolicy(view, { ...ctx, allowed: ['none'] })
    expect(JSON.stringify(shown)).not.toContain(NAME)
    expect(shown.events).toHaveLength(log.length)
  })
})
