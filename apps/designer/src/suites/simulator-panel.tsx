// The simulator: the draft's test cases (written in a form read from the flow, JSON one click
// away, or imported from a run), saved with the draft, and one simulation of the draft against
// the published version — the same one submitting runs, so the counts and the report's hash
// here are the ones the reviewer sees. Picking a result draws both paths on the canvas and puts
// old and new decision explanations side by side.
import { useEffect, useMemo, useState } from 'react'
import { nodeTitle, plainSentence } from '@carepath/dsl'
import { api, type SimulationRun } from '../api/carepath-api.ts'
import { useEditor } from '../store/editor.store.ts'
import { comparePathHighlights } from '../canvas/path-highlights.ts'
import { ErrorState } from '../screens/state-views.tsx'
import { readReport, type CaseView } from '../panels/simulation-report.ts'
import { ExplanationView } from '../panels/explanation-view.tsx'
import { caseFromRun } from '../panels/case-from-run.ts'
import { CaseForm } from './case-form.tsx'
import { CaseResults, resultCounts } from './case-results.tsx'
import { useSuiteStore, type TestCase } from './suite.store.ts'

/** A case id from its name, unique among the others (`case-<n>` when the name gives none). */
function newCaseId(taken: readonly TestCase[]): string {
  let n = taken.length + 1
  while (taken.some((c) => c.id === `case-${n}`)) n++
  return `case-${n}`
}

