// What the editor sends to be checked and what comes back: the canvas graph as plain data (no
// React Flow internals), so building the document, validating it and its cache all live in the
// validation worker, off the thread that draws the canvas.
import { createFlowChecker, type Problem } from '@carepath/dsl'
import { graphToDocument, type FlowMeta, type GraphEdge, type GraphNode } from '../canvas/flow-graph.ts'
import { registry } from '../registry.ts'

export interface CheckRequest {
  id: number
  meta: FlowMeta
  start: string
  nodes: GraphNode[]
  edges: GraphEdge[]
}

export interface CheckReply {
  id: number
  problems: Problem[]
}

const couldNotCheck: Problem = {
  code: 'invalid-document',
  severity: 'error',
  path: '',
  message: 'The flow could not be checked; undo the last change.',
}

/** A checker that remembers each node's problems between requests (one per worker or page). */
export function createRequestChecker(): (request: CheckRequest) => CheckReply {
  const checker = createFlowChecker(registry)
  return (request) => {
    try {
      const document = graphToDocument(request.meta, request.start, request.nodes, request.edges)
      return { id: request.id, problems: checker.check(document).problems }
    } catch {
      return { id: request.id, problems: [couldNotCheck] }
    }
  }
}
