// Which of the author's own test cases a report says fail: a failed expectation, or a run that
// could not end the way the case expects. Generated probes never block: they test rule
// branches, not what the author promised.
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
