// Alerts: what is wrong now, whose it is (the owner kind the failure routed to) and how each
// delivery went; closed alerts on request. "Check now" evaluates the rules at once.
import { useState } from 'react'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading, when } from '../screens/state-views.tsx'

export function AlertsPanel() {
  const [status, setStatus] = useState<'open' | 'closed'>('open')
  const list = useLoader(() => api.alerts(status), [status])
  const [checking, setChecking] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const check = async () => {
    setChecking(true)
    setError(null)
    try {
      await api.evaluateAlerts()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The rules could not be checked.')
    } finally {
      setChecking(false)
      list.reload()
    }
  }
  return (
    <section aria-label="Alerts">
      <div className="cp-ops-bulk">
        <label className="cp-field cp-field-inline">
          <span>Show</span>
          <select
            className="cp-input"
            value={status}
            onChange={(e) => setStatus(e.target.value === 'closed' ? 'closed' : 'open')}
          >
            <option value="open">open alerts</option>
            <option value="closed">closed alerts</option>
          </select>
        </label>
        <button
          type="button"
          className="cp-btn small"
          disabled={checking}
          onClick={() => void check()}
          data-testid="alerts-check"
        >
          Check now
        </button>
      </div>
      {error && <ErrorState message={error} />}
      {list.loading && !list.data ? (
        <Loading what="alerts" />
      ) : list.error ? (
        <ErrorState message={list.error} retry={list.reload} />
      ) : !list.data?.length ? (
        <Empty>{status === 'open' ? 'No open alerts: no rule’s condition holds now.' : 'No closed alerts yet.'}</Empty>
      ) : (
        <table className="cp-table" data-testid="alert-list">
          <thead>
            <tr>
              <th>Alert</th>
              <th>Owner</th>
              <th>Sent to</th>
              <th>Opened</th>
              {status === 'closed' && <th>Closed</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.map((a) => (
              <tr key={a.id} data-testid={`alert-${a.ruleId}`}>
                <td>
                  <small className="cp-hint">{a.ruleId}</small> {a.message}
                </td>
                <td>{a.ownerKind}</td>
                <td>
                  {a.recipients.length === 0
                    ? 'no owner named'
                    : a.recipients.map((r) => (
                        <div key={r.to}>
                          {r.to}{' '}
                          <small>
                            ({r.channel}
                            {r.ok ? '' : `: ${r.error ?? 'not delivered'}`})
                          </small>
                        </div>
                      ))}
                </td>
                <td>{when(a.openedAt)}</td>
                {status === 'closed' && <td>{when(a.closedAt)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
