// An owner's alert inbox: the open alerts routed to them in-app, for every role (an integration
// owner may be a developer, a process owner an analyst). The header shows how many, refreshed on
// an interval and whenever the screen changes; the list says what is wrong and since when.
import { useEffect } from 'react'
import { api, type AlertRow } from '../../api/carepath-api.ts'
import { useLoader, type Loaded } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading, when } from '../../screens/state-views.tsx'
import { ChangeNotices } from '../governance/change-notices.tsx'

const REFRESH_MS = 30_000

const OWNER_TITLES: Record<string, string> = {
  process: 'process owner',
  integration: 'integration owner',
  compliance: 'compliance',
  security: 'security',
  support: 'support',
}

/** The caller's open alerts, reloaded every half minute and on every change of screen. */
export function useMyAlerts(): Loaded<AlertRow[]> {
  const alerts = useLoader(() => api.myAlerts(), [])
  const { reload } = alerts
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS)
    window.addEventListener('hashchange', reload)
    return () => {
      clearInterval(timer)
      window.removeEventListener('hashchange', reload)
    }
  }, [reload])
  return alerts
}

/** The header link to the inbox with its count; it says the count in words to a screen reader. */
export function MyAlertsLink({ alerts, active }: { alerts: Loaded<AlertRow[]>; active: boolean }) {
  const count = alerts.data?.length ?? 0
  return (
    <a
      href="#/my-alerts"
      className={active ? 'active' : ''}
      aria-current={active ? 'page' : undefined}
      data-testid="nav-my-alerts"
      aria-label={count === 1 ? 'My alerts: 1 open' : `My alerts: ${count} open`}
    >
      My alerts{' '}
      {count > 0 && (
        <span className="cp-badge danger" data-testid="my-alerts-count">
          {count}
        </span>
      )}
    </a>
  )
}

export function MyAlertsScreen({ alerts }: { alerts: Loaded<AlertRow[]> }) {
  return (
    <div className="cp-page" data-testid="my-alerts">
      <div className="cp-page-head">
        <h1>My alerts</h1>
        <button type="button" className="cp-btn small" onClick={alerts.reload} disabled={alerts.loading}>
          Refresh
        </button>
      </div>
      <p className="cp-hint">
        Alerts routed to you as an owner of a flow or of the installation. Each closes by itself when its cause clears.
      </p>
      {alerts.loading && !alerts.data ? (
        <Loading what="your alerts" />
      ) : alerts.error ? (
        <ErrorState message={alerts.error} retry={alerts.reload} />
      ) : !alerts.data?.length ? (
        <Empty>No open alerts are routed to you.</Empty>
      ) : (
        <table className="cp-table" data-testid="my-alert-list">
          <thead>
            <tr>
              <th>What is wrong</th>
              <th>Flow</th>
              <th>You are its</th>
              <th>Opened</th>
            </tr>
          </thead>
          <tbody>
            {alerts.data.map((a) => (
              <tr key={a.id} data-testid={`my-alert-${a.ruleId}`}>
                <td>{a.message}</td>
                <td>{a.flowId ?? 'the installation'}</td>
                <td>{OWNER_TITLES[a.ownerKind] ?? a.ownerKind}</td>
                <td>{when(a.openedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ChangeNotices />
    </div>
  )
}
