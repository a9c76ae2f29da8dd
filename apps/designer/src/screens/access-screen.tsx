// Accounting of access, for the auditor: every access to one patient's data (found by an MRN or
// FHIR id through the server's keyed-hash index), or any search of the trail by person, run,
// action and time. Each row says who, when, which run or task, which PHI classes were shown.
// The results can be saved as a CSV file. Each search is itself audited by the server.
import { useState } from 'react'
import { api, type AccessSearch, type AccessSearchResult } from '../api/carepath-api.ts'
import { Empty, ErrorState, Loading } from './state-views.tsx'

const ACTIONS = [
  'run.start',
  'run.read',
  'task.read',
  'task.claim',
  'task.answer',
  'phi.reveal',
  'phi.reveal-review',
  'auth.login',
  'audit.search',
]

const ACTION_WORDS: Record<string, string> = {
  'run.start': 'Started the run',
  'run.read': 'Viewed the run',
  'task.read': 'Listed the task',
  'task.claim': 'Claimed the task',
  'task.answer': 'Answered the task',
  'phi.reveal': 'Break-glass reveal',
}

interface Form {
  patient: string
  user: string
  run: string
  action: string
  from: string
  to: string
  accessOnly: boolean
}
const EMPTY: Form = { patient: '', user: '', run: '', action: '', from: '', to: '', accessOnly: true }

/** The form as the search's input: blank fields left out; `to` is the day after the date picked (inclusive for people). */
function searchOf(form: Form): AccessSearch {
  const dayAfter = (date: string) => {
    const d = new Date(`${date}T00:00:00Z`)
    d.setUTCDate(d.getUTCDate() + 1)
    return d.toISOString().slice(0, 10)
  }
  return {
    ...(form.patient.trim() ? { patient: form.patient.trim() } : {}),
    ...(form.user.trim() ? { user: form.user.trim() } : {}),
    ...(form.run.trim() ? { run: form.run.trim() } : {}),
    ...(form.action ? { action: form.action } : {}),
    ...(form.from ? { from: form.from } : {}),
    ...(form.to ? { to: dayAfter(form.to) } : {}),
    accessOnly: form.accessOnly,
  }
}

function stamp(iso: string): string {
  const t = new Date(iso)
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })
}

/** Offer text as a file download (a blob URL: allowed by the designer's CSP, no inline script). */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  URL.revokeObjectURL(url)
}

function TextField(props: { label: string; id: keyof Form; form: Form; set: (f: Form) => void; hint?: string }) {
  const value = props.form[props.id]
  return (
    <label className="cp-field">
      <span className="cp-field-label">{props.label}</span>
      <input
        className="cp-input"
        value={typeof value === 'string' ? value : ''}
        autoComplete="off"
        data-testid={`access-${props.id}`}
        onChange={(e) => props.set({ ...props.form, [props.id]: e.target.value })}
        {...(props.hint ? { placeholder: props.hint } : {})}
      />
    </label>
  )
}

