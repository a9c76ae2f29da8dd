// The canvas nodes for readers that care what the nodes are, not where they stand: the inspector,
// the problems list, the keyboard port lists. A drag changes positions on every frame but keeps
// each node's `data` object, so these readers re-render when a node is added, removed or edited,
// not 60 times a second while one is dragged.
import { useMemo, useRef } from 'react'
import type { CarepathNode } from '../canvas/flow-graph.ts'
import { useEditor } from './editor.store.ts'

/** The nodes, current as of their last content change (positions may be older: read those from the store). */
export function useNodesContent(): readonly CarepathNode[] {
  // One data object per node, created anew by every content edit: equal lists mean equal contents.
  // Compared item by item here: zustand's `useShallow` copies both lists into Maps to compare
  // them, on every store change, which during a drag is every frame.
  const last = useRef<readonly CarepathNode['data'][]>([])
  const contents = useEditor((s) => {
    const next = s.nodes.map((n) => n.data)
    if (!sameItems(last.current, next)) last.current = next
    return last.current
  })
  return useMemo(() => (contents ? useEditor.getState().nodes : []), [contents])
}

/** One node's data, or undefined once it is gone. */
export function useNodeData(id: string): CarepathNode['data'] | undefined {
  return useEditor((s) => s.nodes.find((n) => n.id === id)?.data)
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
