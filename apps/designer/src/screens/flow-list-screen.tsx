// Flows: search, status, last change and who; create, open, duplicate, retire.
import { useState, type FormEvent } from 'react'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { navigate } from '../route.ts'
import { useSession } from '../store/session.store.ts'
import { Empty, ErrorState, Loading, when } from './state-views.tsx'
import { FLOW_TEMPLATES, idFromTitle, newFlowDocument, type FlowTemplateId } from './new-flow-template.ts'
import { pendingFlows } from './pending-flows.ts'

export function FlowListScreen() {
  const [search, setSearch] = useState('')
  const flows = useLoader(() => api.listFlows(search.trim() || undefined), [search])
  const [creating, setCreating] = useState(false)
  const [actionError, setActionError] = useState<string | null>(null)
  const role = useSession((s) => s.user?.role)
  const canEdit = role === 'analyst' || role === 'developer' || role === 'admin'

  const act = async (work: () => Promise<unknown>) => {
    setActionError(null)
    try {
      await work()
      flows.reload()
    } catch (e) {
      setActionError(e instanceof Error ? e.message : 'That did not work.')
    }
  }

  return (
    <div className="cp-page">
      <div className="cp-page-head">
        <h1>Flows</h1>
        <input
          className="cp-input search"
          placeholder="Search by title or id"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="flow-search"
        />
        {canEdit && (
          <button type="button" className="cp-btn primary" onClick={() => setCreating(true)} data-testid="flow-new">
            + New flow
          </button>
        )}
      </div>
      {creating && <NewFlowForm onCancel={() => setCreating(false)} />}
      {actionError && <ErrorState message={actionError} />}
      {flows.loading && !flows.data ? (
        <Loading what="flows" />
      ) : flows.error ? (
        <ErrorState message={flows.error} retry={flows.reload} />
      ) : !flows.data?.length ? (
        <Empty>{search ? `No flow matches “${search}”.` : 'No flows yet. Create one to start designing.'}</Empty>
      ) : (
        <table className="cp-table" data-testid="flow-list">
          <thead>
            <tr>
              <th>Flow</th>
              <th>Status</th>
              <th>Draft</th>
              <th>Last change</th>
              <th>By</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {flows.data.map((flow) => (
              <tr key={flow.id} data-testid={`flow-row-${flow.id}`}>
                <td>
                  <a
                    href={`#/flows/${encodeURIComponent(flow.id)}`}
                    className="cp-link"
                    data-testid={`flow-open-${flow.id}`}
                  >
                    <strong>{flow.title}</strong>
                  </a>
                  <br />
                  <small className="cp-hint">{flow.id}</small>
                </td>
                <td>
                  <span className={`cp-status s-${flow.status}`}>{flow.status}</span>
                  {flow.publishedHash && <small className="cp-hint"> · live {flow.publishedHash.slice(0, 8)}</small>}
                </td>
                <td>{flow.draftRevision ? `rev ${flow.draftRevision}` : '—'}</td>
                <td>{when(flow.updatedAt)}</td>
                <td>{flow.updatedBy ?? '—'}</td>
                <td>
                  <div className="cp-actions">
                    <button
                      type="button"
                      className="cp-btn small"
                      onClick={() => navigate(`/runs?flow=${encodeURIComponent(flow.id)}`)}
                    >
                      Runs
                    </button>
                    {canEdit && (
                      <>
                        <button
                          type="button"
                          className="cp-btn small"
                          data-testid={`flow-duplicate-${flow.id}`}
                          onClick={() => {
                            const newId = window.prompt('Id of the copy (kebab-case):', `${flow.id}-copy`)
                            if (newId) void act(() => api.duplicateFlow(flow.id, newId.trim()))
                          }}
                        >
                          Duplicate
                        </button>
                      </>
                    )}
                    {role === 'reviewer' && flow.status !== 'retired' && (
                      <button
                        type="button"
                        className="cp-btn small danger"
                        data-testid={`flow-retire-${flow.id}`}
                        onClick={() =>
                          window.confirm(`Retire “${flow.title}”? New runs will be refused.`) &&
                          void act(() => api.retireFlow(flow.id))
                        }
                      >
                        Retire
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function NewFlowForm({ onCancel }: { onCancel(): void }) {
  const [title, setTitle] = useState('')
  const [id, setId] = useState('')
  const [template, setTemplate] = useState<FlowTemplateId>('blank')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const flowId = id || idFromTitle(title)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    // The server only stores valid flows, so a new flow lives in the editor until its first save.
    try {
      const existing = await api.listFlows(flowId)
      if (existing.some((f) => f.id === flowId)) throw new Error(`A flow with id "${flowId}" already exists.`)
      pendingFlows.set(flowId, newFlowDocument(flowId, title.trim(), template))
      navigate(`/flows/${flowId}`)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The flow could not be created.')
      setBusy(false)
    }
  }
  return (
    <form className="cp-card inline" onSubmit={submit} data-testid="new-flow-form">
      <label className="cp-field">
        <span className="cp-field-label">Title</span>
        <input
          className="cp-input"
          autoFocus
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          data-testid="new-flow-title"
        />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">Id</span>
        <input className="cp-input" value={flowId} onChange={(e) => setId(e.target.value)} data-testid="new-flow-id" />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">Start from</span>
        <select
          className="cp-input"
          value={template}
          onChange={(e) => setTemplate(FLOW_TEMPLATES.find((t) => t.id === e.target.value)?.id ?? 'blank')}
          data-testid="new-flow-template"
        >
          {FLOW_TEMPLATES.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      {error && <p className="cp-error-text">{error}</p>}
      <div className="cp-row">
        <button className="cp-btn primary" type="submit" disabled={busy || !title.trim()} data-testid="new-flow-create">
          Create
        </button>
        <button className="cp-btn ghost" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
