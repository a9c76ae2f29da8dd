// Which of the author's own test cases a report says fail: a failed expectation, or a run that
// could not end the way the case expects. Generated probes never block: they test rule
// branches, not what the author promised.
import { EVALUATOR_PARITY_DIFFERENCE } from '@carepath/dsl'
import type { SimulationReport } from '@carepath/engine'

/** One failing test case, by its id and the name its author gave it. */
export interface FailingCase {
  id: string
  name: string
}

/** The report's suite cases that failed, in suite order. */
export function failingTestCases(report: Pick<SimulationReport, 'cases'>): FailingCase[] {
  return report.cases
    .filter((c) => c.source === 'suite' && c.status === 'failed')
    .map((c) => ({ id: c.id, name: c.name ?? c.id }))
}

/**
 * Cases of any source (suite, generated probe) where the compiled decisions and
 * json-rules-engine decided differently: the review simulates with both on every decision, and
 * a version whose compiled form is not proven equal on its own cases is not published.
 */
export function parityDifferences(report: Pick<SimulationReport, 'cases'>): FailingCase[] {
  return report.cases
    .filter((c) => c.problems.some((problem) => problem.includes(EVALUATOR_PARITY_DIFFERENCE)))
    .map((c) => ({ id: c.id, name: c.name ?? c.id }))
}