export function AccessScreen() {
  const [form, setForm] = useState<Form>(EMPTY)
  const [state, setState] = useState<{
    busy: boolean
    result?: AccessSearchResult
    search?: AccessSearch
    error?: string
    exported?: string
  }>({ busy: false })

  const run = async (search: AccessSearch) => {
    setState({ busy: true, search })
    try {
      setState({ busy: false, search, result: await api.searchAudit(search) })
    } catch (e) {
      setState({ busy: false, search, error: e instanceof Error ? e.message : 'The search failed.' })
    }
  }

  const exportCsv = async () => {
    if (!state.search) return
    try {
      const { csv, rows } = await api.exportAudit(state.search)
      download(`carepath-access-${new Date().toISOString().slice(0, 10)}.csv`, csv)
      setState({ ...state, exported: `Saved ${rows} ${rows === 1 ? 'row' : 'rows'} as CSV.` })
    } catch (e) {
      setState({ ...state, error: e instanceof Error ? e.message : 'The export failed.' })
    }
  }

  const rows = state.result?.rows ?? []
  return (
    <div className="cp-page cp-access" data-testid="access-screen">
      <div className="cp-page-head">
        <h1>Accounting of access</h1>
        <a href="#/audit" className="cp-btn small">
          Audit trail
        </a>
      </div>
      <form
        className="cp-card"
        aria-label="Search the audit trail"
        onSubmit={(e) => {
          e.preventDefault()
          void run(searchOf(form))
        }}
      >
        <div className="cp-row">
          <TextField label="Patient (MRN or FHIR id)" id="patient" form={form} set={setForm} />
          <TextField label="Person (username)" id="user" form={form} set={setForm} />
          <TextField label="Run id" id="run" form={form} set={setForm} />
        </div>
        <div className="cp-row">
          <label className="cp-field">
            <span className="cp-field-label">Action</span>
            <select
              className="cp-input"
              value={form.action}
              data-testid="access-action"
              onChange={(e) => setForm({ ...form, action: e.target.value })}
            >
              <option value="">Any action</option>
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <label className="cp-field">
            <span className="cp-field-label">From (day)</span>
            <input
              className="cp-input"
              type="date"
              value={form.from}
              data-testid="access-from"
              onChange={(e) => setForm({ ...form, from: e.target.value })}
            />
          </label>
          <label className="cp-field">
            <span className="cp-field-label">To (day, included)</span>
            <input
              className="cp-input"
              type="date"
              value={form.to}
              data-testid="access-to"
              onChange={(e) => setForm({ ...form, to: e.target.value })}
            />
          </label>
        </div>
        <label className="cp-inline-label">
          <input
            type="checkbox"
            checked={form.accessOnly}
            data-testid="access-only"
            onChange={(e) => setForm({ ...form, accessOnly: e.target.checked })}
          />{' '}
          Only accesses to patient data
        </label>
        <div className="cp-row">
          <button type="submit" className="cp-btn primary" disabled={state.busy} data-testid="access-search">
            {state.busy ? 'Searching…' : 'Search'}
          </button>
          <button
            type="button"
            className="cp-btn"
            disabled={!state.result || rows.length === 0}
            onClick={() => void exportCsv()}
            data-testid="access-export"
          >
            Save as CSV
          </button>
          <span role="status" className="cp-muted" data-testid="access-status">
            {state.exported ?? ''}
          </span>
        </div>
      </form>
      {state.busy ? (
        <Loading what="the matching records" />
      ) : state.error ? (
        <ErrorState message={state.error} {...(state.search ? { retry: () => void run(state.search!) } : {})} />
      ) : !state.result ? (
        <Empty>Enter a patient&apos;s MRN or FHIR id, a person, a run or a time, then search.</Empty>
      ) : rows.length === 0 ? (
        <Empty>No record matches this search.</Empty>
      ) : (
        <table className="cp-table compact" data-testid="access-results">
          <caption className="cp-muted">
            {rows.length} {rows.length === 1 ? 'record' : 'records'}, newest first
            {state.result.nextBefore !== null ? ' (the first page; narrow the search for older ones)' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Run</th>
              <th scope="col">Task</th>
              <th scope="col">PHI classes shown</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.seq} data-testid="access-row">
                <td>{stamp(row.at)}</td>
                <td>
                  {row.who} <small>({row.role})</small>
                </td>
                <td>
                  {ACTION_WORDS[row.action] ?? row.action}
                  {row.outcome === 'failure' ? ' (refused)' : ''}
                </td>
                <td>{row.run ? <a href={`#/runs/${encodeURIComponent(row.run)}`}>{row.run.slice(0, 8)}</a> : '—'}</td>
                <td>{row.tasks.length ? row.tasks.map((t) => t.slice(0, 8)).join(', ') : '—'}</td>
                <td>{row.classes === null ? 'not recorded' : row.classes.join(', ') || 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
