// A decision's "why": which rules fired and, for each condition, the value it saw.
import type { DecisionExplanation } from '@carepath/dsl'

export function ExplanationView({ explanation }: { explanation: DecisionExplanation | undefined }) {
  if (!explanation) return <p className="cp-hint">No explanation recorded.</p>
  return (
    <div className="cp-explanation" data-testid="explanation">
      <div>
        → <strong>{explanation.outcome}</strong>{' '}
        {explanation.fired.length ? (
          <small>(fired: {explanation.fired.join(', ')})</small>
        ) : (
          <small>(no rule fired: default)</small>
        )}
      </div>
      <ul>
        {explanation.rules.map((rule) => (
          <li key={rule.id} className={rule.fired ? 'fired' : 'not-fired'}>
            {rule.fired ? '✓' : '✗'} {rule.name ?? rule.id}
            <ul>
              {rule.conditions.map((c) => (
                <li key={c.path} className={c.result ? 'held' : 'failed'}>
                  <code>{c.fact}</code> {c.operator} <code>{JSON.stringify(c.expected)}</code> — saw{' '}
                  <code>{c.missing ? 'missing' : JSON.stringify(c.seen)}</code> {c.result ? '✓' : '✗'}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  )
}
