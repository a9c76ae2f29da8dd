// What a reviewer must see, and only that: a case is changed when something observable differs
// (outcome, path, a decision's port or outputs, facts written, tasks opened, connector
// requests); rules or rows that were not selected and now fire differently are detail.
import { describe, expect, it } from 'vitest'
import type { FlowDocument, JsonValue } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { reportToMarkdown, simulate, type Suite } from '../index.ts'

const installed = registry.has('decision.table') && registry.has('decision.rules') && registry.has('end')

function triage(rows: { id: string; cells: string[]; outputs: JsonValue[] }[]): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id: 'triage',
    version: 1,
    title: 'Triage',
    roles: {},
    start: 'in',
    facts: {
      type: 'object',
      properties: {
        score: { type: 'number' },
        vitals: { type: 'object', properties: { hr: { type: 'number' }, spo2: { type: 'number' } } },
        triage: { type: 'object', properties: { points: { type: 'number' } } },
      },
    },
    nodes: {
      in: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'band' } },
      band: {
        type: 'decision.table',
        typeVersion: 1,
        config: {
          hitPolicy: 'first',
          inputs: [{ fact: 'score' }],
          outputs: [{ name: 'queue' }, { fact: 'triage.points' }],
          rows,
        },
        next: { urgent: 'urgent', watch: 'watch', routine: 'routine' },
      },
      urgent: { type: 'end', typeVersion: 1, config: { outcome: 'urgent' }, next: {} },
      watch: { type: 'end', typeVersion: 1, config: { outcome: 'watch' }, next: {} },
      routine: { type: 'end', typeVersion: 1, config: { outcome: 'routine' }, next: {} },
    },
    layout: {},
  } as FlowDocument
}

const base = triage([
  { id: 'high', cells: ['>= 20'], outputs: ['urgent', 3] },
  { id: 'mid', cells: ['[15..19]'], outputs: ['watch', 2] },
  { id: 'rest', cells: ['-'], outputs: ['routine', 0] },
])
const suite: Suite = {
  flow: 'triage',
  cases: [
    { id: 'score-25', input: { score: 25 } },
    { id: 'score-13', input: { score: 13 } },
    { id: 'score-5', input: { score: 5 } },
  ],
}

