import { flowDocumentSchema, nodeIdSchema, type FlowDocument } from './flow.schema.ts'
import { upgradeFormat, upgradeNodeConfigs } from './migrate.ts'
import type { Problem } from './problems.ts'
import type { NodeRegistry } from './registry.ts'
import { checkCycles, checkPorts, checkReachable, checkStart } from './validate-graph.ts'
import { checkNode, type ResolvedNode } from './validate-node.ts'
import { connectorProblems } from './validate-connectors.ts'
import { zodIssuesToProblems } from './zod-problems.ts'

/** What validation found: every problem at once, and the upgraded document when it has the shape of a flow. */
export interface ValidationResult {
  /** True when no problem is an error (warnings, such as decision-table gaps, do not block). */
  valid: boolean
  /** The document upgraded to the current format and node typeVersions, with config defaults kept as written. */
  document?: FlowDocument | undefined
  problems: Problem[]
}

/**
 * Validate a raw flow document against a registry and return ALL problems at once, each with
 * a stable code, the node id, a dotted JSON path and a plain sentence. Older formats and older
 * node typeVersions are migrated first; a newer format is refused (`unsupported-format`).
 * @example
 * const { valid, problems } = validateFlow(JSON.parse(text), registry)
 */
export function validateFlow(raw: unknown, registry: NodeRegistry): ValidationResult {
  const format = upgradeFormat(raw)
  if (!format.document) return { valid: false, problems: format.problems }
  const upgraded = upgradeNodeConfigs(format.document, registry)
  if (upgraded.problems.length > 0) return { valid: false, problems: upgraded.problems }
  const parsed = flowDocumentSchema.safeParse(upgraded.document)
  if (!parsed.success) return { valid: false, problems: zodIssuesToProblems(parsed.error.issues) }
  const document = parsed.data

  const problems: Problem[] = []
  const resolved = new Map<string, ResolvedNode>()
  for (const [nodeId, node] of Object.entries(document.nodes)) {
    if (!nodeIdSchema.safeParse(nodeId).success) {
      problems.push({
        code: 'invalid-document',
        severity: 'error',
        nodeId,
        path: `nodes.${nodeId}`,
        message: `"${nodeId}" is not a usable node id: it must start with a letter and hold only letters, digits, - or _.`,
      })
    }
    const checked = checkNode(nodeId, node, document, registry)
    problems.push(...checked.problems)
    if (checked.resolved) resolved.set(nodeId, checked.resolved)
  }
  problems.unshift(...checkStart(document, resolved))
  problems.push(...checkPorts(document, resolved), ...checkReachable(document), ...checkCycles(document))
  problems.push(...connectorProblems(document, registry))
  return { valid: !problems.some((p) => p.severity === 'error'), document, problems }
}
