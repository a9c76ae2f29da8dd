// The DSL functions the runtime needs, looked up by name on @carepath/dsl. While an export is
// still being built the local fallbacks below keep the runtime working; each is marked as such.
import { flowHashOf } from '@carepath/engine'
import * as dsl from '@carepath/dsl'
import { flowDocumentSchema, type FlowDocument, type NodeRegistry, type Problem } from '@carepath/dsl'

export interface ValidationOutcome {
  valid: boolean
  document?: FlowDocument | undefined
  problems: Problem[]
}

type ValidateFn = (raw: unknown, registry: NodeRegistry) => ValidationOutcome
const exported = dsl as unknown as Record<string, unknown>

/** Validate a raw flow document with every problem reported (the DSL's `validateFlow`). */
export function validateDocument(raw: unknown, registry: NodeRegistry): ValidationOutcome {
  const validate = exported.validateFlow as ValidateFn | undefined
  if (typeof validate === 'function') return validate(raw, registry)
  // Fallback until validateFlow is exported: the shape only, plus unknown node types.
  const parsed = flowDocumentSchema.safeParse(raw)
  if (!parsed.success) {
    return {
      valid: false,
      problems: parsed.error.issues.map((issue) => ({
        code: 'invalid-document' as const,
        severity: 'error' as const,
        path: issue.path.join('.'),
        message: issue.message,
      })),
    }
  }
  const problems: Problem[] = Object.entries(parsed.data.nodes)
    .filter(([, node]) => !registry.has(node.type))
    .map(([nodeId, node]) => ({
      code: 'unknown-node-type' as const,
      severity: 'error' as const,
      nodeId,
      path: `nodes.${nodeId}.type`,
      message: `No node type is registered under "${node.type}".`,
    }))
  return { valid: problems.length === 0, document: parsed.data, problems }
}

/** The content hash a version is known and pinned by: the engine's, so runs and versions always agree. */
export function hashDocument(document: FlowDocument): string {
  return flowHashOf(document)
}