describe.skipIf(!installed)('diff fidelity', () => {
  it('does not count a case whose chosen row, outputs and path are the same when a lower row now also matches', async () => {
    // The middle row widens: 25 now matches it too (but `high` still decides); 13 now takes it.
    const candidate = triage([
      { id: 'high', cells: ['>= 20'], outputs: ['urgent', 3] },
      { id: 'mid', cells: ['[12..30]'], outputs: ['watch', 2] },
      { id: 'rest', cells: ['-'], outputs: ['routine', 0] },
    ])
    const report = await simulate(base, candidate, suite, { registry })
    expect(report.summary).toMatchObject({ cases: 3, unchanged: 2, changed: 1 })
    const [high, moved, low] = report.cases
    expect(high).toMatchObject({ id: 'score-25', status: 'unchanged', outcome: 'urgent' })
    expect(high?.detail).toEqual([
      {
        nodeId: 'band',
        visit: 1,
        outcome: 'urgent',
        base: { fired: ['high', 'rest'] },
        candidate: { fired: ['high', 'mid', 'rest'] },
      },
    ])
    expect(moved).toMatchObject({ id: 'score-13', status: 'changed' })
    expect(moved?.changes?.decisions.map((d) => [d.base.outcome, d.candidate.outcome])).toEqual([['routine', 'watch']])
    expect(moved?.changes?.facts).toEqual([{ path: 'triage.points', base: 0, candidate: 2 }])
    expect(low).toMatchObject({ id: 'score-5', status: 'unchanged' })
    expect(low?.detail).toBeUndefined()
    expect(reportToMarkdown(report)).toContain('1 unchanged case had other rules or rows fire differently')
  })

  it('counts a case whose decision chose the same port but wrote another output', async () => {
    const candidate = triage([
      { id: 'high', cells: ['>= 20'], outputs: ['urgent', 4] },
      { id: 'mid', cells: ['[15..19]'], outputs: ['watch', 2] },
      { id: 'rest', cells: ['-'], outputs: ['routine', 0] },
    ])
    const report = await simulate(base, candidate, suite, { registry })
    const high = report.cases.find((c) => c.id === 'score-25')
    expect(high?.status).toBe('changed')
    expect(high?.changes?.decisions[0]?.candidate.explanation.outputs).toEqual({ queue: 'urgent', 'triage.points': 4 })
  })

  it('counts a change in what the run asks of the world (a connector request) even when the outcome is the same', async () => {
    const withPayer = (plan: string): FlowDocument => {
      const flow = structuredClone(base)
      flow.nodes.in = { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'ask' } }
      flow.nodes.ask = {
        type: 'http.request',
        typeVersion: 1,
        config: { method: 'POST', url: `https://payer.example/${plan}`, into: 'reply' },
        next: { ok: 'band', failed: 'band', error: 'band' },
      }
      return flow
    }
    if (!registry.has('http.request')) return
    const cases = suite.cases.map((c) => ({ ...c, mocks: { ask: { status: 200, body: {} } } }))
    const report = await simulate(withPayer('a'), withPayer('b'), { ...suite, cases }, { registry })
    const first = report.cases[0]
    expect(first?.status).toBe('changed')
    expect(first?.changes?.effects).toEqual([
      expect.objectContaining({ kind: 'connector', index: 0, base: expect.objectContaining({ nodeId: 'ask' }) }),
    ])
  })

  it('generates probes that reach a condition nested beside another (hr > 120 → hr > 110 under any, beside spo2 < 90)', async () => {
    const vitals = (hr: number): FlowDocument => {
      const flow = structuredClone(base)
      flow.nodes.in = { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'alarm' } }
      flow.nodes.alarm = {
        type: 'decision.rules',
        typeVersion: 1,
        config: {
          defaultOutcome: 'routine',
          rules: [
            {
              id: 'unstable',
              conditions: {
                any: [
                  { fact: 'vitals.spo2', operator: 'lessThan', value: 90 },
                  { fact: 'vitals.hr', operator: 'greaterThan', value: hr },
                ],
              },
              event: { type: 'urgent' },
            },
          ],
        },
        next: { urgent: 'urgent', routine: 'routine' },
      }
      delete flow.nodes.band
      delete flow.nodes.watch
      return flow
    }
    const calm: Suite = { flow: 'triage', cases: [{ id: 'calm', input: { vitals: { hr: 70, spo2: 98 } } }] }
    const plain = await simulate(vitals(120), vitals(110), calm, { registry })
    expect(plain.summary.changed).toBe(0)
    const report = await simulate(vitals(120), vitals(110), calm, { registry, generate: true })
    const changed = report.cases.filter((c) => c.status === 'changed')
    expect(changed.length).toBeGreaterThan(0)
    for (const c of changed) {
      // The carrier's spo2 (98) or a value that leaves spo2 < 90 false: heart rate decides alone.
      expect(c.probe?.set['vitals.spo2'] ?? 98).toBeGreaterThanOrEqual(90)
      expect(c.changes?.decisions[0]).toMatchObject({
        nodeId: 'alarm',
        base: { outcome: 'routine' },
        candidate: { outcome: 'urgent' },
      })
    }
  })

  it('names, in plain words, the conditions no case made decide their rule, and generated probes reach them', async () => {
    const flow = structuredClone(base)
    flow.nodes.in = { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'alarm' } }
    flow.nodes.alarm = {
      type: 'decision.rules',
      typeVersion: 1,
      title: 'Vital signs alarm',
      config: {
        defaultOutcome: 'routine',
        rules: [
          {
            id: 'unstable',
            name: 'Unstable vitals',
            conditions: {
              all: [
                { fact: 'vitals.hr', operator: 'exists', value: true },
                {
                  any: [
                    { fact: 'vitals.spo2', operator: 'lessThan', value: 90 },
                    { fact: 'vitals.hr', operator: 'greaterThan', value: 120 },
                  ],
                },
              ],
            },
            event: { type: 'urgent' },
          },
        ],
      },
      next: { urgent: 'urgent', routine: 'routine' },
    }
    delete flow.nodes.band
    delete flow.nodes.watch
    // Both alarms at once: neither heart rate nor oxygen decides the rule alone.
    const both: Suite = { flow: 'triage', cases: [{ id: 'both', input: { vitals: { hr: 130, spo2: 85 } } }] }
    const plain = await simulate(flow, flow, both, { registry })
    expect(plain.coverage.conditions).toEqual({
      total: 3,
      covered: 1,
      unreached: [
        {
          nodeId: 'alarm',
          node: 'Vital signs alarm',
          rule: 'Unstable vitals',
          condition: 'vitals.spo2 lessThan 90',
        },
        {
          nodeId: 'alarm',
          node: 'Vital signs alarm',
          rule: 'Unstable vitals',
          condition: 'vitals.hr greaterThan 120',
        },
      ],
    })
    expect(reportToMarkdown(plain)).toContain('Vital signs alarm, rule “Unstable vitals”: `vitals.hr greaterThan 120`')
    const generated = await simulate(flow, flow, both, { registry, generate: true })
    expect(generated.coverage.conditions).toEqual({ total: 3, covered: 3, unreached: [] })
  })
})
