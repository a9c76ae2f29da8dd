// The results of one simulation, as the analyst and the reviewer both read them: the author's
// own test cases first (each with what it expects and what it got), then the cases generated
// from the rules. Every row is a button, so the keyboard reaches and opens each one.
import { useState } from 'react'
import { caseResult, titleLookup, type CaseView } from '../panels/simulation-report.ts'
import { registry } from '../registry.ts'
import { useEditor } from '../store/editor.store.ts'

const verdict = (c: CaseView) => (c.failures.length ? 'fails' : c.changed ? 'changed' : 'same')
const badge = (c: CaseView) => (c.failures.length ? 'danger' : c.changed ? 'warn' : 'ok')

/** How many cases a report holds and how many changed or fail, in one line both sides print. */
export function resultCounts(cases: readonly CaseView[]): string {
  const changed = cases.filter((c) => c.changed).length
  const failing = cases.filter((c) => c.source === 'suite' && c.failures.length > 0).length
  return `${cases.length} case${cases.length === 1 ? '' : 's'}, ${changed} changed${failing ? `, ${failing} of your test cases fail` : ''}`
}

export function CaseResults({
  cases,
  expectations,
  picked,
  onPick,
  testId,
}: {
  cases: readonly CaseView[]
  /** The outcome each test case expects, by case id. */
  expectations: ReadonlyMap<string, string | undefined>
  picked?: CaseView | null
  onPick?(c: CaseView): void
  testId: string
}) {
  const [showSame, setShowSame] = useState(false)
  // Steps by their titles on the canvas (the flow both tabs have open), read once per render as
  // the case detail does: a result row need not follow a drag.
  const titleOf = titleLookup(useEditor.getState().nodes, (type) => registry.get(type)?.title)
  const result = (c: CaseView) => caseResult(c, titleOf)
  // What a reviewer must look at first: failures, then changes (in the author's order within each).
  const rank = (c: CaseView) => (c.failures.length ? 0 : c.changed ? 1 : 2)
  const own = cases.filter((c) => c.source !== 'generated').sort((a, b) => rank(a) - rank(b))
  const generated = cases.filter((c) => c.source === 'generated').sort((a, b) => rank(a) - rank(b))
  const generatedShown = showSame ? generated : generated.filter((c) => c.changed || c.failures.length)
  const row = (c: CaseView, i: number, withExpectation: boolean) => (
    <li key={`${c.id}-${i}`} className={`${c.changed ? 'changed' : 'same'} ${picked === c ? 'selected' : ''}`}>
      <button
        type="button"
        className="cp-case-result"
        aria-pressed={onPick ? picked === c : undefined}
        onClick={() => onPick?.(c)}
        data-testid="sim-result"
      >
        <span className={`cp-badge ${badge(c)}`}>{verdict(c)}</span> <span className="cp-case-name">{c.name}</span>
        <small className="cp-hint" title={result(c).details}>
          {withExpectation && ` expects ${expectations.get(c.id) ?? 'nothing in particular'} ·`} {result(c).text}
        </small>
        {c.failures.map((f) => (
          <small key={f} className="cp-error-text cp-block">
            {f}
          </small>
        ))}
      </button>
    </li>
  )
  return (
    <div data-testid={testId}>
      <h5>Your test cases ({own.length})</h5>
      {own.length === 0 ? (
        <p className="cp-hint">This draft has no test cases of its own; add them in the Simulate tab.</p>
      ) : (
        <ul className="cp-case-results" data-testid={`${testId}-own`}>
          {own.map((c, i) => row(c, i, true))}
        </ul>
      )}
      {generated.length > 0 && (
        <>
          <h5>
            Generated from the rules ({generated.length}, {generated.filter((c) => c.changed).length} changed)
          </h5>
          <ul className="cp-case-results" data-testid={`${testId}-generated`}>
            {generatedShown.map((c, i) => row(c, i, false))}
          </ul>
          {generated.length > generatedShown.length || showSame ? (
            <button
              type="button"
              className="cp-btn small ghost"
              aria-pressed={showSame}
              onClick={() => setShowSame(!showSame)}
              data-testid="sim-show-same"
            >
              {showSame
                ? 'Show only generated cases that changed'
                : `Show the ${generated.length - generatedShown.length} generated cases that behave the same`}
            </button>
          ) : null}
        </>
      )}
    </div>
  )
}
