// Version history: every saved revision; view one on the canvas, or pick two (or the draft and
// the published version) for a visual diff with the changed fields listed per node.
import { useState } from 'react'
import { describeFlowChange, describeNodeChange, nodeTitle, type FlowDocument } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { useEditor } from '../store/editor.store.ts'
import { Empty, ErrorState, Loading, when } from '../screens/state-views.tsx'
import { buildDiffView, type DiffView } from './diff-view.ts'

export function HistoryPanel({ flowId }: { flowId: string }) {
  const history = useLoader(() => api.history(flowId), [flowId])
  const [picked, setPicked] = useState<string[]>([])
  const [diff, setDiff] = useState<DiffView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const showDiff = async (olderHash: string, newer: FlowDocument | string, label: string) => {
    setBusy(true)
    setError(null)
    try {
      const before = await api.version(flowId, olderHash)
      const after = typeof newer === 'string' ? await api.version(flowId, newer) : newer
      const view = buildDiffView(before, after)
      useEditor.getState().enterView(label, view.document, view.nodes, view.edges)
      setDiff(view)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The versions could not be compared.')
    } finally {
      setBusy(false)
    }
  }

  if (history.loading && !history.data) return <Loading what="history" />
  if (history.error) return <ErrorState message={history.error} retry={history.reload} />
  const versions = history.data ?? []
  const published = versions.find((v) => v.status === 'published')
  const byRevision = (hash: string) => versions.find((v) => v.hash === hash)?.revision ?? hash.slice(0, 8)
  return (
    <div className="cp-panel" data-testid="history-panel">
      <h3>Version history</h3>
      {versions.length === 0 && <Empty>Not saved yet: the first save starts the history.</Empty>}
      {published && (
        <button
          type="button"
          className="cp-btn small"
          disabled={busy}
          onClick={() =>
            void showDiff(
              published.hash,
              useEditor.getState().editingDocument(),
              `your draft vs published (rev ${published.revision})`,
            )
          }
          data-testid="diff-with-published"
        >
          Compare my draft with the published version
        </button>
      )}
      {picked.length === 2 && (
        <button
          type="button"
          className="cp-btn small primary"
          disabled={busy}
          data-testid="diff-picked"
          onClick={() => {
            const [a, b] = [...picked].sort((x, y) => Number(byRevision(x)) - Number(byRevision(y)))
            void showDiff(a!, b!, `rev ${byRevision(a!)} → rev ${byRevision(b!)}`)
          }}
        >
          Compare rev {byRevision(picked[0]!)} and rev {byRevision(picked[1]!)}
        </button>
      )}
      {error && <ErrorState message={error} />}
      <ul className="cp-version-list">
        {versions.map((v) => (
          <li key={`${v.revision}-${v.hash}`} data-testid={`version-${v.revision}`}>
            <input
              type="checkbox"
              aria-label={`Pick revision ${v.revision} to compare`}
              checked={picked.includes(v.hash)}
              onChange={(e) =>
                setPicked(
                  e.target.checked
                    ? [...picked.filter((h) => h !== v.hash)].slice(-1).concat(v.hash)
                    : picked.filter((h) => h !== v.hash),
                )
              }
            />
            <span>
              <strong>rev {v.revision}</strong> <span className={`cp-status s-${v.status}`}>{v.status}</span>
              <br />
              <small className="cp-hint">
                {v.author ?? '—'} · {when(v.at)} · {v.hash.slice(0, 10)}
              </small>
            </span>
            <button
              type="button"
              className="cp-btn small"
              onClick={async () => {
                try {
                  useEditor.getState().enterView(`rev ${v.revision}`, await api.version(flowId, v.hash), {}, {})
                  setDiff(null)
                } catch (e) {
                  setError(e instanceof Error ? e.message : 'The version could not be loaded.')
                }
              }}
            >
              View
            </button>
          </li>
        ))}
      </ul>
      {diff && <DiffList view={diff} />}
    </div>
  )
}

/** The version that has the node (the newer one unless the node was removed). */
function nodeSource(view: DiffView, nodeId: string) {
  return view.documents.after.nodes[nodeId] ? view.documents.after : view.documents.before
}

export function DiffList({ view }: { view: DiffView }) {
  const { diff } = view
  const count =
    diff.added.length +
    diff.removed.length +
    diff.changed.length +
    diff.edges.added.length +
    diff.edges.removed.length +
    diff.flow.length
  return (
    <section className="cp-diff-list" data-testid="diff-list">
      <h4>{count === 0 ? 'No differences' : 'What changed'}</h4>
      <p className="cp-legend">
        <span className="cp-badge hl-added">added</span> <span className="cp-badge hl-removed">removed</span>{' '}
        <span className="cp-badge hl-changed">changed</span>
      </p>
      {diff.flow.length > 0 && (
        <div className="cp-diff-node">
          <strong>Flow settings</strong>
          <FieldChanges lines={diff.flow.map((c) => describeFlowChange(c, view.documents))} />
        </div>
      )}
      {diff.added.map((n) => (
        <div key={n.nodeId} className="cp-diff-node added" data-testid={`diff-added-${n.nodeId}`}>
          + <strong>{n.title ?? n.nodeId}</strong> <small>{n.type}</small>
        </div>
      ))}
      {diff.removed.map((n) => (
        <div key={n.nodeId} className="cp-diff-node removed" data-testid={`diff-removed-${n.nodeId}`}>
          − <strong>{n.title ?? n.nodeId}</strong> <small>{n.type}</small>
        </div>
      ))}
      {diff.changed.map((n) => (
        <div key={n.nodeId} className="cp-diff-node changed" data-testid={`diff-changed-${n.nodeId}`}>
          ~ <strong>{n.title ?? n.nodeId}</strong> <small>{n.type}</small>
          <FieldChanges lines={n.changes.map((c) => describeNodeChange(n.nodeId, c, view.documents))} />
        </div>
      ))}
      {[
        ...diff.edges.added.map((e) => ({ ...e, kind: 'added' })),
        ...diff.edges.removed.map((e) => ({ ...e, kind: 'removed' })),
      ].map((e) => (
        <div key={`${e.kind}-${e.id}`} className={`cp-diff-node ${e.kind}`}>
          {e.kind === 'added' ? '+' : '−'} “{nodeTitle(nodeSource(view, e.source), e.source)}” <code>{e.port}</code> → “
          {nodeTitle(nodeSource(view, e.target), e.target)}”
        </div>
      ))}
    </section>
  )
}

/** Each change as a sentence; its path only in a details line under it. */
function FieldChanges({ lines }: { lines: { text: string; details: string }[] }) {
  return (
    <ul className="cp-field-changes">
      {lines.map((line, i) => (
        <li key={i}>
          {line.text}
          <small className="cp-details">{line.details}</small>
        </li>
      ))}
    </ul>
  )
}
