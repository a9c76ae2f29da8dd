// The flow editor: palette, canvas and problems, and a side panel for the inspector, version
// history and diff, the simulator and the review.
import { useCallback, useEffect, useState } from 'react'
import { ReactFlowProvider, useReactFlow } from '@xyflow/react'
import type { FlowDocument } from '@carepath/dsl'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import type { FlowDetail } from '../api/carepath-api.ts'
import { useEditor } from '../store/editor.store.ts'
import { setLeaveGuard } from '../route.ts'
import { leaveQuestion } from './unsaved-work.ts'
import { freeSpot } from '../store/graph-edits.ts'
import { useSession } from '../store/session.store.ts'
import { dropBackup, readBackup } from '../store/save-draft.ts'
import { FlowCanvas } from '../canvas/flow-canvas.tsx'
import { PalettePanel } from '../palette/palette-panel.tsx'
import { InspectorPanel } from '../inspector/inspector-panel.tsx'
import { ProblemsPanel } from '../validation/problems-panel.tsx'
import { useLiveValidation } from '../validation/use-live-validation.ts'
import { HistoryPanel } from '../panels/history-panel.tsx'
import { SimulatorPanel } from '../suites/simulator-panel.tsx'
import { ReviewPanel } from '../panels/review-panel.tsx'
import { EditorToolbar } from './editor-toolbar.tsx'
import { pendingFlows } from './pending-flows.ts'
import { useSuiteStore } from '../suites/suite.store.ts'
import { ErrorState, Loading } from './state-views.tsx'
import { MigrationsPanel } from '../features/migrations/migrations-panel.tsx'
import { Tabs, type TabSpec } from './tabs.tsx'
import { PhiMapPanel } from '../features/phi-map/phi-map-panel.tsx'
import { FlowOwnersStrip } from '../features/governance/flow-owners-strip.tsx'

type SideTab = 'inspect' | 'history' | 'simulate' | 'review' | 'phi' | 'runs'
const SIDE_TABS: TabSpec<SideTab>[] = [
  { id: 'inspect', label: 'Inspect', testId: 'side-tab-inspect' },
  { id: 'history', label: 'History', testId: 'side-tab-history' },
  { id: 'simulate', label: 'Simulate', testId: 'side-tab-simulate' },
  { id: 'review', label: 'Review', testId: 'side-tab-review' },
  { id: 'phi', label: 'PHI map', testId: 'side-tab-phi-map' },
  { id: 'runs', label: 'Waiting runs', testId: 'side-tab-runs' },
]

async function loadFlow(flowId: string): Promise<FlowDetail | null> {
  if (pendingFlows.has(flowId)) return null
  return api.getFlow(flowId)
}

