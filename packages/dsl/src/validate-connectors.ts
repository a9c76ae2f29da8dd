// A flow may be valid and still unable to run here: a node calls a connector this installation
// has not configured (no settings stored, or no installed package provides it). That is a
// warning, not an error: settings are per environment and may be entered after the flow is drawn.
import type { FlowDocument } from './flow.schema.ts'
import type { Problem } from './problems.ts'
import type { NodeRegistry } from './registry.ts'
import { nodeTitle } from './plain-words.ts'

/** One warning per node that calls a connector the registry's installation reports unconfigured. */
export function connectorProblems(document: FlowDocument, registry: NodeRegistry): Problem[] {
  const problems: Problem[] = []
  for (const [nodeId, node] of Object.entries(document.nodes)) {
    for (const connector of registry.get(node.type)?.connectors ?? []) {
      if (registry.connectorConfigured(connector.name) !== false) continue
      problems.push({
        code: 'connector-not-configured',
        severity: 'warning',
        nodeId,
        path: `nodes.${nodeId}.type`,
        message: `The step "${nodeTitle(document, nodeId)}" calls the "${connector.name}" connector, which this installation has not configured: its calls fail until a developer sets it up.`,
      })
    }
  }
  return problems
}
