// Publishing checks the compiled decisions against json-rules-engine on the suite's cases and
// the generated ones: the review's simulation runs every decision on both (`parity`), and a
// difference in any case, generated probes included, blocks publishing. The decision below
// stands in for a compiled form that disagrees: it fails only when asked to check both.
import { describe, expect, it } from 'vitest'
import { createNodeRegistry, EVALUATOR_PARITY_DIFFERENCE, toJson, type FlowDocument } from '@carepath/dsl'
import type { SimulationReport } from '@carepath/engine'
import { intakeFlow, intakeSuite, testRegistry } from '../testing/index.ts'
import { failingTestCases, parityDifferences } from './failing-cases.ts'
import { createSimulationPort } from './simulation-port.ts'

const threshold = testRegistry.get('test.threshold')!
const disagreeing = {
  ...threshold,
  // Generated cases: one on each side of the threshold.
  cases: () => [{ score: 4 }, { score: 6 }],
  execute: (...args: Parameters<typeof threshold.execute>) => {
    const [ctx] = args
    if (ctx.decisionEvaluator === 'parity')
      throw new Error(`${EVALUATOR_PARITY_DIFFERENCE} (first difference at character 12 of the result)`)
    return threshold.execute(...args)
  },
}
const registry = createNodeRegistry([...testRegistry.list().filter((t) => t.type !== 'test.threshold'), disagreeing])

async function review(candidate: FlowDocument): Promise<SimulationReport> {
  return await createSimulationPort(registry).run({
    base: null,
    candidate,
    suites: [toJson(intakeSuite)],
    generate: true,
  })
}

describe('parity at publish', () => {
  it('runs the suite and generated cases on both evaluators and names every case where they differ', async () => {
    const report = await review(intakeFlow())
    const differing = parityDifferences(report)
    const suiteIds = intakeSuite.cases.map((c) => c.id)
    expect(differing.map((c) => c.id)).toEqual(expect.arrayContaining(suiteIds))
    expect(report.cases.filter((c) => c.source === 'generated').length).toBeGreaterThan(0)
    expect(differing.some((c) => c.id.startsWith('gen.'))).toBe(true)
    expect(failingTestCases(report).length).toBe(suiteIds.length)
  })

  it('finds no difference where the evaluators agree', async () => {
    const agreeing = await createSimulationPort(testRegistry).run({
      base: null,
      candidate: intakeFlow(),
      suites: [toJson(intakeSuite)],
      generate: true,
    })
    expect(parityDifferences(agreeing)).toEqual([])
    expect(agreeing.summary.failed).toBe(0)
  })
})
