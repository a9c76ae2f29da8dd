// A visual diff: one document holding both versions' nodes (removed ones kept at their old
// place) with added / removed / changed highlights for nodes and edges, from the DSL's diffFlows.
import { diffFlows, type DiffDocuments, type FlowDiff, type FlowDocument } from '@carepath/dsl'
import { edgeId } from '../canvas/flow-graph.ts'
import type { Highlight } from '../store/editor.store.ts'

export interface DiffView {
  diff: FlowDiff
  /** The two versions, so the change list can name nodes, rules, rows and columns. */
  documents: DiffDocuments
  document: FlowDocument
  nodes: Record<string, Highlight>
  edges: Record<string, Highlight>
}

export function buildDiffView(before: FlowDocument, after: FlowDocument): DiffView {
  const diff = diffFlows(before, after)
  const document: FlowDocument = structuredClone(after)
  document.layout = { ...(before.layout ?? {}), ...(after.layout ?? {}) }
  const nodes: Record<string, Highlight> = {}
  const edges: Record<string, Highlight> = {}
  for (const removed of diff.removed) {
    const old = before.nodes[removed.nodeId]
    if (old) document.nodes[removed.nodeId] = structuredClone(old)
    nodes[removed.nodeId] = 'removed'
  }
  for (const added of diff.added) nodes[added.nodeId] = 'added'
  for (const changed of diff.changed) nodes[changed.nodeId] = 'changed'
  // A removed edge is drawn again from the old version; if its port now leads elsewhere, the
  // port gets a suffix so both edges show.
  for (const edge of diff.edges.removed) {
    const node = document.nodes[edge.source]
    if (!node) continue
    const port =
      node.next[edge.port] === undefined || nodes[edge.source] === 'removed' ? edge.port : `${edge.port} (before)`
    node.next[port] = edge.target
    edges[edgeId(edge.source, port, edge.target)] = 'removed'
  }
  for (const edge of diff.edges.added) edges[edgeId(edge.source, edge.port, edge.target)] = 'added'
  return { diff, documents: { before, after }, document, nodes, edges }
}

/** A value shown in one line for the change list. */
export function brief(value: unknown): string {
  if (value === undefined) return '—'
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}
