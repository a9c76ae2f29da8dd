// The canvas nodes for readers that care what the nodes are, not where they stand: the inspector,
// the problems list, the keyboard port lists. A drag changes positions on every frame but keeps
// each node's `data` object, so these readers re-render when a node is added, removed or edited,
// not 60 times a second while one is dragged.
import { useRef } from 'react'
import type { CarepathNode } from '../canvas/flow-graph.ts'
import { useEditor } from './editor.store.ts'
import { sameNodeData } from './same-content.ts'

/** The nodes, current as of their last content change (positions may be older: read those from the store). */
export function useNodesContent(): readonly CarepathNode[] {
  // The node list as of its last content change: a drag's new lists (same data objects, new
  // positions) keep the earlier one, compared without allocating (zustand's `useShallow` would
  // copy both lists into Maps on every store change, which during a drag is every frame).
  const last = useRef<readonly CarepathNode[]>([])
  return useEditor((s) => {
    if (!sameNodeData(last.current, s.nodes)) last.current = s.nodes
    return last.current
  })
}

/** One node's data, or undefined once it is gone. */
export function useNodeData(id: string): CarepathNode['data'] | undefined {
  return useEditor((s) => s.nodes.find((n) => n.id === id)?.data)
}
