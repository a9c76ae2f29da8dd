// The syntax a decision table cell or a rule condition takes, shown beside the editor instead of
// hidden in a tooltip.

/** Help for the node types that have a wide editor; none for the others. */
export function SyntaxHelp({ type }: { type: string }) {
  if (type === 'decision.table')
    return (
      <aside className="cp-syntax-help" aria-labelledby="cp-syntax-help-title" data-testid="syntax-help">
        <h3 id="cp-syntax-help-title">Cell syntax</h3>
        <dl>
          <dt>
            <code>-</code>
          </dt>
          <dd>any value (the cell does not test)</dd>
          <dt>
            <code>75</code>, <code>"gold"</code>, <code>true</code>
          </dt>
          <dd>equal to this value</dd>
          <dt>
            <code>&gt; 50</code>, <code>&lt;= 50</code>
          </dt>
          <dd>compared with a number or a date</dd>
          <dt>
            <code>[18..65]</code>, <code>(0..50]</code>
          </dt>
          <dd>in a range; square brackets include the end, round ones leave it out</dd>
          <dt>
            <code>"a", "b"</code>
          </dt>
          <dd>any of these values</dd>
          <dt>
            <code>not("a", "b")</code>
          </dt>
          <dd>none of these values</dd>
        </dl>
        <p className="cp-hint">Rows are checked from row 1 down; the hit policy says which matches count.</p>
      </aside>
    )
  if (type === 'decision.rules')
    return (
      <aside className="cp-syntax-help" aria-labelledby="cp-syntax-help-title" data-testid="syntax-help">
        <h3 id="cp-syntax-help-title">How rules read</h3>
        <p>
          Each rule has a name, conditions and an outcome. <strong>All</strong> means every condition must hold,{' '}
          <strong>Any</strong> at least one, <strong>Not</strong> that the condition must not hold.
        </p>
        <p>
          A condition compares a fact with a value: equal, not equal, greater / less than, in a list, contains, exists.
          Dates are written YYYY-MM-DD.
        </p>
        <p className="cp-hint">The rule with the highest priority decides when several match; ties go by order.</p>
      </aside>
    )
  return null
}
