// Runs: every run the caller may see, newest first; start a run of a published flow.
import { useState } from 'react'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { navigate, useRoute } from '../route.ts'
import { useSession } from '../store/session.store.ts'
import { StartRunForm } from '../features/runs/start-run-form.tsx'
import { Empty, ErrorState, Loading, when } from './state-views.tsx'

export function RunsScreen() {
  const route = useRoute()
  const flowFilter = route.screen === 'runs' ? route.flowId : undefined
  const runs = useLoader(() => api.listRuns(flowFilter), [flowFilter])
  const role = useSession((s) => s.user?.role)
  const [starting, setStarting] = useState(false)
  return (
    <div className="cp-page">
      <div className="cp-page-head">
        <h1>Runs{flowFilter ? ` of ${flowFilter}` : ''}</h1>
        {flowFilter && (
          <a className="cp-btn small ghost" href="#/runs">
            All flows
          </a>
        )}
        <span className="cp-spacer" />
        <button type="button" className="cp-btn small" onClick={runs.reload}>
          Refresh
        </button>
        {(role === 'agent' || role === 'developer') && (
          <button
            type="button"
            className="cp-btn primary"
            onClick={() => setStarting(!starting)}
            data-testid="run-start-open"
          >
            Start a run
          </button>
        )}
      </div>
      {starting && <StartRunForm initialFlow={flowFilter} onStarted={(id) => navigate(`/runs/${id}`)} />}
      {runs.loading && !runs.data ? (
        <Loading what="runs" />
      ) : runs.error ? (
        <ErrorState message={runs.error} retry={runs.reload} />
      ) : !runs.data?.length ? (
        <Empty>
          No runs yet. Runs appear here when a published flow is started by the API, a webhook, an HL7 message or this
          page.
        </Empty>
      ) : (
        <table className="cp-table" data-testid="run-list">
          <thead>
            <tr>
              <th>Run</th>
              <th>Flow</th>
              <th>Status</th>
              <th>Outcome</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((run) => (
              <tr
                key={run.id}
                className="cp-clickable"
                onClick={() => navigate(`/runs/${run.id}`)}
                data-testid={`run-row-${run.id}`}
              >
                <td>
                  {/* A real link, so the keyboard reaches every run (the row's click is for the mouse). */}
                  <a
                    href={`#/runs/${encodeURIComponent(run.id)}`}
                    aria-label={`Run ${run.id.slice(0, 12)} of ${run.flowId}`}
                  >
                    <code>{run.id.slice(0, 12)}</code>
                  </a>
                </td>
                <td>{run.flowId}</td>
                <td>
                  <span className={`cp-status s-${run.status}`}>{run.status}</span>
                </td>
                <td>{run.outcome ?? '—'}</td>
                <td>{when(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
