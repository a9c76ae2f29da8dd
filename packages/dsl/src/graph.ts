import { CURRENT_FORMAT, type FlowDocument, type FlowNode, type FlowRole, type RetryPolicy } from './flow.schema.ts'
import type { FactSchema } from './facts-schema.ts'
import type { Problem } from './problems.ts'

/** A node on the designer's canvas (the `data` of a React Flow node of type `carepath`). */
export interface GraphNode {
  id: string
  type: 'carepath'
  position: { x: number; y: number }
  data: {
    nodeType: string
    typeVersion: number
    config: Record<string, unknown>
    title?: string
    description?: string
    maxVisits?: number
    retry?: RetryPolicy
    isStart: boolean
  }
}

/** An edge on the canvas: one port of `source` (its `sourceHandle`) leading to `target`. */
export interface GraphEdge {
  /** Derived, so the same port always gets the same id: `${source}:${port}->${target}`. */
  id: string
  source: string
  sourceHandle: string
  target: string
}

/** The designer's whole graph: flow-level fields, nodes and edges (no React types here). */
export interface FlowGraph {
  flow: {
    id: string
    version: number
    title: string
    description?: string
    facts: FactSchema
    roles: Record<string, FlowRole>
  }
  nodes: GraphNode[]
  edges: GraphEdge[]
}

/** The graph cannot be written as a document (two edges from one port, two starts, ...). */
export class GraphCompileError extends Error {
  override readonly name = 'GraphCompileError'
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join(' '))
  }
}

/** The id the canvas uses for the edge from `source`'s `port` to `target`. */
export function edgeId(source: string, port: string, target: string): string {
  return `${source}:${port}->${target}`
}

// Where a node without a saved position lands: a row, so nothing overlaps before auto-layout.
const DEFAULT_SPACING = 280

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Turn a flow document into the designer's graph. Nodes keep the document's order; edges
 * follow each node's ports in order. A node without a layout entry is placed in a row.
 */
export function flowToGraph(document: FlowDocument): FlowGraph {
  const doc = structuredClone(document)
  const flow: FlowGraph['flow'] = {
    id: doc.id,
    version: doc.version,
    title: doc.title,
    facts: doc.facts,
    roles: doc.roles,
  }
  if (doc.description !== undefined) flow.description = doc.description
  const nodes: GraphNode[] = []
  const edges: GraphEdge[] = []
  Object.entries(doc.nodes).forEach(([id, node], index) => {
    const data: GraphNode['data'] = {
      nodeType: node.type,
      typeVersion: node.typeVersion,
      config: node.config,
      isStart: id === doc.start,
    }
    if (node.title !== undefined) data.title = node.title
    if (node.description !== undefined) data.description = node.description
    if (node.maxVisits !== undefined) data.maxVisits = node.maxVisits
    if (node.retry !== undefined) data.retry = { ...node.retry }
    const position = doc.layout?.[id] ?? { x: index * DEFAULT_SPACING, y: 0 }
    nodes.push({ id, type: 'carepath', position: { x: position.x, y: position.y }, data })
    for (const [port, target] of Object.entries(node.next)) {
      edges.push({ id: edgeId(id, port, target), source: id, sourceHandle: port, target })
    }
  })
  return { flow, nodes, edges }
}

function compileProblem(
  message: string,
  path: string,
  nodeId?: string,
  code: Problem['code'] = 'invalid-document',
): Problem {
  return nodeId === undefined
    ? { code, severity: 'error', path, message }
    : { code, severity: 'error', nodeId, path, message }
}

/**
 * Turn the designer's graph into a flow document. The output does not depend on the canvas
 * order: nodes, layout entries and ports are sorted by id. Edges to missing nodes are kept
 * (validation reports them); what a document cannot say at all throws GraphCompileError.
 */
export function graphToFlow(graph: FlowGraph): FlowDocument {
  const problems: Problem[] = []
  const nodes = [...graph.nodes].sort((a, b) => byString(a.id, b.id))
  const ids = new Set<string>()
  for (const node of nodes) {
    if (ids.has(node.id))
      problems.push(compileProblem(`Two nodes share the id "${node.id}".`, `nodes.${node.id}`, node.id))
    ids.add(node.id)
  }
  const starts = nodes.filter((n) => n.data.isStart).map((n) => n.id)
  if (starts.length > 1) {
    problems.push(
      compileProblem(
        `Only one node can be the start, but ${starts.map((s) => `"${s}"`).join(', ')} are marked.`,
        'start',
        starts[1],
        'several-starts',
      ),
    )
  }
  const next = new Map<string, Record<string, string>>(nodes.map((n) => [n.id, {}]))
  const edges = [...graph.edges].sort(
    (a, b) => byString(a.source, b.source) || byString(a.sourceHandle, b.sourceHandle),
  )
  for (const edge of edges) {
    const ports = next.get(edge.source)
    const path = `nodes.${edge.source}.next.${edge.sourceHandle}`
    if (!ports) {
      problems.push(compileProblem(`An edge starts at "${edge.source}", which is not on the canvas.`, path))
    } else if (edge.sourceHandle in ports) {
      problems.push(
        compileProblem(
          `The "${edge.sourceHandle}" port of "${edge.source}" has more than one edge; a port leads to one node.`,
          path,
          edge.source,
          'duplicate-port',
        ),
      )
    } else {
      ports[edge.sourceHandle] = edge.target
    }
  }
  if (problems.length > 0) throw new GraphCompileError(problems)

  const document: FlowDocument = {
    dsl: CURRENT_FORMAT,
    id: graph.flow.id,
    version: graph.flow.version,
    title: graph.flow.title,
    facts: structuredClone(graph.flow.facts),
    roles: structuredClone(graph.flow.roles),
    start: starts[0] ?? '',
    nodes: {},
  }
  const layout: NonNullable<FlowDocument['layout']> = {}
  if (graph.flow.description !== undefined) document.description = graph.flow.description
  for (const node of nodes) {
    const { nodeType, typeVersion, config, title, description, maxVisits, retry } = node.data
    const flowNode: FlowNode = {
      type: nodeType,
      typeVersion,
      config: structuredClone(config),
      next: next.get(node.id) ?? {},
    }
    if (title !== undefined) flowNode.title = title
    if (description !== undefined) flowNode.description = description
    if (maxVisits !== undefined) flowNode.maxVisits = maxVisits
    if (retry !== undefined) flowNode.retry = { ...retry }
    document.nodes[node.id] = flowNode
    layout[node.id] = { x: node.position.x, y: node.position.y }
  }
  document.layout = layout
  return document
}
