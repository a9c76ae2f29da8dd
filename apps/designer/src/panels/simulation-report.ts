// Reading a simulation report: per case, the base and candidate runs (path, outcome) and what
// changed, as the table and the side-by-side explanations show them.
import type { DecisionExplanation } from '@carepath/dsl'
import type { SimulationReport } from '../api/carepath-api.ts'

type CaseReport = SimulationReport['cases'][number]

export interface CaseView {
  id: string
  name: string
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

function runOf(run: CaseReport['base'], sharedOutcome: string | null): CaseView['base'] {
  // Unchanged cases carry only the shared outcome: both sides ended the same way.
  const waitingAt = run?.waitingAt
  return {
    path: run?.path ?? [],
    outcome: run?.outcome ?? sharedOutcome ?? (waitingAt ? `waiting at ${waitingAt}` : null),
    status: run?.status ?? (sharedOutcome ? 'completed' : 'not-run'),
  }
}

/** The cases of a report, as the table lists them. */
export function readReport(report: Pick<SimulationReport, 'cases'>): CaseView[] {
  return report.cases.map((c) => {
    const shared = c.outcome ?? null
    return {
      id: c.id,
      name: c.name ?? c.id,
      changed: c.status !== 'unchanged',
      failures: c.expectationFailures,
      base: runOf(c.base, shared),
      candidate: runOf(c.candidate, shared),
      decisions: (c.changes?.decisions ?? []).map((d) => ({
        nodeId: d.nodeId,
        base: { outcome: d.base.outcome, explanation: d.base.explanation },
        candidate: { outcome: d.candidate.outcome, explanation: d.candidate.explanation },
      })),
      problems: c.problems,
    }
  })
}