export function SimulatorPanel({ flowId, hasPublished }: { flowId: string; hasPublished: boolean }) {
  const cases = useSuiteStore((s) => s.cases)
  const setCases = useSuiteStore((s) => s.setCases)
  const casesDirty = useSuiteStore((s) => s.dirty)
  const documentDirty = useEditor((s) => s.dirty)
  const readOnly = useEditor((s) => s.readOnly)
  const [editing, setEditing] = useState<number | null>(null)
  const [generate, setGenerate] = useState(true)
  // Whether the shown report generated cases: the review always does, so only then is it the same.
  const [ranGenerated, setRanGenerated] = useState(true)
  const [running, setRunning] = useState(false)
  const [run, setRun] = useState<SimulationRun | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [picked, setPicked] = useState<CaseView | null>(null)
  // The document the case form reads its fields from: the one on the canvas when the form opened.
  const document = useMemo(() => useEditor.getState().editingDocument(), [editing])

  useEffect(() => () => useEditor.getState().setHighlights({}, {}), [])

  const simulate = async () => {
    setError(null)
    setPicked(null)
    setRunning(true)
    try {
      const suite = { ...useSuiteStore.getState().suite(), flow: flowId }
      setRun(await api.simulate(flowId, { document: useEditor.getState().editingDocument(), suite, generate }))
      setRanGenerated(generate)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The simulation failed.')
    } finally {
      setRunning(false)
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
      const { suiteCase, dropped, madeUp } = caseFromRun(await api.getRun(runId.trim()), document.facts)
      setCases([...cases, suiteCase])
      setEditing(cases.length)
      const notes = [
        madeUp.length ? `made-up test values for what your role may not see: ${madeUp.join(', ')}` : '',
        dropped.length ? `left out (fill them in before running): ${dropped.join(', ')}` : '',
      ].filter(Boolean)
      setError(notes.length ? `Imported as test data; ${notes.join('; ')}.` : null)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The run could not be imported.')
    }
  }

  const results = run ? readReport(run.report) : null
  const expectations = new Map(cases.map((c) => [c.id, c.expect?.outcome]))
  const unsaved = casesDirty || documentDirty
  return (
    <div className="cp-panel" data-testid="simulator-panel">
      <h3>Simulate</h3>
      <p className="cp-hint">
        Runs each test case against{' '}
        {hasPublished
          ? 'the published version and your draft'
          : 'your draft (nothing is published yet, so every case counts as new)'}
        . The test cases are saved with the draft and go with it into review.
      </p>
      <div className="cp-scroll-box">
        <table className="cp-table compact" data-testid="sim-cases">
          <caption className="cp-visually-hidden">Test cases of this draft</caption>
          <thead>
            <tr>
              <th scope="col">Test case</th>
              <th scope="col">Expects</th>
              <th scope="col">
                <span className="cp-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cases.length === 0 && (
              <tr>
                <td colSpan={3} className="cp-hint">
                  No test cases yet. Add one, import one from a run, or let the simulator generate cases from the rules.
                </td>
              </tr>
            )}
            {cases.map((c, index) => (
              <tr key={`${c.id}-${index}`} className={editing === index ? 'selected' : ''}>
                <td>{c.name || c.id}</td>
                <td>{c.expect?.outcome ?? '—'}</td>
                <td>
                  <div className="cp-actions">
                    <button
                      type="button"
                      className="cp-btn small"
                      aria-expanded={editing === index}
                      aria-label={`Edit ${c.name || c.id}`}
                      onClick={() => setEditing(editing === index ? null : index)}
                      data-testid={`sim-case-edit-${index}`}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="cp-btn small ghost"
                      disabled={readOnly}
                      onClick={() => {
                        setCases(cases.filter((_, i) => i !== index))
                        setEditing(null)
                      }}
                      aria-label={`Remove ${c.name || c.id}`}
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
        <CaseForm
          testCase={cases[editing]}
          document={document}
          onChange={(next) => !readOnly && setCases(cases.map((c, i) => (i === editing ? next : c)))}
        />
      )}
      <div className="cp-row">
        <button
          type="button"
          className="cp-btn small"
          disabled={readOnly}
          onClick={() => {
            const id = newCaseId(cases)
            // Written by hand in the form: made-up values, shown as written in the reports.
            setCases([...cases, { id, name: `Case ${cases.length + 1}`, synthetic: true, input: {} }])
            setEditing(cases.length)
          }}
          data-testid="sim-add-case"
        >
          + Test case
        </button>
        <button type="button" className="cp-btn small" disabled={readOnly} onClick={() => void importRun()}>
          Import from a run
        </button>
        <label className="cp-inline-label">
          <input type="checkbox" checked={generate} onChange={(e) => setGenerate(e.target.checked)} /> also generate
          cases from the rules
        </label>
      </div>
      {unsaved && !readOnly && (
        <p className="cp-hint" data-testid="sim-unsaved">
          Unsaved changes: the reviewer sees the simulation of what you save and submit (Save draft keeps the cases
          too).
        </p>
      )}
      <button
        type="button"
        className="cp-btn primary"
        disabled={running || (cases.length === 0 && !generate)}
        onClick={() => void simulate()}
        data-testid="sim-run"
      >
        {running ? 'Running…' : 'Run draft vs published'}
      </button>
      {running && <progress className="cp-progress" aria-label="Simulation running" />}
      {error && <ErrorState message={error} />}
      {run && results && (
        <section data-testid="sim-results" aria-live="polite">
          <h4 data-testid="sim-summary">{resultCounts(results)}</h4>
          <p className="cp-hint">
            Report <code data-testid="sim-report-hash">{run.hash.slice(0, 12)}</code>
            {unsaved
              ? ' (of your unsaved draft)'
              : ranGenerated
                ? ' — the same report the reviewer sees once you submit'
                : ' (your test cases only: the review also runs the generated cases)'}
          </p>
          {picked && <CaseDetail view={picked} />}
          <CaseResults
            cases={results}
            expectations={expectations}
            picked={picked}
            onPick={pick}
            testId="sim-result-list"
          />
        </section>
      )}
    </div>
  )
}

function CaseDetail({ view }: { view: CaseView }) {
  // Titles as the canvas has them now (read once per render: the detail need not follow a drag).
  const nodes = useEditor.getState().nodes
  const flowNodes = { nodes: Object.fromEntries(nodes.map((n) => [n.id, { ...n.data, next: {} }])) }
  const titleOf = (id: string) => nodeTitle(flowNodes, id)
  return (
    <section className="cp-case-detail" data-testid="sim-case-detail" aria-label={`Details of ${view.name}`}>
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
          {plainSentence(p, flowNodes)}
        </p>
      ))}
      {view.decisions.length === 0 && <p className="cp-hint">No decision changed its outcome.</p>}
      {view.decisions.map((d) => (
        <div key={d.nodeId} className="cp-side-by-side">
          <strong>{titleOf(d.nodeId)}</strong>
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
