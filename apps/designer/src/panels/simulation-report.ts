// Reading a simulation report: per case, the base and candidate runs (path, outcome) and what
// changed, as the table and the side-by-side explanations show them.
import type { DecisionExplanation } from '@carepath/dsl'
import type { SimulationReport } from '../api/carepath-api.ts'

type CaseReport = SimulationReport['cases'][number]

export interface CaseView {
  id: string
  name: string
  /** The author's own test case, a case generated from the rules, or a recorded run. */
  source: CaseReport['source']
  changed: boolean
  /** Expectation failures of the candidate. */
  failures: string[]
  base: { path: string[]; outcome: string | null; status: string }
  candidate: { path: string[]; outcome: string | null; status: string }
  decisions: {
    nodeId: string
    base: { outcome: string; explanation?: DecisionExplanation }
    candidate: { outcome: string; explanation?: DecisionExplanation }
  }[]
  problems: string[]
}

function runOf(run: CaseReport['base'], sharedOutcome: string | null, unchanged: boolean): CaseView['base'] {
  // Unchanged cases carry only the shared outcome: both sides ended the same way, or both are
  // still waiting at the same step (they ran; the report keeps no more of them).
  const waitingAt = run?.waitingAt
  return {
    path: run?.path ?? [],
    outcome: run?.outcome ?? sharedOutcome ?? (waitingAt ? `waiting at ${waitingAt}` : null),
    status: run?.status ?? (sharedOutcome ? 'completed' : unchanged ? 'no outcome, same in both' : 'not-run'),
  }
}

/** The cases of a report, as the table lists them. */
export function readReport(report: Pick<SimulationReport, 'cases'>): CaseView[] {
  return report.cases.map((c) => {
    const shared = c.outcome ?? null
    return {
      id: c.id,
      name: c.name ?? c.id,
      source: c.source,
      changed: c.status !== 'unchanged',
      failures: c.expectationFailures,
      base: runOf(c.base, shared, c.status === 'unchanged'),
      candidate: runOf(c.candidate, shared, c.status === 'unchanged'),
      decisions: (c.changes?.decisions ?? []).map((d) => ({
        nodeId: d.nodeId,
        base: { outcome: d.base.outcome, explanation: d.base.explanation },
        candidate: { outcome: d.candidate.outcome, explanation: d.candidate.explanation },
      })),
      problems: c.problems,
    }
  })
}
