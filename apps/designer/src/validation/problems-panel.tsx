// Every problem validation found, errors first, in plain words (the path only in a details line); choosing one (click, or Enter/Space on it)
// selects its node and brings it into view.
import { memo, useMemo } from 'react'
import { useReactFlow } from '@xyflow/react'
import { plainProblem, type Problem } from '@carepath/dsl'
import { useEditor } from '../store/editor.store.ts'
import { AddToFactsButton } from '../features/facts/add-to-facts-button.tsx'
import { useDocumentNodes } from './use-document-nodes.ts'
import { useQueueProblems } from './use-queue-problems.ts'

/**
 * A key that follows the problem, not its place in the list: validation re-runs as the analyst
 * types, and an index key would let a re-sorted list put another problem under the pointer
 * between finding a row and clicking it.
 */
function problemKey(problem: Problem): string {
  return `${problem.severity} ${problem.code} ${problem.nodeId ?? ''} ${problem.path} ${problem.message}`
}

/** Each problem with its key; the same problem reported twice gets a counted second key. */
function withKeys(problems: Problem[]): { problem: Problem; key: string }[] {
  const seen = new Map<string, number>()
  return problems.map((problem) => {
    const base = problemKey(problem)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    return { problem, key: count === 0 ? base : `${base} #${count}` }
  })
}

function ProblemsPanelView() {
  const checked = useEditor((s) => s.problems)
  const queueProblems = useQueueProblems()
  const problems = useMemo(() => [...checked, ...queueProblems], [checked, queueProblems])
  const selectOnly = useEditor((s) => s.selectOnly)
  const { fitView } = useReactFlow()
  const documentNodes = useDocumentNodes()
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
  const errors = problems.filter((p) => p.severity === 'error').length
  return (
    <section className="cp-problems" data-testid="problems" aria-label="Problems">
      <h4>
        {problems.length === 0
          ? '✓ No problems'
          : `${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}`}
      </h4>
      {sorted.length > 0 && (
        <ul className="cp-problem-list">
          {withKeys(sorted).map(({ problem: p, key }) => {
            const plain = plainProblem(p, documentNodes)
            return (
              <li key={key} className={p.severity}>
                <button
                  type="button"
                  className="cp-problem"
                  data-testid="problem"
                  data-code={p.code}
                  disabled={!p.nodeId}
                  onClick={() => {
                    if (!p.nodeId) return
                    selectOnly(p.nodeId)
                    void fitView({ nodes: [{ id: p.nodeId }], duration: 300, maxZoom: 1.2 })
                  }}
                >
                  <span className="cp-problem-node">{plain.subject}</span> {plain.message}
                </button>
                <small className="cp-details">{plain.details}</small>
                <AddToFactsButton problem={p} />
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}

export const ProblemsPanel = memo(ProblemsPanelView)
