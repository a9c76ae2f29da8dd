// Runs: every run the caller may see, newest first; start a run of a published flow.
import { useState } from 'react'
import { z } from 'zod'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { navigate, useRoute } from '../route.ts'
import { useSession } from '../store/session.store.ts'
import { storedCases } from '../panels/suite-cases.ts'
import { Empty, ErrorState, Loading, when } from './state-views.tsx'

const factsObjectSchema = z.record(z.string(), z.unknown())

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

function StartRunForm({ initialFlow, onStarted }: { initialFlow?: string | undefined; onStarted(id: string): void }) {
  const flows = useLoader(() => api.listFlows(), [])
  const [flowId, setFlowId] = useState(initialFlow ?? '')
  const [input, setInput] = useState('{\n  \n}')
  const [error, setError] = useState<string | null>(null)
  // While a flow's example input loads, the field is read-only, so what arrives never races what is typed.
  const [loadingExample, setLoadingExample] = useState(false)
  const published = (flows.data ?? []).filter((f) => f.publishedHash)
  const start = async () => {
    setError(null)
    let facts: unknown
    try {
      facts = JSON.parse(input)
    } catch {
      return setError('The input is not valid JSON.')
    }
    // Only an object can be a run's input; said as the server says it about its `input`.
    const object = factsObjectSchema.safeParse(facts)
    if (!object.success) return setError(`input: ${object.error.issues[0]?.message ?? 'expected an object'}`)
    try {
      const run = await api.startRun(flowId, object.data, `designer-${crypto.randomUUID()}`)
      onStarted(run.id)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The run could not be started.')
    }
  }
  return (
    <div className="cp-card inline" data-testid="run-start-form">
      <label className="cp-field">
        <span className="cp-field-label">Published flow</span>
        <select
          className="cp-input"
          value={flowId}
          data-testid="run-start-flow"
          onChange={(e) => {
            const id = e.target.value
            setFlowId(id)
            // Start from the input of the flow's first simulation case, when it has one.
            if (!id) return
            setLoadingExample(true)
            void api
              .getFlow(id)
              .then((detail) => {
                const example = storedCases(detail.suites)[0]?.input
                // Never over what the person already typed.
                if (example)
                  setInput((typed) => (typed.replace(/\s/g, '') === '{}' ? JSON.stringify(example, null, 2) : typed))
              })
              .catch(() => undefined)
              .finally(() => setLoadingExample(false))
          }}
        >
          <option value="">— choose —</option>
          {published.map((f) => (
            <option key={f.id} value={f.id}>
              {f.title} ({f.id})
            </option>
          ))}
        </select>
      </label>
      <label className="cp-field">
        <span className="cp-field-label">Input facts (JSON)</span>
        <textarea
          className="cp-input mono"
          rows={6}
          value={input}
          readOnly={loadingExample}
          aria-busy={loadingExample}
          onChange={(e) => setInput(e.target.value)}
          data-testid="run-start-input"
        />
      </label>
      {error && <p className="cp-error-text">{error}</p>}
      <button
        type="button"
        className="cp-btn primary"
        disabled={!flowId || loadingExample}
        onClick={() => void start()}
        data-testid="run-start-submit"
      >
        Start
      </button>
    </div>
  )
}
