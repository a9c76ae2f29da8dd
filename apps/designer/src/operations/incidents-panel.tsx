// Incidents: filter, then retry one, skip it to a chosen outcome (with a reason), cancel it, or
// retry every match at once after confirming how many that is; each bulk result is listed.
import { useState } from 'react'
import { CONNECTOR_ERROR_CLASSES } from '@carepath/engine'
import { api, type IncidentFilter, type IncidentRow } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { navigate } from '../route.ts'
import { Empty, ErrorState, Loading, when } from '../screens/state-views.tsx'

type Filter = NonNullable<IncidentFilter>
type BulkResult = Awaited<ReturnType<typeof api.bulkRetry>>

/** The filter the form describes (empty fields left out; "older than" as a time). */
export function incidentFilterOf(
  form: { flowId: string; connector: string; errorClass: string; olderThanMinutes: string },
  now = Date.now(),
): Filter {
  const filter: Filter = { status: 'open' }
  if (form.flowId.trim()) filter.flowId = form.flowId.trim()
  if (form.connector.trim()) filter.connector = form.connector.trim()
  if (form.errorClass) filter.errorClass = form.errorClass
  const minutes = Number(form.olderThanMinutes)
  if (form.olderThanMinutes.trim() && Number.isFinite(minutes) && minutes > 0)
    filter.openedBefore = new Date(now - minutes * 60_000).toISOString()
  return filter
}

export function IncidentsPanel() {
  const [form, setForm] = useState({ flowId: '', connector: '', errorClass: '', olderThanMinutes: '' })
  const [filter, setFilter] = useState<Filter>({ status: 'open' })
  const list = useLoader(() => api.incidents(filter), [filter])
  const [confirming, setConfirming] = useState<number | null>(null)
  const [bulk, setBulk] = useState<BulkResult | null>(null)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<string | null>(null)

  const act = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true)
    setMessage(null)
    try {
      await work()
      setMessage(done)
    } catch (e) {
      setMessage(e instanceof Error ? e.message : 'The action failed.')
    } finally {
      setBusy(false)
      list.reload()
    }
  }

  const field = (name: keyof typeof form, label: string, placeholder: string) => (
    <label className="cp-field">
      <span>{label}</span>
      <input
        className="cp-input"
        value={form[name]}
        placeholder={placeholder}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
        data-testid={`incident-filter-${name}`}
      />
    </label>
  )

  return (
    <section aria-label="Incidents">
      <form
        className="cp-ops-filters"
        onSubmit={(e) => {
          e.preventDefault()
          setBulk(null)
          setConfirming(null)
          setFilter(incidentFilterOf(form))
        }}
      >
        {field('flowId', 'Flow', 'any flow')}
        {field('connector', 'Connector', 'any connector')}
        <label className="cp-field">
          <span>Error class</span>
          <select
            className="cp-input"
            value={form.errorClass}
            onChange={(e) => setForm({ ...form, errorClass: e.target.value })}
            data-testid="incident-filter-errorClass"
          >
            <option value="">any</option>
            {CONNECTOR_ERROR_CLASSES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        {field('olderThanMinutes', 'Older than (minutes)', '0')}
        <button type="submit" className="cp-btn small" data-testid="incident-filter-apply">
          Filter
        </button>
      </form>
      {message && (
        <p className="cp-note" role="status" data-testid="incident-message">
          {message}
        </p>
      )}
      {list.loading && !list.data ? (
        <Loading what="incidents" />
      ) : list.error ? (
        <ErrorState message={list.error} retry={list.reload} />
      ) : !list.data?.total ? (
        <Empty>
          No open incidents{filter.flowId || filter.connector || filter.errorClass ? ' match this filter' : ''}.
        </Empty>
      ) : (
        <>
          <div className="cp-ops-bulk">
            <span data-testid="incident-total">
              {list.data.total} open incident{list.data.total === 1 ? '' : 's'} match
            </span>
            {confirming === null ? (
              <button
                type="button"
                className="cp-btn small primary"
                disabled={busy}
                onClick={() => setConfirming(list.data?.total ?? 0)}
                data-testid="bulk-retry"
              >
                Retry all {list.data.total}
              </button>
            ) : (
              <span
                role="group"
                aria-label="Confirm bulk retry"
                className="cp-confirm"
                data-testid="bulk-retry-confirm"
              >
                Retry the failed step of {confirming} run{confirming === 1 ? '' : 's'}?
                <button
                  type="button"
                  className="cp-btn small primary"
                  disabled={busy}
                  data-testid="bulk-retry-yes"
                  onClick={() => {
                    const count = confirming
                    setConfirming(null)
                    void act(async () => setBulk(await api.bulkRetry(filter, count)), `Retried ${count} run(s).`)
                  }}
                >
                  Retry {confirming}
                </button>
                <button type="button" className="cp-btn small ghost" onClick={() => setConfirming(null)}>
                  Keep them
                </button>
              </span>
            )}
          </div>
          <IncidentTable rows={list.data.incidents} busy={busy} act={act} />
        </>
      )}
      {bulk && <BulkResults result={bulk} />}
    </section>
  )
}

