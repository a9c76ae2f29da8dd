import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import {
  parseSuite,
  replayRecorded,
  reportToMarkdown,
  simulate,
  simulationVerdict,
  startRun,
  stepNames,
  suiteJsonSchema,
  type Suite,
} from '../index.ts'
import { claimFlow, fixedClock } from '../testing/test-flows.ts'
import { testRegistry } from '../testing/test-nodes.ts'

const suite: Suite = {
  flow: 'claim',
  cases: [
    {
      id: 'small',
      input: { memberId: 'M1', amount: 40 },
      mocks: { fetch: { status: 'active' } },
      expect: { outcome: 'auto-approved' },
    },
    {
      id: 'large-yes',
      input: { memberId: 'M2', amount: 400 },
      mocks: { fetch: { status: 'active' } },
      answers: { ask: { approved: true } },
    },
    {
      id: 'payer-down',
      input: { memberId: 'M3', amount: 400 },
      mocks: { fetch: { $error: 'timeout' } },
      expect: { outcome: 'manual-review', path: ['fetch', 'manual'] },
    },
  ],
}
const options = { registry: testRegistry }

function withMin(min: number): FlowDocument {
  const copy = structuredClone(claimFlow)
  ;(copy.nodes.amount as { config: Record<string, unknown> }).config.min = min
  return copy
}

