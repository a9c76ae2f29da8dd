// One run: the version it ran on, drawn read-only with the path highlighted, and beside it each
// step: the decisions with their why, connector calls and tasks. The server has already
// redacted what the viewer's role may not see.
import { useEffect, useState } from 'react'
import { ReactFlowProvider } from '@xyflow/react'
import { nodeTitle, type FactSchema, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import type { RunDetail } from '../api/carepath-api.ts'
import { useEditor } from '../store/editor.store.ts'
import { FlowCanvas } from '../canvas/flow-canvas.tsx'
import { pathHighlights } from '../canvas/path-highlights.ts'
import { ExplanationView } from '../panels/explanation-view.tsx'
import { ErrorState, Loading, when } from './state-views.tsx'
import { ReplayButton } from '../features/runs/replay-button.tsx'

async function loadRun(runId: string): Promise<{ run: RunDetail; document: FlowDocument | null }> {
  const run = await api.getRun(runId)
  let document: FlowDocument | null = null
  try {
    document = await api.version(run.flowId, run.hash)
  } catch {
    document = null // agents may not read flow versions: the steps still show
  }
  return { run, document }
}

export function RunViewerScreen({ runId }: { runId: string }) {
  const loaded = useLoader(() => loadRun(runId), [runId])
  const [ready, setReady] = useState(false)
  useEffect(() => {
    if (!loaded.data?.document) return
    const editor = useEditor.getState()
    editor.load(loaded.data.document, 0, loaded.data.run.hash)
    const { nodes, edges } = pathHighlights(loaded.data.run.path, useEditor.getState().edges)
    editor.setHighlights(nodes, edges)
    editor.setReadOnly(true)
    setReady(true)
  }, [loaded.data])

  if (loaded.loading && !loaded.data) return <Loading what="the run" />
  if (loaded.error || !loaded.data)
    return <ErrorState message={loaded.error ?? 'The run could not be loaded.'} retry={loaded.reload} />
  const { run, document } = loaded.data
  return (
    <div className="cp-run-viewer" data-testid="run-viewer">
      <div className="cp-toolbar">
        <a href="#/runs" className="cp-btn small ghost" aria-label="Back to runs">
          ←
        </a>
        <h1 className="cp-toolbar-title">Run {run.id.slice(0, 12)}</h1>
        <span>{run.flowId}</span>
        <span className={`cp-status s-${run.status}`} data-testid="run-status">
          {run.status}
        </span>
        {run.outcome && (
          <span>
            outcome <strong data-testid="run-outcome">{run.outcome}</strong>
          </span>
        )}
        <small className="cp-hint">version {run.hash.slice(0, 10)}</small>
        <ReplayButton runId={run.id} />
        <span className="cp-spacer" />
        <button type="button" className="cp-btn small" onClick={loaded.reload}>
          Refresh
        </button>
      </div>
      <div className="cp-run-body">
        <div className="cp-canvas-col">
          {document && ready ? (
            <ReactFlowProvider>
              <FlowCanvas />
            </ReactFlowProvider>
          ) : (
            <p className="cp-state">
              The flow version is not available to your role; the steps are listed on the right.
            </p>
          )}
        </div>
        <aside className="cp-side wide">
          {run.incident && (
            <p className="cp-state error" role="alert" data-testid="run-incident">
              Held at <b>{run.incident.nodeId}</b>: {run.incident.message}
              {run.incident.connector ? ` (${run.incident.connector}, ${run.incident.errorClass ?? 'failed'})` : ''}. An
              operator can retry, skip or cancel it under Operations.
            </p>
          )}
          <h3>Path</h3>
          <ol className="cp-path" data-testid="run-path">
            {run.path.map((id, i) => (
              <li key={`${id}-${i}`}>{document ? nodeTitle(document, id) : id}</li>
            ))}
          </ol>
          <h3>Steps</h3>
          <EventList events={run.events} document={document} />
        </aside>
      </div>
    </div>
  )
}

type RunEvent = RunDetail['events'][number]

/** The kinds of event a person reads in the run viewer, with their headings; the rest stay in the log. */
const LABELS: Partial<Record<RunEvent['type'], string>> = {
  decision: 'Decision',
  'connector.request': 'Connector call',
  'connector.response': 'Connector answer',
  'task.opened': 'Task opened',
  'task.answered': 'Task answered',
  error: 'Error',
  'run.ended': 'Run ended',
  'wait.started': 'Waiting',
  'facts.set': 'Facts set',
  'connector.retry': 'Retry scheduled',
  'incident.opened': 'Incident',
  'incident.resolved': 'Incident resolved',
}

function EventList({ events, document }: { events: RunEvent[]; document: FlowDocument | null }) {
  const shown = events.filter((e) => LABELS[e.type] !== undefined)
  if (shown.length === 0) return <p className="cp-hint">No steps recorded yet.</p>
  return (
    <ul className="cp-events" data-testid="run-events">
      {shown.map((event, i) => (
        <li key={i} className={`ev ev-${event.type.replace('.', '-')}`} data-testid={`event-${event.type}`}>
          <div className="ev-head">
            <strong>{LABELS[event.type] ?? event.type}</strong>{' '}
            {event.nodeId && <span>{document ? nodeTitle(document, event.nodeId) : event.nodeId}</span>}{' '}
            <small className="cp-hint">{when(event.at)}</small>
          </div>
          <EventDetail event={event} facts={document?.facts} />
        </li>
      ))}
    </ul>
  )
}

function show(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null)
}

