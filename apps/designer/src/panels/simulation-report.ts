// Reading a simulation report: per case, the base and candidate runs (path, outcome) and what
// changed, whatever optional members the engine filled in.
import type { DecisionExplanation } from '@carepath/dsl'

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

type Loose = Record<string, unknown>
const obj = (v: unknown): Loose => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

function runOf(v: unknown, fallbackOutcome: string | null): CaseView['base'] {
  const run = obj(obj(v).summary ?? v)
  const waitingAt = str(run.waitingAt)
  // Unchanged cases carry only the shared outcome: both sides ended the same way.
  const status = str(run.status) ?? (fallbackOutcome ? 'completed' : 'not-run')
  return {
    path: arr(run.path).filter((p): p is string => typeof p === 'string'),
    outcome: str(run.outcome) ?? fallbackOutcome ?? (waitingAt ? `waiting at ${waitingAt}` : null),
    status,
  }
}

/** The cases of a report, normalised for the table. */
export function readReport(report: unknown): CaseView[] {
  const root = obj(report)
  const cases = arr(root.cases ?? root.results)
  return cases.map((raw, index) => {
    const c = obj(raw)
    const changes = obj(c.changes ?? c.diff)
    const shared = str(c.outcome)
    const base = runOf(c.base, shared)
    const candidate = runOf(c.candidate, shared)
    const decisions = arr(changes.decisions).map((d) => {
      const x = obj(d)
      const b = obj(x.base)
      const k = obj(x.candidate)
      return {
        nodeId: str(x.nodeId) ?? '?',
        base: { outcome: str(b.outcome) ?? '', explanation: b.explanation as DecisionExplanation | undefined },
        candidate: { outcome: str(k.outcome) ?? '', explanation: k.explanation as DecisionExplanation | undefined },
      }
    })
    const status = str(c.status)
    const changedFlag =
      typeof c.changed === 'boolean'
        ? c.changed
        : status
          ? status !== 'unchanged'
          : Object.keys(changes).length > 0 &&
            (decisions.length > 0 ||
              'path' in changes ||
              'outcome' in changes ||
              'status' in changes ||
              arr(changes.facts).length > 0)
    return {
      id: str(c.id) ?? str(c.caseId) ?? `case-${index + 1}`,
      name: str(c.name) ?? str(obj(c.case).name) ?? str(c.id) ?? `Case ${index + 1}`,
      changed: changedFlag,
      failures: arr(c.failures ?? c.expectationFailures).map(String),
      base,
      candidate,
      decisions,
      problems: [...arr(c.problems), ...arr(obj(c.base).problems), ...arr(obj(c.candidate).problems)].map(String),
    }
  })
}
