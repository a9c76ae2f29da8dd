// Auto-layout with ELK's layered algorithm: left to right, ports where the node draws its handles,
// edges routed orthogonally in channels of their own, each edge label given room of its own.
import ELK, { type ElkNode, type ElkPort } from 'elkjs/lib/elk.bundled.js'
import type { XYPosition } from '@xyflow/react'
import type { CarepathEdge, CarepathNode } from './flow-graph.ts'
import { labelSize, reachHandles, routeFromElk, type EdgeRoute } from './edge-routes.ts'

const elk = new ELK()

/** A handle as React Flow measured it, relative to its node. */
export interface MeasuredHandle {
  id?: string | null | undefined
  x: number
  y: number
  width: number
  height: number
}
/** The measured input (target) and output (source) handles of a node, when React Flow has them. */
export type HandleBoundsOf = (
  nodeId: string,
) => { source?: readonly MeasuredHandle[] | null; target?: readonly MeasuredHandle[] | null } | null | undefined

export interface GraphLayout {
  /** New positions for every node. */
  positions: Record<string, XYPosition>
  /** Orthogonal routes by edge id, for the node positions above. */
  routes: Record<string, EdgeRoute>
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.spacing.nodeNodeBetweenLayers': '90',
  'elk.spacing.nodeNode': '40',
  // Parallel edges get channels of their own instead of sharing one line.
  'elk.layered.spacing.edgeEdgeBetweenLayers': '14',
  'elk.layered.spacing.edgeNodeBetweenLayers': '24',
  'elk.spacing.edgeEdge': '14',
  'elk.spacing.edgeNode': '20',
  // Labels sit in the middle of their edge, in a box ELK keeps free of nodes, lines and labels.
  'elk.edgeLabels.placement': 'CENTER',
  'elk.spacing.edgeLabel': '4',
}

const portId = (nodeId: string, handle: string) => `${nodeId}\u0000${handle}`

/**
 * ELK ports at the heights where React Flow attaches edges: outputs on the right border, the
 * input on the left. React Flow's handles overhang the border (an edge ends on the handle's outer
 * edge) and ELK keeps ports on it, so each port also records how far its edge's end must reach
 * beyond the border. With that, a route starts and ends exactly where the canvas draws edge
 * ends, and can be checked against them later.
 */
function portsOf(
  nodeId: string,
  width: number,
  handlesOf: HandleBoundsOf | undefined,
): { ports: ElkPort[]; overhang: Map<string, number> } {
  const ports: ElkPort[] = []
  const overhang = new Map<string, number>()
  const bounds = handlesOf?.(nodeId)
  for (const h of bounds?.target ?? []) {
    const id = portId(nodeId, h.id ?? 'in')
    ports.push({ id, x: 0, y: h.y + h.height / 2, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } })
    overhang.set(id, h.x)
  }
  for (const h of bounds?.source ?? []) {
    if (!h.id) continue
    const id = portId(nodeId, h.id)
    ports.push({ id, x: width, y: h.y + h.height / 2, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } })
    overhang.set(id, h.x + h.width - width)
  }
  return { ports, overhang }
}

/** Positions for every node and a route for every edge; sizes come from what React Flow measured. */
export async function layoutGraph(
  nodes: readonly CarepathNode[],
  edges: readonly CarepathEdge[],
  handlesOf?: HandleBoundsOf,
): Promise<GraphLayout> {
  const overhang = new Map<string, number>()
  const children: ElkNode[] = nodes.map((n) => {
    const width = n.measured?.width ?? 220
    const node = portsOf(n.id, width, handlesOf)
    for (const [id, dx] of node.overhang) overhang.set(id, dx)
    return {
      id: n.id,
      width,
      height: n.measured?.height ?? 110,
      ports: node.ports,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
    }
  })
  // An end whose handle is not measured yet is attached to the node itself (its route will not
  // fit the drawn edge, which then stays a smoothstep edge).
  const end = (nodeId: string, handle: string | null | undefined) => {
    const id = portId(nodeId, handle ?? '')
    return overhang.has(id) ? id : nodeId
  }
  const input: ElkNode = {
    id: 'root',
    layoutOptions: LAYOUT_OPTIONS,
    children,
    edges: edges.map((e) => {
      const text = typeof e.label === 'string' ? e.label : (e.sourceHandle ?? '')
      return {
        id: e.id,
        sources: [end(e.source, e.sourceHandle)],
        targets: [end(e.target, e.targetHandle ?? 'in')],
        labels: text ? [{ text, ...labelSize(text) }] : [],
      }
    }),
  }
  const graph = await elk.layout(input)
  const positions: Record<string, XYPosition> = {}
  for (const child of graph.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 }
  const routes: Record<string, EdgeRoute> = {}
  for (const edge of graph.edges ?? []) {
    const route = routeFromElk(edge.sections, edge.labels)
    if (!route) continue
    const sourceDx = overhang.get(edge.sources[0] ?? '') ?? 0
    const targetDx = overhang.get(edge.targets[0] ?? '') ?? 0
    routes[edge.id] = reachHandles(route, sourceDx, targetDx)
  }
  return { positions, routes }
}
