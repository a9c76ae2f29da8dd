// A decision's "why" as sentences ("Copay above $50 matched: copay 75 > 50"); a value the viewer
// may not see reads "hidden (PHI class: …)", named from the version's facts schema when known.
import { ruleLabel, type DecisionExplanation, type FactSchema } from '@carepath/dsl'
import { conditionSentence } from '../features/runs/decision-sentence.ts'

const UNKNOWN_SCHEMA: FactSchema = { type: 'object' }

/** The fired rules by the names the trace carries (a nameless table row by its number from 1). */
function firedNames(explanation: DecisionExplanation): string {
  const rules = new Map(explanation.rules.map((rule) => [rule.id, rule]))
  return explanation.fired.map((id) => ruleLabel(rules.get(id) ?? { id })).join(', ')
}

export function ExplanationView({
  explanation,
  facts = UNKNOWN_SCHEMA,
}: {
  explanation: DecisionExplanation | undefined
  facts?: FactSchema | undefined
}) {
  if (!explanation) return <p className="cp-hint">No explanation recorded.</p>
  return (
    <div className="cp-explanation" data-testid="explanation">
      <div>
        → <strong>{explanation.outcome}</strong>{' '}
        {explanation.fired.length ? (
          <small>(fired: {firedNames(explanation)})</small>
        ) : (
          <small>(no rule fired: default)</small>
        )}
      </div>
      <ul>
        {explanation.rules.map((rule) => (
          <li key={rule.id} className={rule.fired ? 'fired' : 'not-fired'} data-testid="decision-sentence">
            {rule.fired ? '✓' : '✗'} {ruleLabel(rule)} {rule.fired ? 'matched' : 'did not match'}
            {rule.conditions.length > 0 ? ':' : ''}
            <ul>
              {rule.conditions.map((c) => (
                <li key={c.path} className={c.result ? 'held' : 'failed'}>
                  {conditionSentence(c, facts)} {c.result ? '(held)' : '(did not hold)'}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  )
}
