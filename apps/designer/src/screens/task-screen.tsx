// The guided screen: one waiting step of a run. It shows only the facts the step allows, asks
// the step's fields, and offers its answers as buttons; a refused answer is explained and
// nothing is lost.
import { useState } from 'react'
import type { JsonValue, TaskField } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { navigate } from '../route.ts'
import { ErrorState, Loading } from './state-views.tsx'
import { TaskActions } from '../features/tasks/task-actions.tsx'
import { readTask } from './task-view.ts'
import { TaskFileField } from '../features/governance/task-file-field.tsx'

/** `patient.firstName` → "Patient · first name". */
function factLabel(path: string): string {
  return path
    .split('.')
    .map((part, i) => {
      const words = part
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .replace(/[-_]/g, ' ')
        .toLowerCase()
      return i === 0 ? words.charAt(0).toUpperCase() + words.slice(1) : words
    })
    .join(' · ')
}

async function loadTask(taskId: string) {
  const tasks = (await api.inbox()).map(readTask)
  const task = tasks.find((t) => t.id === taskId)
  if (!task) throw new Error('This task is no longer open (it may have been answered by someone else).')
  return task
}

export interface TaskScreenProps {
  taskId: string
  /** Called once an answer is accepted (the embedded view tells its host, by ids). */
  onAnswered?: (task: { id: string; runId: string; nodeId: string }) => void
  /** Inside a host's frame: no links to screens the embedded view does not have. */
  embedded?: boolean
}

export function TaskScreen({ taskId, onAnswered, embedded = false }: TaskScreenProps) {
  const task = useLoader(() => loadTask(taskId), [taskId])
  const [values, setValues] = useState<Record<string, JsonValue>>({})
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(false)
  const [nextTaskId, setNextTaskId] = useState<string | null>(null)
  const [handedOn, setHandedOn] = useState<string | null>(null)

  if (task.loading && !task.data) return <Loading what="the task" />
  if (task.error || !task.data)
    return <ErrorState message={task.error ?? 'The task could not be loaded.'} retry={task.reload} />
  const view = task.data

  const submit = async (option?: string) => {
    setBusy(true)
    setError(null)
    try {
      if (!view.claimedBy) await api.claimTask(view.id).catch(() => undefined)
      await api.answerTask(view.id, option ? { value: option, ...values } : values)
      onAnswered?.({ id: view.id, runId: view.runId, nodeId: view.nodeId })
      // The guided walk: when the run stops at another step for this person, offer it next.
      const next = (await api.inbox().catch(() => []))
        .map(readTask)
        .find((t) => t.runId === view.runId && t.id !== view.id)
      setNextTaskId(next?.id ?? null)
      setDone(true)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The answer was not accepted.')
    } finally {
      setBusy(false)
    }
  }

  if (handedOn) {
    return (
      <div className="cp-page narrow">
        <div className="cp-card" data-testid="task-handed-on">
          <h1>Task handed on</h1>
          <p role="status">{handedOn}</p>
          <button type="button" className="cp-btn primary" onClick={() => navigate('/inbox')} data-testid="task-back">
            Back to the inbox
          </button>
        </div>
      </div>
    )
  }

  if (done) {
    return (
      <div className="cp-page narrow">
        <div className="cp-card" data-testid="task-done">
          <h1>✓ Answer recorded</h1>
          <p>{nextTaskId ? 'The run has another step for you.' : 'The run continues.'}</p>
          <div className="cp-row">
            {nextTaskId && (
              <button
                type="button"
                className="cp-btn primary"
                onClick={() => navigate(`/inbox/${encodeURIComponent(nextTaskId)}`)}
                data-testid="task-next"
              >
                Next step →
              </button>
            )}
            <button type="button" className="cp-btn primary" onClick={() => navigate('/inbox')} data-testid="task-back">
              Back to the inbox
            </button>
            {!embedded && (
              <a className="cp-btn" href={`#/runs/${view.runId}`}>
                See the run
              </a>
            )}
          </div>
        </div>
      </div>
    )
  }

  return (
    <div className="cp-page narrow" data-testid="task-screen">
      <a href="#/inbox" className="cp-link">
        ← Inbox
      </a>
      <div className="cp-card">
        <h1>{view.title}</h1>
        <small className="cp-hint">
          {view.flowId} · step {view.nodeId} · for {view.role}
        </small>
        {view.prompt && <p className="cp-prompt">{view.prompt}</p>}
        {view.shown.length > 0 && (
          <dl className="cp-facts" data-testid="task-facts">
            {view.shown.map((f) => (
              <div key={f.path}>
                <dt title={f.path}>{factLabel(f.path)}</dt>
                <dd data-testid={`task-fact-${f.path}`}>
                  {f.value === null ? (
                    <em>hidden or empty</em>
                  ) : typeof f.value === 'object' ? (
                    JSON.stringify(f.value)
                  ) : (
                    String(f.value)
                  )}
                </dd>
              </div>
            ))}
          </dl>
        )}
        {view.fields.map((field) =>
          field.type === 'file' ? (
            <TaskFileField
              key={field.name}
              field={field}
              target={{ kind: 'task', flowId: view.flowId, subject: view.id }}
              onChange={(v) => setValues({ ...values, [field.name]: v })}
            />
          ) : (
            <FieldInput
              key={field.name}
              field={field}
              value={values[field.name]}
              onChange={(v) => setValues({ ...values, [field.name]: v })}
            />
          ),
        )}
        {error && (
          <p className="cp-error-text" role="alert" data-testid="task-error">
            {error}
          </p>
        )}
        <div className="cp-answer-buttons">
          {view.options.length > 0 ? (
            view.options.map((o) => (
              <button
                key={o.value}
                type="button"
                className="cp-btn primary big"
                disabled={busy}
                onClick={() => void submit(o.value)}
                data-testid={`task-answer-${o.value}`}
              >
                {o.label}
              </button>
            ))
          ) : (
            <button
              type="button"
              className="cp-btn primary big"
              disabled={busy}
              onClick={() => void submit()}
              data-testid="task-submit"
            >
              Send
            </button>
          )}
        </div>
        <TaskActions taskId={view.id} flowId={view.flowId} role={view.role} onHandedOn={setHandedOn} />
      </div>
    </div>
  )
}

