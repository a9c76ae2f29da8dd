import { upgradeNodeConfig, type AnyNodeType, type FlowDocument, type FlowNode, type NodeRegistry } from '@carepath/dsl'
import { flowHashOf } from './flow-hash.ts'

/** One node ready to execute: its type, its parsed (and migrated) config and what it may write. */
export interface PreparedNode {
  id: string
  node: FlowNode
  type: AnyNodeType
  config: unknown
  writes: readonly string[]
}

/** A flow version checked once and reused by every run of it. */
export interface PreparedFlow {
  flow: FlowDocument
  hash: string
  nodes: ReadonlyMap<string, PreparedNode>
}

/** Why a flow cannot run at all: reported before any event is written. */
export class FlowNotRunnableError extends Error {
  override readonly name = 'FlowNotRunnableError'
  constructor(
    message: string,
    readonly nodeId?: string,
  ) {
    super(message)
  }
}

const prepared = new WeakMap<NodeRegistry, WeakMap<FlowDocument, PreparedFlow>>()

/**
 * Parse every node's config with its type's schema (applying defaults and config migrations),
 * once per (registry, document). Throws FlowNotRunnableError naming the first node that cannot run.
 */
export function prepareFlow(flow: FlowDocument, registry: NodeRegistry): PreparedFlow {
  let byFlow = prepared.get(registry)
  if (!byFlow) prepared.set(registry, (byFlow = new WeakMap()))
  const known = byFlow.get(flow)
  if (known) return known
  const nodes = new Map<string, PreparedNode>()
  for (const id of Object.keys(flow.nodes).sort()) nodes.set(id, prepareNode(id, flow.nodes[id] as FlowNode, registry))
  if (!nodes.has(flow.start)) throw new FlowNotRunnableError(`The start node "${flow.start}" does not exist.`)
  const result: PreparedFlow = { flow, hash: flowHashOf(flow), nodes }
  byFlow.set(flow, result)
  return result
}

function prepareNode(id: string, node: FlowNode, registry: NodeRegistry): PreparedNode {
  const type = registry.get(node.type)
  if (!type) throw new FlowNotRunnableError(`Node "${id}" has the type "${node.type}", which is not installed.`, id)
  if (node.typeVersion > type.typeVersion) {
    throw new FlowNotRunnableError(
      `Node "${id}" needs ${node.type} version ${node.typeVersion}; this installation has version ${type.typeVersion}.`,
      id,
    )
  }
  const upgrade = upgradeNodeConfig(type, node.typeVersion, node.config)
  if (!upgrade.ok) {
    throw new FlowNotRunnableError(
      `Node "${id}" has a config that could not be upgraded from ${node.type} version ${upgrade.version}: ${upgrade.reason}`,
      id,
    )
  }
  const parsed = type.config.safeParse(upgrade.config)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new FlowNotRunnableError(`Node "${id}" has an invalid config${where}: ${issue?.message ?? 'invalid'}.`, id)
  }
  return { id, node, type, config: parsed.data, writes: [...type.writes(parsed.data)] }
}