/** The few lines of an event a person needs; anything else stays in the raw data below. */
function EventDetail({ event, facts }: { event: RunEvent; facts: FactSchema | undefined }) {
  switch (event.type) {
    case 'decision':
      return <ExplanationView explanation={event.data.explanation} facts={facts} />
    case 'task.opened': {
      const { request } = event.data
      return (
        <div className="ev-body">
          “{request.title}” for <strong>{request.role}</strong>; shows{' '}
          {request.shows.length ? request.shows.join(', ') : 'no facts'}
        </div>
      )
    }
    case 'task.answered':
      return (
        <div className="ev-body">
          answered → port <strong>{event.data.port}</strong> · answer {show(event.data.answer)}
        </div>
      )
    case 'facts.set':
      return (
        <ul className="ev-body">
          {Object.entries(event.data.set).map(([path, value]) => (
            <li key={path}>
              <code>{path}</code> = {show(value)}
            </li>
          ))}
        </ul>
      )
    case 'connector.request':
      return (
        <details className="ev-body">
          <summary>
            {event.data.connector} (attempt {event.data.attempt})
          </summary>
          <pre className="cp-pre">{JSON.stringify(event.data.request, null, 2)}</pre>
        </details>
      )
    case 'connector.response': {
      const { data } = event
      return (
        <details className="ev-body">
          <summary>
            {data.connector} (attempt {data.attempt}){'error' in data ? ` failed: ${data.error}` : ''}
          </summary>
          <pre className="cp-pre">{JSON.stringify('response' in data ? data.response : data, null, 2)}</pre>
        </details>
      )
    }
    case 'run.ended':
      return (
        <div className="ev-body">
          {'outcome' in event.data
            ? `completed with outcome ${event.data.outcome}`
            : 'message' in event.data
              ? `failed: ${event.data.message}`
              : 'cancelled by an operator'}
        </div>
      )
    case 'wait.started':
      return <div className="ev-body">until {event.data.until}</div>
    case 'error':
      return <div className="ev-body cp-error-text">{event.data.message}</div>
    default:
      return Object.keys(event.data).length > 0 ? (
        <pre className="cp-pre">{JSON.stringify(event.data, null, 2)}</pre>
      ) : null
  }
}
