// The editor's toolbar: save (with conflicts and server-side problems spelled out), undo/redo,
// auto-layout and fit, and the keyboard shortcuts that go with them.
import { useEffect, useState } from 'react'
import { useReactFlow } from '@xyflow/react'
import { FIT_VIEW_OPTIONS } from '../canvas/readable-fit.ts'
import { api } from '../api/carepath-api.ts'
import type { FlowDetail } from '../api/carepath-api.ts'
import { useEditor } from '../store/editor.store.ts'
import { backupLocally, saveDraft, type SaveResult } from '../store/save-draft.ts'
import { useSuiteStore } from '../suites/suite.store.ts'
import { layoutGraph } from '../canvas/auto-layout.ts'
import { useEdgeRoutes } from '../canvas/edge-routes.store.ts'
import { buildDiffView } from '../panels/diff-view.ts'

function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return Boolean(
    el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'TEXTAREA' ||
      el.tagName === 'SELECT' ||
      el.isContentEditable ||
      el.closest('.monaco-editor')),
  )
}

export function EditorToolbar({
  flowId,
  detail,
  onSaved,
  problemCount,
}: {
  flowId: string
  detail: FlowDetail | null
  onSaved(): void
  problemCount: number
}) {
  const title = useEditor((s) => s.meta.title)
  const documentDirty = useEditor((s) => s.dirty)
  // Unsaved test cases count as unsaved work: they are saved with the draft.
  const casesDirty = useSuiteStore((s) => s.dirty)
  const dirty = documentDirty || casesDirty
  const revision = useEditor((s) => s.revision)
  const canUndo = useEditor((s) => s.past.length > 0)
  const canRedo = useEditor((s) => s.future.length > 0)
  const readOnly = useEditor((s) => s.readOnly)
  const viewLabel = useEditor((s) => s.viewLabel)
  const [saving, setSaving] = useState(false)
  const [result, setResult] = useState<SaveResult | null>(null)
  const { fitView, getInternalNode } = useReactFlow()

  const save = async (overwriteRevision?: number) => {
    setSaving(true)
    const outcome = await saveDraft(overwriteRevision ? { overwriteRevision } : {})
    setResult(outcome)
    setSaving(false)
    if (outcome.ok) onSaved()
  }

  const autoLayout = async () => {
    const { nodes, edges, applyPositions } = useEditor.getState()
    const { positions, routes } = await layoutGraph(nodes, edges, (id) => getInternalNode(id)?.internals.handleBounds)
    applyPositions(positions)
    useEdgeRoutes.getState().setRoutes(routes)
    window.requestAnimationFrame(() => void fitView({ ...FIT_VIEW_OPTIONS, duration: 300 }))
  }

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey
      if (!mod) return
      const key = event.key.toLowerCase()
      const editor = useEditor.getState()
      if (key === 's') {
        event.preventDefault()
        if (!editor.readOnly) void save()
        return
      }
      if (typingInField(event.target)) return
      if (key === 'z' && !event.shiftKey) editor.undo()
      else if ((key === 'z' && event.shiftKey) || key === 'y') editor.redo()
      else if (key === 'c') editor.copySelected()
      else if (key === 'v') editor.paste()
      else if (key === 'a')
        editor.onNodesChange(editor.nodes.map((n) => ({ type: 'select', id: n.id, selected: true })))
      else return
      event.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  // Leaving with unsaved changes asks first (the local backup still keeps them).
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      const { dirty: unsaved, readOnly: viewing } = useEditor.getState()
      if ((unsaved || useSuiteStore.getState().dirty) && !viewing) event.preventDefault()
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [])

  // Keep unsaved work in local storage a moment after each edit. Writing it serialises the whole
  // document (tens of ms at 500 nodes), so it waits while a pointer is pressed: it never lands in
  // the frames of a drag or a pan.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let pressed = false
    const press = () => (pressed = true)
    const release = () => (pressed = false)
    const backupWhenStill = () => {
      if (pressed) timer = setTimeout(backupWhenStill, 250)
      else backupLocally(useEditor.getState().document(), useEditor.getState().revision)
    }
    window.addEventListener('pointerdown', press, true)
    window.addEventListener('pointerup', release, true)
    window.addEventListener('pointercancel', release, true)
    const unsubscribe = useEditor.subscribe((state, previous) => {
      if (
        !state.dirty ||
        state.readOnly ||
        (state.nodes === previous.nodes && state.edges === previous.edges && state.meta === previous.meta)
      )
        return
      clearTimeout(timer)
      timer = setTimeout(backupWhenStill, 1000)
    })
    return () => {
      clearTimeout(timer)
      unsubscribe()
      window.removeEventListener('pointerdown', press, true)
      window.removeEventListener('pointerup', release, true)
      window.removeEventListener('pointercancel', release, true)
    }
  }, [])

  return (
    <>
      <div className="cp-toolbar" data-testid="toolbar">
        <a href="#/flows" className="cp-btn small ghost" aria-label="Back to flows">
          ←
        </a>
        <h1 className="cp-toolbar-title">{title}</h1>
        <span className={`cp-status s-${detail?.status ?? 'new'}`} data-testid="flow-status">
          {detail?.status ?? 'new, not saved yet'}
        </span>
        <small className="cp-hint" data-testid="flow-revision">
          {revision ? `rev ${revision}` : ''} {dirty ? '· unsaved changes' : revision ? '· saved' : ''}
        </small>
        {readOnly && !viewLabel && <span className="cp-badge">read-only for your role</span>}
        <span className="cp-spacer" />
        <button
          type="button"
          className="cp-btn small"
          disabled={!canUndo || readOnly}
          onClick={() => useEditor.getState().undo()}
          title="Undo (Ctrl+Z)"
          data-testid="undo"
        >
          ↶ Undo
        </button>
        <button
          type="button"
          className="cp-btn small"
          disabled={!canRedo || readOnly}
          onClick={() => useEditor.getState().redo()}
          title="Redo (Ctrl+Shift+Z)"
          data-testid="redo"
        >
          ↷ Redo
        </button>
        <button
          type="button"
          className="cp-btn small"
          disabled={readOnly}
          onClick={() => void autoLayout()}
          data-testid="auto-layout"
        >
          Auto-layout
        </button>
        <button
          type="button"
          className="cp-btn small"
          onClick={() => void fitView({ ...FIT_VIEW_OPTIONS, duration: 300 })}
        >
          Fit
        </button>
        <button
          type="button"
          className="cp-btn primary"
          disabled={saving || readOnly || (!dirty && revision > 0)}
          onClick={() => void save()}
          title={
            problemCount
              ? 'The flow has errors; the server will refuse it until they are fixed.'
              : 'Save draft (Ctrl+S)'
          }
          data-testid="save"
        >
          {saving ? 'Saving…' : 'Save draft'}
        </button>
      </div>
      {result && !result.ok && (
        <div className="cp-banner error" role="alert" data-testid="save-error">
          {result.kind === 'conflict' && (
            <>
              <strong>Not saved: someone else saved this flow meanwhile.</strong> {result.message} Your changes are
              still here (and kept locally).
              <button
                type="button"
                className="cp-btn small"
                data-testid="save-overwrite"
                onClick={async () => {
                  const latest = await api.getFlow(flowId)
                  if (
                    window.confirm(
                      `Save your version on top of revision ${latest.draft?.revision}? Their changes stay in the history.`,
                    )
                  )
                    void save(latest.draft?.revision)
                }}
              >
                Save mine on top
              </button>
              <button
                type="button"
                className="cp-btn small"
                data-testid="save-compare"
                onClick={async () => {
                  const latest = await api.getFlow(flowId)
                  if (!latest.draft) return
                  const view = buildDiffView(latest.draft.document, useEditor.getState().editingDocument())
                  useEditor
                    .getState()
                    .enterView(
                      `their revision ${latest.draft.revision} → your edits`,
                      view.document,
                      view.nodes,
                      view.edges,
                    )
                }}
              >
                Show what differs
              </button>
            </>
          )}
          {result.kind === 'invalid' && (
            <>
              <strong>Not saved: the flow has problems.</strong> {result.message} See the problems list below the
              canvas.
            </>
          )}
          {result.kind === 'error' && <>Not saved: {result.message}</>}
          <button type="button" className="cp-btn small ghost" onClick={() => setResult(null)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {result?.ok && !dirty && (
        <div className="cp-banner ok" data-testid="save-ok">
          Draft saved as revision {result.revision}.
          <button type="button" className="cp-btn small ghost" onClick={() => setResult(null)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
    </>
  )
}
