// Every problem validation found, errors first; clicking one selects its node and brings it
// into view.
import { memo } from 'react'
import { useReactFlow } from '@xyflow/react'
import { useEditor } from '../store/editor.store.ts'

function ProblemsPanelView() {
  const problems = useEditor((s) => s.problems)
  const selectOnly = useEditor((s) => s.selectOnly)
  const { fitView } = useReactFlow()
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
  const errors = problems.filter((p) => p.severity === 'error').length
  return (
    <section className="cp-problems" data-testid="problems">
      <h4>
        {problems.length === 0
          ? '✓ No problems'
          : `${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}`}
      </h4>
      {sorted.length > 0 && (
        <ul className="cp-problem-list">
          {sorted.map((p, i) => (
            <li
              key={i}
              className={p.severity}
              data-testid="problem"
              data-code={p.code}
              onClick={() => {
                if (!p.nodeId) return
                selectOnly(p.nodeId)
                void fitView({ nodes: [{ id: p.nodeId }], duration: 300, maxZoom: 1.2 })
              }}
            >
              <span className="cp-problem-node">{p.nodeId ?? 'flow'}</span> {p.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export const ProblemsPanel = memo(ProblemsPanelView)
