// Reading a simulation report: per case, the base and candidate runs (path, outcome) and what
// changed, as the table and the side-by-side explanations show them. The report names steps by
// id; the words shown to analysts name them by title, through a lookup the caller passes in.
import type { DecisionExplanation } from '@carepath/dsl'
import type { SimulationReport } from '../api/carepath-api.ts'

type CaseReport = SimulationReport['cases'][number]

/** One side of a case: its path and how it ended, or the step (an id) it is still waiting at. */
export interface RunView {
  path: string[]
  outcome: string | null
  status: string
  waitingAt: string | null
}

/** A step's title by its id. */
export type NodeTitleOf = (nodeId: string) => string

/** What the designer knows of a step to name it: its own title and its type. */
interface TitledNode {
  id: string
  data: { type: string; title?: string | undefined }
}

/**
 * Names steps as the canvas does: the step's title, else its type's title, else the id (a step the
 * document does not hold, such as one only the published version has).
 */
export function titleLookup(
  nodes: readonly TitledNode[],
  typeTitle: (type: string) => string | undefined,
): NodeTitleOf {
  const byId = new Map(nodes.map((n) => [n.id, n.data]))
  return (nodeId) => {
    const data = byId.get(nodeId)
    return data?.title?.trim() || (data && typeTitle(data.type)) || nodeId
  }
}

export interface CaseView {
  id: string
  name: string
  /** The author's own test case, a case generated from the rules, or a recorded run. */
  source: CaseReport['source']
  changed: boolean
  /** Expectation failures of the candidate. */
  failures: string[]
  base: RunView
  candidate: RunView
  decisions: {
    nodeId: string
    base: { outcome: string; explanation?: DecisionExplanation }
    candidate: { outcome: string; explanation?: DecisionExplanation }
  }[]
  problems: string[]
}

function runOf(run: CaseReport['base'], sharedOutcome: string | null, unchanged: boolean): RunView {
  // Unchanged cases carry only the shared outcome: both sides ended the same way, or both are
  // still waiting at the same step (they ran; the report keeps no more of them).
  return {
    path: run?.path ?? [],
    outcome: run?.outcome ?? sharedOutcome,
    status: run?.status ?? (sharedOutcome ? 'completed' : unchanged ? 'no outcome, same in both' : 'not-run'),
    waitingAt: run?.waitingAt ?? null,
  }
}

/** How one side ended, in words: its outcome, the step it waits at by title, or its status. */
function runWords(run: RunView, titleOf: NodeTitleOf): string {
  if (run.outcome !== null) return run.outcome
  return run.waitingAt !== null ? `waiting at ${titleOf(run.waitingAt)}` : run.status
}

/**
 * A case's result line ("verified → waiting at Tell the patient the estimate"), and the step ids
 * behind it for a details line (a tooltip), so the id never takes the title's place.
 */
export function caseResult(
  c: Pick<CaseView, 'base' | 'candidate'>,
  titleOf: NodeTitleOf,
): { text: string; details?: string } {
  const text = `${runWords(c.base, titleOf)} → ${runWords(c.candidate, titleOf)}`
  const ids = [
    c.base.outcome === null && c.base.waitingAt !== null ? `published waits at step id ${c.base.waitingAt}` : '',
    c.candidate.outcome === null && c.candidate.waitingAt !== null
      ? `draft waits at step id ${c.candidate.waitingAt}`
      : '',
  ].filter(Boolean)
  return ids.length ? { text, details: ids.join('; ') } : { text }
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
