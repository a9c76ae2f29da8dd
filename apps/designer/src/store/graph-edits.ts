// Pure edits of the canvas graph the editor store applies (no store, no React): wiring a port,
// pasting a copied selection with fresh ids, removing a selection.
import { edgeId, freshNodeId, type CarepathEdge, type CarepathNode } from '../canvas/flow-graph.ts'

/** A port leads to exactly one node: the edge from `source.port` replaces any edge it had (and `replacing`). */
export function wirePort(
  edges: readonly CarepathEdge[],
  source: string,
  port: string,
  target: string,
  replacing?: string,
): CarepathEdge[] {
  const kept = edges.filter((e) => e.id !== replacing && !(e.source === source && e.sourceHandle === port))
  kept.push({ id: edgeId(source, port, target), source, sourceHandle: port, target, targetHandle: 'in', label: port })
  return kept
}

/** The copied nodes (new ids, shifted, selected) and the edges between them, renamed to match. */
export function pasteSelection(
  clipboard: { nodes: CarepathNode[]; edges: CarepathEdge[] },
  existing: readonly CarepathNode[],
): { nodes: CarepathNode[]; edges: CarepathEdge[] } {
  const taken = new Set(existing.map((n) => n.id))
  const rename = new Map<string, string>()
  const nodes = clipboard.nodes.map((n) => {
    const id = freshNodeId(n.data.type, taken)
    taken.add(id)
    rename.set(n.id, id)
    return { ...structuredClone(n), id, selected: true, position: { x: n.position.x + 40, y: n.position.y + 40 } }
  })
  const edges = clipboard.edges.map((e) => {
    const source = rename.get(e.source) ?? e.source
    const target = rename.get(e.target) ?? e.target
    return { ...e, id: edgeId(source, e.sourceHandle ?? 'default', target), source, target, selected: false }
  })
  return { nodes, edges }
}

/** The graph without the selected nodes, the selected edges and every edge of a removed node. */
export function withoutSelection(
  nodes: readonly CarepathNode[],
  edges: readonly CarepathEdge[],
): { nodes: CarepathNode[]; edges: CarepathEdge[] } {
  const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id))
  return {
    nodes: nodes.filter((n) => !gone.has(n.id)),
    edges: edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target)),
  }
}

/**
 * The first place at or below `wanted` no node occupies, so steps added at the same spot (the
 * palette's Enter, repeated drops) stack downwards instead of hiding each other.
 */
export function freeSpot(
  wanted: { x: number; y: number },
  nodes: readonly { position: { x: number; y: number } }[],
): { x: number; y: number } {
  const taken = (y: number) =>
    nodes.some((n) => Math.abs(n.position.x - wanted.x) < 180 && Math.abs(n.position.y - y) < 90)
  let y = wanted.y
  for (let tries = 0; tries < 200 && taken(y); tries++) y += 100
  return { x: wanted.x, y }
}
