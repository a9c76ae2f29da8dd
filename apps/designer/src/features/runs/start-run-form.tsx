// Start a run of a published flow from a form generated from its facts schema (the inputs a run
// starts with: the trigger's required inputs first, never the facts its steps write; the facts it
// cannot start without are marked and checked before sending), with the same input as JSON one click
// away. Empty by default: a run's input is this patient's, never another case's.
import { useEffect, useId, useMemo, useRef, useState } from 'react'
import type { FlowDocument, JsonValue } from '@carepath/dsl'
import { api } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'
import { ErrorState, Loading } from '../../screens/state-views.tsx'
import { Tabs } from '../../screens/tabs.tsx'
import { FactsFieldset } from '../facts/fact-inputs.tsx'
import { registry } from '../../registry.ts'
import { inputJson, missingInputs, parseInputJson, requiredFacts, startInputs } from './start-run-model.ts'

type JsonObject = { [key: string]: JsonValue }
type View = 'form' | 'json'

export function StartRunForm({
  initialFlow,
  onStarted,
}: {
  initialFlow?: string | undefined
  onStarted(id: string): void
}) {
  const flows = useLoader(() => api.listFlows(), [])
  const [flowId, setFlowId] = useState(initialFlow ?? '')
  const published = (flows.data ?? []).filter((f) => f.publishedHash)
  return (
    <section className="cp-card inline cp-start-run" data-testid="run-start-form" aria-label="Start a run">
      <label className="cp-field">
        <span className="cp-field-label">Published flow</span>
        <select
          className="cp-input"
          value={flowId}
          data-testid="run-start-flow"
          onChange={(e) => setFlowId(e.target.value)}
        >
          <option value="">— choose —</option>
          {published.map((f) => (
            <option key={f.id} value={f.id}>
              {f.title} ({f.id})
            </option>
          ))}
        </select>
      </label>
      {flowId ? (
        <FlowInput key={flowId} flowId={flowId} onStarted={onStarted} />
      ) : (
        <p className="cp-hint">Choose a flow: its input facts appear here as a form.</p>
      )}
    </section>
  )
}

/** The input of one flow's published version: the form or its JSON, and the Start button. */
function FlowInput({ flowId, onStarted }: { flowId: string; onStarted(id: string): void }) {
  const flow = useLoader(() => api.getFlow(flowId), [flowId])
  if (flow.loading && !flow.data) return <Loading what="the flow’s input facts" />
  if (flow.error) return <ErrorState message={flow.error} retry={flow.reload} />
  const document = flow.data?.published?.document
  if (!document) return <p className="cp-muted">This flow has no published version to run.</p>
  return <InputEditor flowId={flowId} document={document} onStarted={onStarted} />
}

function InputEditor({
  flowId,
  document,
  onStarted,
}: {
  flowId: string
  document: FlowDocument
  onStarted(id: string): void
}) {
  const jsonId = useId()
  const body = useRef<HTMLDivElement>(null)
  const [view, setView] = useState<View>('form')
  const [input, setInput] = useState<JsonObject>({})
  const [jsonText, setJsonText] = useState('{}')
  const [jsonError, setJsonError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [error, setError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const required = requiredFacts(document)
  // The form asks for what a run starts with, not for what the flow's steps write themselves.
  const inputs = useMemo(() => startInputs(document, registry), [document])
  // After a refused Start, focus goes to the first field that needs attention.
  const [focusInvalid, setFocusInvalid] = useState(0)
  useEffect(() => {
    if (!focusInvalid) return
    const fields = body.current
    ;(
      fields?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      fields?.querySelector<HTMLElement>('input, select, textarea')
    )?.focus()
  }, [focusInvalid])

  /** The input as it stands in the open view (the JSON view's text must parse). */
  const current = (): JsonObject | null => {
    if (view === 'form') return input
    const parsed = parseInputJson(jsonText)
    if (!parsed.ok) {
      setJsonError(parsed.error)
      return null
    }
    setJsonError(null)
    return parsed.input
  }
  const switchTo = (next: View) => {
    if (next === view) return
    if (next === 'json') {
      setJsonText(inputJson(input))
      setJsonError(null)
      return setView('json')
    }
    const read = current()
    if (!read) return setFocusInvalid((n) => n + 1)
    setInput(read)
    setView('form')
  }
  const start = async () => {
    setError(null)
    const read = current()
    if (!read) return setFocusInvalid((n) => n + 1)
    if (Object.keys(read).length === 0) {
      setError('The input is empty: fill in the flow’s facts first.')
      return setFocusInvalid((n) => n + 1)
    }
    const missing = missingInputs(read, required)
    setFieldErrors(missing)
    const paths = Object.keys(missing)
    if (paths.length > 0) {
      setError(`Fill in ${paths.length === 1 ? 'the required fact' : 'the required facts'} first: ${paths.join(', ')}.`)
      return setFocusInvalid((n) => n + 1)
    }
    setStarting(true)
    try {
      const run = await api.startRun(flowId, read, `designer-${crypto.randomUUID()}`)
      onStarted(run.id)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The run could not be started.')
    } finally {
      setStarting(false)
    }
  }
  return (
    <div ref={body}>
      <Tabs
        small
        label="Input facts as"
        value={view}
        onChange={switchTo}
        tabs={[
          { id: 'form', label: 'Form', testId: 'run-start-view-form' },
          { id: 'json', label: 'View JSON', testId: 'run-start-view-json' },
        ]}
      />
      {view === 'form' ? (
        <FactsFieldset
          schema={document.facts}
          value={input}
          onChange={(next) => {
            setInput(next)
            // A field's error goes as soon as it is given.
            const still = missingInputs(
              next,
              required.filter((f) => Object.hasOwn(fieldErrors, f.path)),
            )
            if (Object.keys(still).length < Object.keys(fieldErrors).length) setFieldErrors(still)
            if (Object.keys(still).length === 0) setError(null)
          }}
          required={required.map((f) => f.path)}
          errors={fieldErrors}
          testIdPrefix="run-start-fact-"
          only={inputs}
          emptyText="This flow starts without input facts."
        />
      ) : (
        <div className="cp-field">
          <label className="cp-field-label" htmlFor={jsonId}>
            Input facts (JSON)
          </label>
          <textarea
            id={jsonId}
            className={jsonError ? 'cp-input cp-mono cp-invalid' : 'cp-input cp-mono'}
            rows={10}
            value={jsonText}
            spellCheck={false}
            aria-invalid={jsonError ? true : undefined}
            aria-describedby={`${jsonId}-hint`}
            onChange={(e) => setJsonText(e.target.value)}
            data-testid="run-start-input"
          />
          <small
            id={`${jsonId}-hint`}
            className={jsonError ? 'cp-error-text' : 'cp-hint'}
            data-testid="run-start-json-hint"
          >
            {jsonError ?? 'The same input as the form; switching back to the form keeps what you typed here.'}
          </small>
        </div>
      )}
      {error && (
        <p className="cp-error-text" role="alert" data-testid="run-start-error">
          {error}
        </p>
      )}
      <button
        type="button"
        className="cp-btn primary"
        disabled={starting}
        onClick={() => void start()}
        data-testid="run-start-submit"
      >
        {starting ? 'Starting…' : 'Start the run'}
      </button>
    </div>
  )
}
