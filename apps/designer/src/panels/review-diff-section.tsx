// The review's "What changed": the structural diff of the version under review against the
// published one, listed per node where the reviewer reads the report (before only in History),
// with the same canvas view one click away.
import type { FlowDocument } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { ErrorState, Loading } from '../screens/state-views.tsx'
import { useEditor } from '../store/editor.store.ts'
import { buildDiffView } from './diff-view.ts'
import { DiffList } from './history-panel.tsx'

export function ReviewDiffSection({
  flowId,
  hash,
  published,
}: {
  flowId: string
  /** The version under review. */
  hash: string
  published: { hash: string; document: FlowDocument } | null
}) {
  const view = useLoader(
    async () => (published && hash ? buildDiffView(published.document, await api.version(flowId, hash)) : null),
    [flowId, hash, published?.hash],
  )
  if (!published)
    return (
      <section data-testid="review-diff">
        <h4>What changed</h4>
        <p className="cp-hint">Nothing is published yet: the whole flow is new.</p>
      </section>
    )
  if (published.hash === hash) return null
  if (view.loading && !view.data) return <Loading what="the changes" />
  if (view.error) return <ErrorState message={view.error} retry={view.reload} />
  if (!view.data) return null
  const diff = view.data
  return (
    <section data-testid="review-diff">
      <DiffList view={diff} />
      <button
        type="button"
        className="cp-btn small"
        onClick={() =>
          useEditor.getState().enterView('under review vs published', diff.document, diff.nodes, diff.edges)
        }
        data-testid="review-diff-canvas"
      >
        Show the changes on the canvas
      </button>
    </section>
  )
}
