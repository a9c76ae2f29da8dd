// A connector node's retry policy: how many attempts, and the wait before the second (doubling
// after that). Empty means the installation's default; only timeouts, unreachable peers, 5xx and
// 429 are retried, never a 4xx.
import type { RetryPolicy } from '@carepath/dsl'

export function RetryPolicyField(props: {
  value: RetryPolicy | undefined
  readOnly: boolean
  onChange(next: RetryPolicy | undefined): void
}) {
  const { value } = props
  const set = (patch: Partial<RetryPolicy>) => props.onChange({ attempts: 3, backoffMs: 1000, ...value, ...patch })
  return (
    <fieldset className="cp-plain-fieldset" disabled={props.readOnly} data-testid="inspector-retry">
      <label className="cp-field cp-field-inline">
        <input
          type="checkbox"
          checked={value !== undefined}
          onChange={(e) => props.onChange(e.target.checked ? { attempts: 3, backoffMs: 1000 } : undefined)}
        />
        <span>Own retry policy (else the installation’s default)</span>
      </label>
      {value && (
        <div className="cp-field-inline">
          <label className="cp-field">
            <span className="cp-field-label">Attempts</span>
            <input
              className="cp-input"
              type="number"
              min={1}
              max={10}
              value={value.attempts}
              onChange={(e) => set({ attempts: Math.min(10, Math.max(1, Math.round(Number(e.target.value) || 1))) })}
            />
          </label>
          <label className="cp-field">
            <span className="cp-field-label">First wait (ms)</span>
            <input
              className="cp-input"
              type="number"
              min={0}
              max={600000}
              value={value.backoffMs}
              onChange={(e) =>
                set({ backoffMs: Math.min(600_000, Math.max(0, Math.round(Number(e.target.value) || 0))) })
              }
            />
          </label>
        </div>
      )}
    </fieldset>
  )
}
