// Whether two editor states hold the same flow content, positions aside: what validation, the PHI
// map and the content readers depend on. A drag changes positions on every frame and keeps each
// node's `data` object, so this answers "same" without allocating, where building a key of every
// node's data per store change would make garbage on each frame of a drag.
import type { CarepathNode } from '../canvas/flow-graph.ts'
import { useEditor, type EditorState } from './editor.store.ts'

export function sameContent(a: EditorState, b: EditorState): boolean {
  return a.meta === b.meta && a.start === b.start && a.edges === b.edges && sameNodeData(a.nodes, b.nodes)
}

/** The same nodes in the same order, each with the same `data` object (content edits replace it). */
export function sameNodeData(a: readonly CarepathNode[], b: readonly CarepathNode[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i]!.data !== b[i]!.data) return false
  return true
}

/** Calls `listener` after each store change that changes the flow's content, never for a move alone. */
export function subscribeToContent(listener: () => void): () => void {
  let last = useEditor.getState()
  return useEditor.subscribe((state) => {
    if (sameContent(state, last)) return
    last = state
    listener()
  })
}
