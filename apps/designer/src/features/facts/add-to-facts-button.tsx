// The one-click fix offered by a problem about a fact the schema lacks: declare it (as text, to be
// refined in Flow settings), so the analyst never has to write the JSON by hand.
import type { Problem } from '@carepath/dsl'
import { useEditor } from '../../store/editor.store.ts'
import { addFactPath } from './add-fact-path.ts'

export function AddToFactsButton({ problem }: { problem: Problem }) {
  const facts = useEditor((s) => s.meta.facts)
  const readOnly = useEditor((s) => s.readOnly)
  const setMeta = useEditor((s) => s.setMeta)
  const path = problem.fact?.path
  if (readOnly || !path) return null
  const added = addFactPath(facts, path)
  if (!added) return null
  return (
    <button
      type="button"
      className="cp-btn small"
      onClick={() => setMeta({ facts: added })}
      data-testid={`add-to-facts-${path}`}
      aria-label={`Add to facts: “${path}”`}
    >
      Add to facts
    </button>
  )
}
