// Highlights for the path a run took (run viewer) or two paths side by side (simulator).
import type { Highlight } from '../store/editor.store.ts'
import type { CarepathEdge } from './flow-graph.ts'

function stepEdges(path: readonly string[], edges: readonly CarepathEdge[]): string[] {
  const ids: string[] = []
  for (let i = 0; i + 1 < path.length; i++) {
    const edge = edges.find((e) => e.source === path[i] && e.target === path[i + 1])
    if (edge) ids.push(edge.id)
  }
  return ids
}

/** One path: every node and edge on it. */
export function pathHighlights(
  path: readonly string[],
  edges: readonly CarepathEdge[],
): { nodes: Record<string, Highlight>; edges: Record<string, Highlight> } {
  return {
    nodes: Object.fromEntries(path.map((id) => [id, 'path' as Highlight])),
    edges: Object.fromEntries(stepEdges(path, edges).map((id) => [id, 'path' as Highlight])),
  }
}

/** Two paths: shared steps as `path`, the base's own as `path-old`, the candidate's own as `path-new`. */
export function comparePathHighlights(
  base: readonly string[],
  candidate: readonly string[],
  edges: readonly CarepathEdge[],
): { nodes: Record<string, Highlight>; edges: Record<string, Highlight> } {
  const nodes: Record<string, Highlight> = {}
  const inBase = new Set(base)
  const inCandidate = new Set(candidate)
  for (const id of new Set([...base, ...candidate]))
    nodes[id] = inBase.has(id) && inCandidate.has(id) ? 'path' : inBase.has(id) ? 'path-old' : 'path-new'
  const baseEdges = new Set(stepEdges(base, edges))
  const candidateEdges = new Set(stepEdges(candidate, edges))
  const out: Record<string, Highlight> = {}
  for (const id of new Set([...baseEdges, ...candidateEdges]))
    out[id] = baseEdges.has(id) && candidateEdges.has(id) ? 'path' : baseEdges.has(id) ? 'path-old' : 'path-new'
  return { nodes, edges: out }
}