function IncidentTable(props: {
  rows: IncidentRow[]
  busy: boolean
  act: (work: () => Promise<unknown>, done: string) => Promise<void>
}) {
  const [resolving, setResolving] = useState<{ runId: string; kind: 'skip' | 'cancel' } | null>(null)
  return (
    <table className="cp-table" data-testid="incident-list">
      <thead>
        <tr>
          <th>Run</th>
          <th>Flow</th>
          <th>Step</th>
          <th>Cause</th>
          <th>Opened</th>
          <th>
            <span className="cp-sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.id} data-testid={`incident-${row.runId}`}>
            <td>
              <a href={`#/runs/${row.runId}`} data-testid={`incident-run-${row.runId}`}>
                <code>{row.runId.slice(0, 12)}</code>
              </a>
            </td>
            <td>{row.flowId}</td>
            <td>{row.nodeId}</td>
            <td>
              <span className={`cp-status s-failed`}>{row.errorClass ?? 'failed'}</span>{' '}
              {row.connector && <code>{row.connector}</code>} {row.message}
              {row.attempts ? <small> ({row.attempts} attempts)</small> : null}
            </td>
            <td>{when(row.openedAt)}</td>
            <td>
              <div className="cp-actions">
                {resolving?.runId === row.runId ? (
                  <ResolveForm
                    kind={resolving.kind}
                    onCancel={() => setResolving(null)}
                    onDone={(port, reason) => {
                      setResolving(null)
                      void props.act(
                        () =>
                          resolving.kind === 'skip'
                            ? api.skipIncident(row.runId, port, reason)
                            : api.cancelIncident(row.runId, reason),
                        resolving.kind === 'skip' ? `Skipped to "${port}".` : 'Run cancelled.',
                      )
                    }}
                  />
                ) : (
                  <>
                    <button
                      type="button"
                      className="cp-btn small"
                      disabled={props.busy}
                      onClick={() => void props.act(() => api.retryIncident(row.runId), 'Retried.')}
                      data-testid={`incident-retry-${row.runId}`}
                    >
                      Retry
                    </button>
                    <button
                      type="button"
                      className="cp-btn small ghost"
                      onClick={() => setResolving({ runId: row.runId, kind: 'skip' })}
                    >
                      Skip…
                    </button>
                    <button
                      type="button"
                      className="cp-btn small ghost"
                      onClick={() => setResolving({ runId: row.runId, kind: 'cancel' })}
                    >
                      Cancel…
                    </button>
                    <button type="button" className="cp-btn small ghost" onClick={() => navigate(`/runs/${row.runId}`)}>
                      Open
                    </button>
                  </>
                )}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function ResolveForm(props: { kind: 'skip' | 'cancel'; onCancel(): void; onDone(port: string, reason: string): void }) {
  const [port, setPort] = useState('')
  const [reason, setReason] = useState('')
  const ready = reason.trim().length >= 3 && (props.kind === 'cancel' || port.trim().length > 0)
  return (
    <form
      className="cp-resolve"
      onSubmit={(e) => {
        e.preventDefault()
        if (ready) props.onDone(port.trim(), reason.trim())
      }}
    >
      {props.kind === 'skip' && (
        <label className="cp-field">
          <span>Outcome to take</span>
          <input value={port} onChange={(e) => setPort(e.target.value)} placeholder="e.g. error" />
        </label>
      )}
      <label className="cp-field">
        <span>Reason (audited)</span>
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <button type="submit" className="cp-btn small primary" disabled={!ready}>
        {props.kind === 'skip' ? 'Skip' : 'Cancel the run'}
      </button>
      <button type="button" className="cp-btn small ghost" onClick={props.onCancel}>
        Back
      </button>
    </form>
  )
}

function BulkResults({ result }: { result: BulkResult }) {
  return (
    <section aria-label="Bulk retry results" data-testid="bulk-results">
      <h3>
        Bulk retry: {result.retried} of {result.count} retried
      </h3>
      <table className="cp-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {result.results.map((r) => (
            <tr key={r.runId} data-testid={`bulk-result-${r.runId}`}>
              <td>
                <a href={`#/runs/${r.runId}`}>
                  <code>{r.runId.slice(0, 12)}</code>
                </a>
              </td>
              <td>{r.ok ? <span className={`cp-status s-${r.status ?? 'running'}`}>{r.status}</span> : r.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
