// Validation for an editor: the same result as validateFlow, but a flow re-checked after an edit
// costs what changed. Each node's shape and its own checks (config schema, facts it reads and
// writes, its role, its type's checks) depend only on the node, the facts schema and the roles,
// so they are kept per node and reused while those are unchanged; the whole-flow checks (start,
// ports, reachability, cycles, connectors) run every time. Anything unusual (an old format, a
// node to upgrade, a document or node of the wrong shape) goes through validateFlow itself, so
// the problems are the same, in the same order, byte for byte.
import { CURRENT_FORMAT, flowDocumentSchema, flowNodeSchema, nodeIdSchema, type FlowNode } from './flow.schema.ts'
import type { Problem } from './problems.ts'
import type { NodeRegistry } from './registry.ts'
import { validateFlow, type ValidationResult } from './validate.ts'
import { checkCycles, checkPorts, checkReachable, checkStart } from './validate-graph.ts'
import { checkNode, type ResolvedNode } from './validate-node.ts'
import { connectorProblems } from './validate-connectors.ts'

interface CheckedNode {
  node: FlowNode
  problems: Problem[]
  resolved?: ResolvedNode | undefined
}

/** Checks a flow again after an edit, re-checking only the nodes the edit changed. */
export interface FlowChecker {
  /**
   * Validate `raw` as validateFlow would. Results share unchanged nodes and problems with earlier
   * results of this checker: treat them as read-only.
   */
  check(raw: unknown): ValidationResult
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A checker with its own per-node memory (one per editor; it forgets nodes that are gone). */
export function createFlowChecker(registry: NodeRegistry): FlowChecker {
  let environment = ''
  let checked = new Map<string, CheckedNode>()

  return {
    check(raw) {
      if (!isRecord(raw) || raw['dsl'] !== CURRENT_FORMAT || !isRecord(raw['nodes'])) return validateFlow(raw, registry)
      const rawNodes = raw['nodes']
      const head = flowDocumentSchema.safeParse({ ...raw, nodes: {} })
      if (!head.success) return validateFlow(raw, registry)
      const { facts, roles } = head.data
      // A node's own checks read the facts schema and the roles: a change there re-checks every node.
      const now = JSON.stringify([facts, roles])
      const previous = now === environment ? checked : new Map<string, CheckedNode>()
      environment = now
      const next = new Map<string, CheckedNode>()
      const nodes: Record<string, FlowNode> = {}
      for (const [nodeId, rawNode] of Object.entries(rawNodes)) {
        const key = `${nodeId}\u0000${JSON.stringify(rawNode)}`
        let entry = previous.get(key)
        if (!entry) {
          if (needsUpgrade(rawNode, registry)) return validateFlow(raw, registry)
          const parsed = flowNodeSchema.safeParse(structuredClone(rawNode))
          if (!parsed.success) return validateFlow(raw, registry)
          entry = checkOneNode(nodeId, parsed.data, facts, roles, registry)
        }
        next.set(key, entry)
        nodes[nodeId] = entry.node
      }
      checked = next
      const document = { ...head.data, nodes }
      const problems: Problem[] = []
      const resolved = new Map<string, ResolvedNode>()
      for (const [key, entry] of next) {
        problems.push(...entry.problems)
        if (entry.resolved) resolved.set(key.slice(0, key.indexOf('\u0000')), entry.resolved)
      }
      problems.unshift(...checkStart(document, resolved))
      problems.push(...checkPorts(document, resolved), ...checkReachable(document), ...checkCycles(document))
      problems.push(...connectorProblems(document, registry))
      return { valid: !problems.some((p) => p.severity === 'error'), document, problems }
    },
  }
}

/** A node validateFlow would upgrade first (an older typeVersion of an installed type). */
function needsUpgrade(node: unknown, registry: NodeRegistry): boolean {
  if (!isRecord(node) || typeof node['type'] !== 'string' || typeof node['typeVersion'] !== 'number') return false
  const nodeType = registry.get(node['type'])
  return nodeType !== undefined && node['typeVersion'] < nodeType.typeVersion
}

/** What validateFlow finds about one node on its own, in its order. */
function checkOneNode(
  nodeId: string,
  node: FlowNode,
  facts: Parameters<typeof checkNode>[2]['facts'],
  roles: Parameters<typeof checkNode>[2]['roles'],
  registry: NodeRegistry,
): CheckedNode {
  const problems: Problem[] = []
  if (!nodeIdSchema.safeParse(nodeId).success) {
    problems.push({
      code: 'invalid-document',
      severity: 'error',
      nodeId,
      path: `nodes.${nodeId}`,
      message: `"${nodeId}" is not a usable node id: it must start with a letter and hold only letters, digits, - or _.`,
    })
  }
  // checkNode reads only the facts and roles of the document it is given.
  const context = { ...emptyDocument, facts, roles }
  const result = checkNode(nodeId, node, context, registry)
  problems.push(...result.problems)
  return { node, problems, resolved: result.resolved }
}

const emptyDocument: Parameters<typeof checkNode>[2] = {
  dsl: CURRENT_FORMAT,
  id: 'node-check',
  version: 1,
  title: 'node check',
  facts: { type: 'object', properties: {} },
  roles: {},
  start: '',
  nodes: {},
}