export function EditorScreen({ flowId }: { flowId: string }) {
  const flow = useLoader(() => loadFlow(flowId), [flowId])
  const [ready, setReady] = useState(false)
  const [backup, setBackup] = useState<{ baseRevision: number; document: FlowDocument } | null>(null)

  // Leaving a flow with unsaved changes or test cases for another screen asks first (closing the
  // tab is the toolbar's beforeunload guard).
  useEffect(() => {
    setLeaveGuard((to) => {
      if (to.screen === 'editor' && to.flowId === flowId) return true
      const { dirty, readOnly } = useEditor.getState()
      const question = leaveQuestion({ flowDirty: dirty, casesDirty: useSuiteStore.getState().dirty, readOnly })
      return question === null || window.confirm(question)
    })
    return () => setLeaveGuard(null)
  }, [flowId])

  useEffect(() => {
    if (flow.loading || flow.error) return
    const pending = pendingFlows.get(flowId)
    const editor = useEditor.getState()
    // A reload after save keeps the canvas as is; only a first load replaces it.
    if (ready && editor.flowId === flowId) return
    useSuiteStore.getState().load(flowId, flow.data?.suites ?? [])
    if (pending) editor.load(pending, 0, null)
    else if (flow.data?.draft?.document)
      editor.load(flow.data.draft.document, flow.data.draft.revision, flow.data.draft.hash)
    else if (flow.data?.published) editor.load(flow.data.published.document, 0, flow.data.published.hash)
    // Reviewers, auditors and agents look; only analysts and developers change flows.
    const role = useSession.getState().user?.role
    if (role !== 'analyst' && role !== 'developer') editor.setReadOnly(true)
    const local = readBackup(flowId)
    if (local && JSON.stringify(local.document) !== JSON.stringify(useEditor.getState().document())) setBackup(local)
    setReady(true)
  }, [flow.loading, flow.error, flow.data, flowId, ready])

  if (flow.loading && !ready) return <Loading what="the flow" />
  if (flow.error && !ready) return <ErrorState message={flow.error} retry={flow.reload} />
  if (!ready) return <Loading what="the flow" />
  return (
    <ReactFlowProvider>
      {backup && (
        <div className="cp-banner warn" data-testid="backup-banner">
          Unsaved changes from an earlier session were found (based on revision {backup.baseRevision}).
          <button
            type="button"
            className="cp-btn small"
            onClick={() => {
              useEditor.getState().load(backup.document, useEditor.getState().revision, useEditor.getState().savedHash)
              useEditor.setState({ dirty: true })
              setBackup(null)
            }}
          >
            Restore them
          </button>
          <button
            type="button"
            className="cp-btn small ghost"
            onClick={() => {
              dropBackup(flowId)
              setBackup(null)
            }}
          >
            Discard
          </button>
        </div>
      )}
      <EditorWorkspace flowId={flowId} detail={flow.data ?? null} reloadDetail={flow.reload} />
    </ReactFlowProvider>
  )
}

function EditorWorkspace({
  flowId,
  detail,
  reloadDetail,
}: {
  flowId: string
  detail: FlowDetail | null
  reloadDetail(): void
}) {
  useLiveValidation()
  const [tab, setTab] = useState<SideTab>('inspect')
  const viewLabel = useEditor((s) => s.viewLabel)
  const readOnly = useEditor((s) => s.readOnly)
  const problemCount = useEditor((s) => s.problems.filter((p) => p.severity === 'error').length)
  const { screenToFlowPosition } = useReactFlow()
  const addAtCenter = useCallback(
    (type: string) => {
      const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect()
      const center = canvas
        ? { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 }
        : { x: 400, y: 300 }
      const { addNode, nodes } = useEditor.getState()
      addNode(type, freeSpot(screenToFlowPosition(center), nodes))
    },
    [screenToFlowPosition],
  )
  return (
    <div className="cp-editor" data-testid="editor">
      <EditorToolbar flowId={flowId} detail={detail} onSaved={reloadDetail} problemCount={problemCount} />
      <FlowOwnersStrip flowId={flowId} />
      {viewLabel && (
        <div className="cp-banner info" data-testid="view-banner">
          Viewing: {viewLabel} (read-only).
          <button
            type="button"
            className="cp-btn small"
            onClick={() => useEditor.getState().exitView()}
            data-testid="view-exit"
          >
            Back to editing
          </button>
        </div>
      )}
      <div className="cp-editor-body">
        <PalettePanel onAdd={addAtCenter} disabled={readOnly} />
        <div className="cp-canvas-col">
          <FlowCanvas />
          <ProblemsPanel />
        </div>
        <aside className="cp-side">
          <Tabs label="Side panel" value={tab} onChange={setTab} tabs={SIDE_TABS} />
          <div className="cp-side-body">
            {tab === 'inspect' && <InspectorPanel />}
            {tab === 'history' && <HistoryPanel flowId={flowId} />}
            {tab === 'simulate' && <SimulatorPanel flowId={flowId} hasPublished={Boolean(detail?.published)} />}
            {tab === 'review' && <ReviewPanel flowId={flowId} detail={detail} onChanged={reloadDetail} />}
            {tab === 'phi' && <PhiMapPanel />}
            {tab === 'runs' && (
              <MigrationsPanel
                flowId={flowId}
                publishedHash={detail?.published?.hash ?? null}
                publishedNodes={Object.keys(detail?.published?.document.nodes ?? {}).sort()}
              />
            )}
          </div>
        </aside>
      </div>
    </div>
  )
}
