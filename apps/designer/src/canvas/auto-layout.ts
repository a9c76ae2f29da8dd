// Auto-layout with ELK's layered algorithm: left to right, ports in the order the type lists them.
import ELK from 'elkjs/lib/elk.bundled.js'
import type { XYPosition } from '@xyflow/react'
import type { CarepathEdge, CarepathNode } from './flow-graph.ts'

const elk = new ELK()

/** New positions for every node; sizes come from what React Flow measured. */
export async function layoutGraph(
  nodes: readonly CarepathNode[],
  edges: readonly CarepathEdge[],
): Promise<Record<string, XYPosition>> {
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? 220, height: n.measured?.height ?? 110 })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  })
  const positions: Record<string, XYPosition> = {}
  for (const child of graph.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 }
  return positions
}
