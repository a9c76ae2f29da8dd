// Next to a field holding a fact path: the PHI class of that fact, or a warning if the facts
// schema lacks it.
import { factAt, FACT_PATH_PATTERN, phiClassAt } from '@carepath/dsl'
import { useEditor } from '../store/editor.store.ts'

export function FactPathBadge({ path }: { path: string }) {
  const facts = useEditor((s) => s.meta.facts)
  if (!FACT_PATH_PATTERN.test(path) || !path.includes('.')) return null
  if (!factAt(facts, path)) return null
  const phi = phiClassAt(facts, path)
  if (!phi || phi === 'none') return <span className="cp-badge">fact</span>
  return (
    <span className={`cp-badge phi phi-${phi}`} data-testid="field-phi-badge" title={`This fact is ${phi} PHI`}>
      PHI: {phi}
    </span>
  )
}
