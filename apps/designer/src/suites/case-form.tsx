// One test case as a form read from the flow: its input facts (one input per field of the facts
// schema), an answer per human step, a mocked response per connector step and the outcome it
// expects. The JSON view is one click away and edits the same case.
import { useEffect, useId, useState } from 'react'
import type { FlowDocument, JsonValue, TaskField } from '@carepath/dsl'
import { JsonEditor } from '../monaco/json-editor.tsx'
import { registry } from '../registry.ts'
import { Tabs } from '../screens/tabs.tsx'
import { FactInput, FactsFieldset } from '../features/facts/fact-inputs.tsx'
import { connectorSteps, flowOutcomes, humanSteps, type HumanStep } from './case-form-model.ts'
import { isTestCase, testCaseJsonSchema, type TestCase } from './suite.store.ts'

type JsonObject = { [key: string]: JsonValue }
const asObject = (v: JsonValue | undefined): JsonObject =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {}

export function CaseForm({
  testCase,
  document,
  onChange,
}: {
  testCase: TestCase
  document: FlowDocument
  onChange(next: TestCase): void
}) {
  const [view, setView] = useState<'form' | 'json'>('form')
  const [steps, setSteps] = useState<HumanStep[]>([])
  useEffect(() => {
    let live = true
    void humanSteps(document, registry).then((s) => live && setSteps(s))
    return () => {
      live = false
    }
  }, [document])
  const connectors = connectorSteps(document, registry)
  const outcomes = flowOutcomes(document)
  const setAnswer = (nodeId: string, answer: JsonObject | undefined) => {
    const answers = { ...testCase.answers }
    if (answer === undefined || Object.keys(answer).length === 0) delete answers[nodeId]
    else answers[nodeId] = answer
    const next: TestCase = { ...testCase, answers }
    if (Object.keys(answers).length === 0) delete next.answers
    onChange(next)
  }

  return (
    <section
      className="cp-card inline cp-case-form"
      data-testid="case-form"
      aria-label={`Test case ${testCase.name ?? testCase.id}`}
    >
      <Tabs
        small
        value={view}
        onChange={setView}
        tabs={[
          { id: 'form', label: 'Form', testId: 'case-view-form' },
          { id: 'json', label: 'JSON', testId: 'case-view-json' },
        ]}
      />
      {view === 'json' ? (
        <JsonEditor
          path={`cases/${testCase.id}.json`}
          height={260}
          value={testCase}
          schema={testCaseJsonSchema}
          onChange={(v) => isTestCase(v) && onChange(v)}
        />
      ) : (
        <>
          <TextInput
            label="Name"
            value={testCase.name ?? ''}
            onChange={(name) => onChange({ ...testCase, name })}
            testId="case-name"
          />
          <label className="cp-inline-label">
            <input
              type="checkbox"
              checked={testCase.synthetic === true}
              onChange={(e) => {
                const { synthetic: _was, ...rest } = testCase
                onChange(e.target.checked ? { ...rest, synthetic: true } : rest)
              }}
              data-testid="case-synthetic"
            />{' '}
            Made-up values (test data): reports show them as written to those who may read the test cases
          </label>
          <FactsFieldset
            schema={document.facts}
            value={testCase.input}
            onChange={(input) => onChange({ ...testCase, input })}
            testIdPrefix="case-fact-"
          />
          {steps.length > 0 && (
            <fieldset className="cp-fieldset">
              <legend>Answers of the human steps</legend>
              {steps.map((step) => (
                <AnswerInput
                  key={step.nodeId}
                  step={step}
                  answer={asObject(testCase.answers?.[step.nodeId])}
                  onChange={(a) => setAnswer(step.nodeId, a)}
                />
              ))}
            </fieldset>
          )}
          {connectors.length > 0 && (
            <fieldset className="cp-fieldset">
              <legend>Responses of the connector steps</legend>
              {connectors.map((c) => (
                <MockInput
                  key={c.nodeId}
                  label={`${c.title} (${c.connectors.join(', ')})`}
                  value={testCase.mocks?.[c.nodeId]}
                  onChange={(v) => {
                    const mocks = { ...testCase.mocks }
                    if (v === undefined) delete mocks[c.nodeId]
                    else mocks[c.nodeId] = v
                    const next: TestCase = { ...testCase, mocks }
                    if (Object.keys(mocks).length === 0) delete next.mocks
                    onChange(next)
                  }}
                />
              ))}
            </fieldset>
          )}
          <label className="cp-field">
            <span className="cp-field-label">Expected outcome</span>
            <select
              className="cp-input"
              value={testCase.expect?.outcome ?? ''}
              onChange={(e) => {
                const { expect: _old, ...rest } = testCase
                onChange(e.target.value ? { ...rest, expect: { ...testCase.expect, outcome: e.target.value } } : rest)
              }}
              data-testid="case-expect"
            >
              <option value="">— no expectation —</option>
              {outcomes.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
    </section>
  )
}

function TextInput({
  label,
  value,
  onChange,
  testId,
}: {
  label: string
  value: string
  onChange(v: string): void
  testId?: string
}) {
  return (
    <label className="cp-field">
      <span className="cp-field-label">{label}</span>
      <input className="cp-input" value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
    </label>
  )
}

/** The answer a human step gets: the option chosen and its fields. */
function AnswerInput({
  step,
  answer,
  onChange,
}: {
  step: HumanStep
  answer: JsonObject
  onChange(a: JsonObject | undefined): void
}) {
  const options = step.request.options ?? []
  return (
    <div className="cp-answer" data-testid={`case-answer-${step.nodeId}`}>
      <strong>{step.title}</strong>
      {options.length > 0 && (
        <label className="cp-field">
          <span className="cp-field-label">Answer</span>
          <select
            className="cp-input"
            value={typeof answer.value === 'string' ? answer.value : ''}
            onChange={(e) => {
              const { value: _old, ...rest } = answer
              onChange(e.target.value ? { ...rest, value: e.target.value } : rest)
            }}
            data-testid={`case-answer-${step.nodeId}-option`}
          >
            <option value="">— not answered —</option>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {step.request.fields.map((f) => (
        <AnswerField
          key={f.name}
          field={f}
          value={answer[f.name]}
          onChange={(v) => {
            const { [f.name]: _old, ...rest } = answer
            onChange(v === undefined ? rest : { ...rest, [f.name]: v })
          }}
          testId={`case-answer-${step.nodeId}-${f.name}`}
        />
      ))}
    </div>
  )
}

function AnswerField({
  field,
  value,
  onChange,
  testId,
}: {
  field: TaskField
  value: JsonValue | undefined
  onChange(v: JsonValue | undefined): void
  testId: string
}) {
  // A test case cannot hold a real upload: a file answer is a recorded reference, shown as it is.
  if (field.type === 'file')
    return (
      <p className="cp-muted" data-testid={testId}>
        {field.label}: {value === undefined ? 'no file recorded' : 'a recorded file reference'} (set in the suite’s
        JSON).
      </p>
    )
  return (
    <FactInput
      field={{
        path: field.name,
        label: field.label,
        kind: field.type === 'string' ? 'text' : field.type,
        options: (field.options ?? []).map((o) => o.value),
        required: field.required,
      }}
      value={value}
      onChange={onChange}
      testId={testId}
    />
  )
}

/** A connector's mocked response as JSON text; applied once it parses, `{"$error": "…"}` makes the call fail. */
function MockInput({
  label,
  value,
  onChange,
}: {
  label: string
  value: JsonValue | undefined
  onChange(v: JsonValue | undefined): void
}) {
  const id = useId()
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 1))
  const [error, setError] = useState<string | null>(null)
  return (
    <div className="cp-field">
      <label className="cp-field-label" htmlFor={id}>
        {label}
      </label>
      <textarea
        id={id}
        className="cp-input cp-mono"
        rows={3}
        value={text}
        aria-describedby={`${id}-hint`}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (text.trim() === '') {
            setError(null)
            onChange(undefined)
            return
          }
          try {
            onChange(JSON.parse(text) as JsonValue)
            setError(null)
          } catch {
            setError('This is not JSON yet; the case keeps its previous response.')
          }
        }}
      />
      <small id={`${id}-hint`} className={error ? 'cp-error-text' : 'cp-hint'}>
        {error ?? 'The response the connector returns in this case, as JSON. {"$error": "why"} makes the call fail.'}
      </small>
    </div>
  )
}