function FieldInput({
  field,
  value,
  onChange,
}: {
  field: TaskField
  value: JsonValue | undefined
  onChange(v: JsonValue): void
}) {
  const id = `task-field-${field.name}`
  if (field.type === 'boolean') {
    return (
      <div className="cp-field">
        <span className="cp-field-label">
          {field.label}
          {field.required && ' *'}
        </span>
        <div className="cp-row">
          <button
            type="button"
            className={`cp-btn ${value === true ? 'primary' : ''}`}
            onClick={() => onChange(true)}
            data-testid={`${id}-yes`}
          >
            Yes
          </button>
          <button
            type="button"
            className={`cp-btn ${value === false ? 'primary' : ''}`}
            onClick={() => onChange(false)}
            data-testid={`${id}-no`}
          >
            No
          </button>
        </div>
      </div>
    )
  }
  if (field.type === 'choice') {
    return (
      <label className="cp-field">
        <span className="cp-field-label">
          {field.label}
          {field.required && ' *'}
        </span>
        <select
          className="cp-input"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value)}
          data-testid={id}
        >
          <option value="">— choose —</option>
          {field.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
    )
  }
  return (
    <label className="cp-field">
      <span className="cp-field-label">
        {field.label}
        {field.required && ' *'}
      </span>
      <input
        className="cp-input"
        type={field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text'}
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) =>
          onChange(field.type === 'number' ? (e.target.value === '' ? null : Number(e.target.value)) : e.target.value)
        }
        data-testid={id}
      />
    </label>
  )
}
