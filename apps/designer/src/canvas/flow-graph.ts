// The canvas model: React Flow nodes and edges, converted to and from a flow document by the
// DSL's lossless compiler (flowToGraph / graphToFlow). The node id is the DSL node id; each edge
// leaves a named output port (sourceHandle) of its source.
import type { Edge, Node } from '@xyflow/react'
import { VIRTUALIZE_FROM_NODES } from './readable-fit.ts'
import { withEstimatedSize } from './estimated-size.ts'
import { edgeId as dslEdgeId, flowToGraph, graphToFlow, type FlowDocument, type RetryPolicy } from '@carepath/dsl'

export interface CarepathNodeData extends Record<string, unknown> {
  type: string
  typeVersion: number
  title?: string | undefined
  description?: string | undefined
  config: Record<string, unknown>
  maxVisits?: number | undefined
  /** A connector node's own retry policy (the installation's default when absent). */
  retry?: RetryPolicy | undefined
}
export type CarepathNode = Node<CarepathNodeData, 'carepath'>
export type CarepathEdge = Edge
/** What a document is built from: a node's id, place and data; an edge's ends and port. */
export type GraphNode = Pick<CarepathNode, 'id' | 'position' | 'data'>
export type GraphEdge = Pick<CarepathEdge, 'id' | 'source' | 'sourceHandle' | 'target'>

/** Everything in a document that is not nodes, edges or positions. */
export type FlowMeta = Omit<FlowDocument, 'nodes' | 'layout' | 'start'>

/** The same id the DSL's diff uses for an edge, so highlights line up. */
export function edgeId(source: string, port: string, target: string): string {
  return dslEdgeId(source, port, target)
}

/** Nodes and edges for the canvas. */
export function documentToGraph(document: FlowDocument): { nodes: CarepathNode[]; edges: CarepathEdge[] } {
  const graph = flowToGraph(document)
  const nodes: CarepathNode[] = graph.nodes.map((n) => {
    const data: CarepathNodeData = { type: n.data.nodeType, typeVersion: n.data.typeVersion, config: n.data.config }
    if (n.data.title !== undefined) data.title = n.data.title
    if (n.data.description !== undefined) data.description = n.data.description
    if (n.data.maxVisits !== undefined) data.maxVisits = n.data.maxVisits
    if (n.data.retry !== undefined) data.retry = n.data.retry
    return { id: n.id, type: 'carepath', position: n.position, data }
  })
  // A big flow draws only what is on screen; estimates spare it drawing every node once to measure it.
  const placed = nodes.length >= VIRTUALIZE_FROM_NODES ? nodes.map(withEstimatedSize) : nodes
  const edges: CarepathEdge[] = graph.edges.map((e) => ({
    id: e.id,
    source: e.source,
    sourceHandle: e.sourceHandle,
    target: e.target,
    targetHandle: 'in',
    label: e.sourceHandle,
  }))
  return { nodes: placed, edges }
}

/** The document the canvas shows (the DSL sorts nodes and ports, so equal graphs give equal documents). */
export function graphToDocument(
  meta: FlowMeta,
  start: string,
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
): FlowDocument {
  const flow: Parameters<typeof graphToFlow>[0]['flow'] = {
    id: meta.id,
    version: meta.version,
    title: meta.title,
    facts: meta.facts,
    roles: meta.roles,
  }
  if (meta.description !== undefined) flow.description = meta.description
  return graphToFlow({
    flow,
    nodes: nodes.map((n) => {
      const data: Parameters<typeof graphToFlow>[0]['nodes'][number]['data'] = {
        nodeType: n.data.type,
        typeVersion: n.data.typeVersion,
        config: n.data.config,
        isStart: n.id === start,
      }
      if (n.data.title) data.title = n.data.title
      if (n.data.description) data.description = n.data.description
      if (n.data.maxVisits !== undefined) data.maxVisits = n.data.maxVisits
      if (n.data.retry !== undefined) data.retry = n.data.retry
      return {
        id: n.id,
        type: 'carepath',
        position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
        data,
      }
    }),
    edges: edges
      .filter((e) => e.sourceHandle)
      .map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle!, target: e.target })),
  })
}

/** A fresh node id for a type: `decision-rules-2` style, unique among `taken`. */
export function freshNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/\./g, '-').replace(/[^A-Za-z0-9_-]/g, '')
  for (let n = 1; ; n++) {
    const id = `${base}-${n}`
    if (!taken.has(id)) return id
  }
}