describe('simulate', () => {
  it('names the steps of a missed path expectation by their titles, not their ids', async () => {
    const titled = structuredClone(claimFlow)
    titled.nodes.fetch = { ...titled.nodes.fetch!, title: 'Look up the member' }
    titled.nodes.manual = { ...titled.nodes.manual!, title: 'Send to manual review' }
    const expectsManual: Suite = {
      flow: 'claim',
      cases: [{ ...suite.cases[0]!, expect: { path: ['fetch', 'manual'] } }],
    }
    const report = await simulate(null, titled, expectsManual, options)
    const [failure] = report.cases[0]?.expectationFailures ?? []
    expect(failure).toContain('expected the path to pass "Look up the member" → "Send to manual review"')
    expect(failure).toContain('(missing "Send to manual review")')
    // A step without a title of its own reads as its type in words and a number, never its id.
    expect(failure).not.toMatch(/"(start|fetch|amount|manual)"/)
  })

  it('reports nothing changed for the same behaviour, even when nodes moved', async () => {
    const moved = { ...structuredClone(claimFlow), layout: { start: { x: 500, y: 20 } } }
    const report = await simulate(claimFlow, moved, suite, options)
    expect(report.summary).toEqual({ cases: 3, unchanged: 3, changed: 0, failed: 0, unexpected: 0 })
    expect(simulationVerdict(report)).toBe('pass')
    expect(report.cases.map((c) => c.outcome)).toEqual(['auto-approved', 'approved', 'manual-review'])
  })

  it('names the changed case and decision with both explanations when a threshold moves', async () => {
    const report = await simulate(claimFlow, withMin(30), suite, options)
    expect(simulationVerdict(report)).toBe('failed') // `small` expected auto-approval
    const small = report.cases.find((c) => c.id === 'small')
    expect(small?.status).toBe('failed')
    expect(small?.changes?.path).toEqual({ index: 3, base: 'auto', candidate: 'ask' })
    expect(small?.changes?.decisions[0]).toMatchObject({
      nodeId: 'amount',
      base: { outcome: 'low' },
      candidate: { outcome: 'high' },
    })
    expect(small?.changes?.decisions[0]?.candidate.explanation.rules[0]?.conditions[0]).toMatchObject({
      expected: 30,
      seen: 40,
    })
    expect(small?.changes?.facts).toContainEqual({ path: 'band', base: 'low', candidate: 'high' })
    expect(small?.problems).toContain('No answer for the human step "Test ask 1"; the run stops there.')
    expect(report.canvas.changedNodes.map((n) => n.id)).toContain('amount')
    expect(report.canvas.changedEdges).toContainEqual(
      expect.objectContaining({ id: 'amount:high->ask', side: 'candidate' }),
    )
    const markdown = reportToMarkdown(report, stepNames(claimFlow, withMin(30)))
    expect(markdown).toContain('`small`')
    expect(markdown).toContain('| Test threshold 1 | **low**')
  })

  it('treats a change the case expects as expected, and an unexpected one as changed', async () => {
    const expecting: Suite = {
      ...suite,
      cases: [{ ...suite.cases[0]!, answers: { ask: { approved: false } }, expect: { outcome: 'denied' } }],
    }
    const expected = await simulate(claimFlow, withMin(30), expecting, options)
    expect(expected.cases[0]).toMatchObject({ status: 'changed', expectedChange: true })
    expect(simulationVerdict(expected)).toBe('pass')
    const unexpected = await simulate(
      claimFlow,
      withMin(30),
      { ...expecting, cases: [{ ...expecting.cases[0]!, expect: undefined }] },
      options,
    )
    expect(unexpected.summary).toMatchObject({ changed: 1, unexpected: 1 })
    expect(simulationVerdict(unexpected)).toBe('changed')
  })

  it('catches a threshold change with generated cases that the suite did not test', async () => {
    const only400: Suite = { flow: 'claim', cases: [{ ...suite.cases[1]! }] }
    const plain = await simulate(claimFlow, withMin(101), only400, options)
    expect(plain.summary.changed).toBe(0)
    const generated = await simulate(claimFlow, withMin(101), only400, { ...options, generate: true })
    const changed = generated.cases.filter((c) => c.status === 'changed').map((c) => c.id)
    expect(changed.length).toBeGreaterThan(0)
    expect(changed.every((id) => id.startsWith('gen.amount.'))).toBe(true)
  })

  it('reports coverage and what was never reached', async () => {
    const report = await simulate(claimFlow, claimFlow, { flow: 'claim', cases: [suite.cases[0]!] }, options)
    expect(report.coverage.nodes.missed).toEqual(['approved', 'ask', 'denied', 'manual'])
    expect(report.coverage.ports.missed).toContain('amount.high')
    expect(report.coverage.rules).toEqual({ total: 1, covered: 0, missed: ['amount.at-least-min'] })
  })

  it('reports progress for every case', async () => {
    const seen: number[] = []
    await simulate(claimFlow, claimFlow, suite, { ...options, onProgress: ({ done }) => void seen.push(done) })
    expect(seen).toEqual([0, 1, 2, 3])
  })

  it('replays recorded runs against a candidate with their recorded connector results', async () => {
    let calls = 0
    const deps = {
      registry: testRegistry,
      clock: fixedClock(),
      connectors: { payer: async () => (calls++, { status: 'active' }) },
    }
    const recorded = await startRun(claimFlow, { memberId: 'M9', amount: 80 }, deps, { runId: 'prod-1' })
    const report = await replayRecorded(withMin(50), [{ id: 'prod-1', events: recorded.events }], options)
    expect(calls).toBe(1)
    expect(report.cases[0]).toMatchObject({ source: 'recorded', status: 'changed' })
    expect(report.cases[0]?.changes?.decisions[0]).toMatchObject({
      nodeId: 'amount',
      base: { outcome: 'low' },
      candidate: { outcome: 'high' },
    })
  })
})

describe('suite files', () => {
  it('refuses a suite with a repeated case id, naming where', () => {
    const result = parseSuite({
      flow: 'claim',
      cases: [
        { id: 'a', input: {} },
        { id: 'a', input: {} },
      ],
    })
    expect(result).toEqual({ ok: false, message: 'cases.1.id: the case id "a" is used twice' })
  })

  it('exports a JSON Schema for editors', () => {
    const schema = suiteJsonSchema() as { properties: Record<string, unknown> }
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['flow', 'cases']))
  })
})
