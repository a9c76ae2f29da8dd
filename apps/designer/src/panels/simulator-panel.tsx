// The simulator: the flow's cases as a table (add, edit, import from a run), run the draft
// against the published version case by case with progress, and per case what changed. Picking
// a case draws both paths on the canvas and puts old and new decision explanations side by side.
import { useEffect, useState } from 'react'
import { api } from '../api/carepath-api.ts'
import { useEditor } from '../store/editor.store.ts'
import { comparePathHighlights } from '../canvas/path-highlights.ts'
import { JsonEditor } from '../monaco/json-editor.tsx'
import { ErrorState } from '../screens/state-views.tsx'
import { readReport, type CaseView } from './simulation-report.ts'
import { ExplanationView } from './explanation-view.tsx'
import { useSuite } from './use-suite.ts'
import { caseJsonSchema, isSuiteCase, type SuiteCaseJson } from './suite-cases.ts'
import { caseFromRun } from './case-from-run.ts'

const CHUNK = 5

export function SimulatorPanel({ flowId, hasPublished }: { flowId: string; hasPublished: boolean }) {
  const { cases, setCases, loading: suiteLoading } = useSuite(flowId)
  const [editing, setEditing] = useState<number | null>(null)
  const [generate, setGenerate] = useState(true)
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  const [results, setResults] = useState<CaseView[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [picked, setPicked] = useState<CaseView | null>(null)
  const [onlyChanged, setOnlyChanged] = useState(true)

  useEffect(() => () => useEditor.getState().setHighlights({}, {}), [])

  const run = async () => {
    setError(null)
    setResults(null)
    setPicked(null)
    const document = useEditor.getState().editingDocument()
    const chunks: SuiteCaseJson[][] = []
    for (let i = 0; i < cases.length; i += CHUNK) chunks.push(cases.slice(i, i + CHUNK))
    const total = chunks.length + (generate ? 1 : 0)
    const all: CaseView[] = []
    setProgress({ done: 0, total })
    try {
      for (const [index, chunk] of chunks.entries()) {
        const report = await api.simulate(flowId, { document, suite: { flow: flowId, cases: chunk }, generate: false })
        all.push(...readReport(report))
        setProgress({ done: index + 1, total })
        setResults([...all])
      }
      if (generate) {
        const report = await api.simulate(flowId, { document, suite: { flow: flowId, cases: [] }, generate: true })
        all.push(...readReport(report).map((c) => ({ ...c, name: `generated: ${c.name}` })))
        setResults([...all])
      }
      setProgress({ done: total, total })
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The simulation failed.')
    } finally {
      setProgress(null)
    }
  }

  const pick = (c: CaseView) => {
    setPicked(c)
    const { nodes, edges } = comparePathHighlights(c.base.path, c.candidate.path, useEditor.getState().edges)
    useEditor.getState().setHighlights(nodes, edges)
  }

  const importRun = async () => {
    const runId = window.prompt('Id of the run to import as a case:')
    if (!runId) return
    try {
      const { suiteCase, dropped } = caseFromRun(await api.getRun(runId.trim()))
      setCases([...cases, suiteCase])
      setEditing(cases.length)
      setError(
        dropped.length
          ? `Imported. Left out what your role may not see: ${dropped.join(', ')}. Fill them in before running.`
          : null,
      )
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The run could not be imported.')
    }
  }

  const changedCount = results?.filter((r) => r.changed).length ?? 0
  // Failures first, then changes: what a reviewer must look at comes before what stayed the same.
  const rank = (r: CaseView) => (r.failures.length ? 0 : r.changed ? 1 : 2)
  const shown = (results ?? [])
    .filter((r) => !onlyChanged || changedCount === 0 || r.changed)
    .sort((a, b) => rank(a) - rank(b))
  return (
    <div className="cp-panel" data-testid="simulator-panel">
      <h3>Simulate</h3>
      <p className="cp-hint">
        Runs each case against{' '}
        {hasPublished
          ? 'the published version and your draft'
          : 'your draft (nothing is published yet, so every case counts as new)'}
        .
      </p>
      <div className="cp-scroll-box">
        <table className="cp-table compact" data-testid="sim-cases">
          <thead>
            <tr>
              <th>Case</th>
              <th>Expect</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {suiteLoading && (
              <tr>
                <td colSpan={3}>Loading cases…</td>
              </tr>
            )}
            {!suiteLoading && cases.length === 0 && (
              <tr>
                <td colSpan={3} className="cp-hint">
                  No cases yet. Add one, import one from a run, or let the simulator generate cases from the rules.
                </td>
              </tr>
            )}
            {cases.map((c, index) => (
              <tr key={`${c.id}-${index}`} className={editing === index ? 'selected' : ''}>
                <td>{c.name ?? c.id}</td>
                <td>{c.expect?.outcome ?? '—'}</td>
                <td>
                  <div className="cp-actions">
                    <button
                      type="button"
                      className="cp-btn small"
                      onClick={() => setEditing(editing === index ? null : index)}
                      data-testid={`sim-case-edit-${index}`}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="cp-btn small ghost"
                      onClick={() => setCases(cases.filter((_, i) => i !== index))}
                      aria-label="Remove case"
                    >
                      ✕
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing !== null && cases[editing] && (
        <JsonEditor
          path={`sim/case-${editing}.json`}
          height={220}
          value={cases[editing]}
          schema={caseJsonSchema}
          onChange={(v) => isSuiteCase(v) && setCases(cases.map((c, i) => (i === editing ? v : c)))}
        />
      )}
      <div className="cp-row">
        <button
          type="button"
          className="cp-btn small"
          onClick={() => {
            setCases([...cases, { id: `case-${cases.length + 1}`, name: `Case ${cases.length + 1}`, input: {} }])
            setEditing(cases.length)
          }}
          data-testid="sim-add-case"
        >
          + Case
        </button>
        <button type="button" className="cp-btn small" onClick={() => void importRun()}>
          Import from a run
        </button>
        <label className="cp-inline-label">
          <input type="checkbox" checked={generate} onChange={(e) => setGenerate(e.target.checked)} /> generate cases
          from rules
        </label>
      </div>
      <button
        type="button"
        className="cp-btn primary"
        disabled={progress !== null || (cases.length === 0 && !generate)}
        onClick={() => void run()}
        data-testid="sim-run"
      >
        {progress ? `Running… ${progress.done}/${progress.total}` : 'Run draft vs published'}
      </button>
      {progress && <progress className="cp-progress" value={progress.done} max={progress.total} />}
      {error && <ErrorState message={error} />}
      {results && (
        <section data-testid="sim-results">
          <h4>
            {results.length} case{results.length === 1 ? '' : 's'}, {changedCount} changed
          </h4>
          {changedCount > 0 && (
            <label className="cp-inline-label">
              <input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} /> only
              changed cases
            </label>
          )}
          {picked && <CaseDetail view={picked} />}
          <ul className="cp-case-results">
            {shown.map((r, i) => (
              <li
                key={`${r.id}-${i}`}
                className={`${r.changed ? 'changed' : 'same'} ${picked === r ? 'selected' : ''}`}
                onClick={() => pick(r)}
                data-testid="sim-result"
              >
                <span className={`cp-badge ${r.failures.length ? 'danger' : r.changed ? 'warn' : 'ok'}`}>
                  {r.failures.length ? 'fails' : r.changed ? 'changed' : 'same'}
                </span>{' '}
                {r.name}
                <small className="cp-hint">
                  {' '}
                  {r.base.outcome ?? r.base.status} → {r.candidate.outcome ?? r.candidate.status}
                </small>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  )
}

function CaseDetail({ view }: { view: CaseView }) {
  return (
    <section className="cp-case-detail" data-testid="sim-case-detail">
      <h4>{view.name}</h4>
      <p className="cp-legend">
        <span className="cp-badge hl-path">both</span> <span className="cp-badge hl-path-old">published only</span>{' '}
        <span className="cp-badge hl-path-new">draft only</span>
      </p>
      {view.failures.map((f) => (
        <p key={f} className="cp-error-text">
          {f}
        </p>
      ))}
      {view.problems.map((p) => (
        <p key={p} className="cp-hint">
          {p}
        </p>
      ))}
      {view.decisions.length === 0 && <p className="cp-hint">No decision changed its outcome.</p>}
      {view.decisions.map((d) => (
        <div key={d.nodeId} className="cp-side-by-side">
          <strong>{d.nodeId}</strong>
          <div className="cp-two-cols">
            <div>
              <small>Published</small>
              <ExplanationView explanation={d.base.explanation} />
            </div>
            <div>
              <small>Draft</small>
              <ExplanationView explanation={d.candidate.explanation} />
            </div>
          </div>
        </div>
      ))}
    </section>
  )
}
