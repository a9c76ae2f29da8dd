import { factAt, phiClassAt } from './facts-schema.ts'
import type { FlowDocument, FlowNode } from './flow.schema.ts'
import type { AnyNodeType, CheckEnvironment, PortSpec } from './node-type.ts'
import type { Problem, ProblemCode } from './problems.ts'
import type { NodeRegistry } from './registry.ts'
import { zodIssuesToProblems } from './zod-problems.ts'

/** A node whose type is known and whose config passed its schema (defaults applied). */
export interface ResolvedNode {
  nodeType: AnyNodeType
  config: unknown
  /** Undefined when the node type failed to compute them: its ports are then not checked. */
  ports?: readonly PortSpec[] | undefined
}

function problem(code: ProblemCode, nodeId: string, path: string, message: string): Problem {
  return { code, severity: 'error', nodeId, path, message }
}

/** The dotted path inside `value` of the first string equal to `needle` (to point at a fact path in a config). */
function locate(value: unknown, needle: string, path: string): string | undefined {
  if (value === needle) return path
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, child] of Object.entries(value)) {
    const found = locate(child, needle, `${path}.${key}`)
    if (found) return found
  }
  return undefined
}

/** Call a node type's own function; a throwing type becomes a problem, not a crash. */
function guarded<T>(nodeId: string, what: string, problems: Problem[], run: () => T): T | undefined {
  try {
    return run()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    problems.push(
      problem(
        'invalid-config',
        nodeId,
        `nodes.${nodeId}.config`,
        `The node type could not work out the ${what} of "${nodeId}": ${reason}`,
      ),
    )
    return undefined
  }
}

/**
 * Check one node against its type: type and typeVersion known, config valid, fact paths in
 * the facts schema, human steps' role and PHI, and the type's own checks.
 */
export function checkNode(
  nodeId: string,
  node: FlowNode,
  document: FlowDocument,
  registry: NodeRegistry,
): { problems: Problem[]; resolved?: ResolvedNode } {
  const base = `nodes.${nodeId}`
  const nodeType = registry.get(node.type)
  if (!nodeType) {
    return {
      problems: [
        problem(
          'unknown-node-type',
          nodeId,
          `${base}.type`,
          `"${nodeId}" uses the node type "${node.type}", which is not installed.`,
        ),
      ],
    }
  }
  if (node.typeVersion > nodeType.typeVersion) {
    const message = `"${nodeId}" uses ${node.type} version ${node.typeVersion}, but this Carepath only knows up to version ${nodeType.typeVersion}.`
    return { problems: [problem('unknown-type-version', nodeId, `${base}.typeVersion`, message)] }
  }
  const parsed = nodeType.config.safeParse(node.config)
  if (!parsed.success) {
    return {
      problems: zodIssuesToProblems(parsed.error.issues, { code: 'invalid-config', prefix: `${base}.config`, nodeId }),
    }
  }
  const config = parsed.data
  const problems: Problem[] = []
  const env: CheckEnvironment = { factsSchema: document.facts, roles: document.roles }
  const ports = guarded(nodeId, 'ports', problems, () => nodeType.ports(config))

  const factPaths = new Map<string, 'reads' | 'writes' | 'shows'>()
  for (const path of guarded(nodeId, 'fact paths it reads', problems, () => nodeType.reads(config)) ?? [])
    factPaths.set(path, 'reads')
  for (const path of guarded(nodeId, 'fact paths it writes', problems, () => nodeType.writes(config)) ?? [])
    factPaths.set(path, 'writes')
  const human = nodeType.human
  const shows = human ? (guarded(nodeId, 'fields it shows', problems, () => human.shows(config)) ?? []) : []
  for (const path of shows) if (!factPaths.has(path)) factPaths.set(path, 'shows')
  for (const [path, use] of factPaths) {
    if (!factAt(document.facts, path)) {
      const where = locate(node.config, path, `${base}.config`) ?? `${base}.config`
      problems.push({
        ...problem(
          'unknown-fact-path',
          nodeId,
          where,
          `"${nodeId}" ${use} the fact "${path}", which the facts schema does not define.`,
        ),
        fact: { path, use },
      })
    }
  }

  if (human) {
    const roleName = guarded(nodeId, 'role', problems, () => human.role(config))
    const role = roleName === undefined ? undefined : document.roles[roleName]
    if (roleName !== undefined && !role) {
      const where = locate(node.config, roleName, `${base}.config`) ?? `${base}.config`
      const known = Object.keys(document.roles).join(', ') || 'none'
      problems.push(
        problem(
          'unknown-role',
          nodeId,
          where,
          `"${nodeId}" is worked by the role "${roleName}", which the flow does not define (roles: ${known}).`,
        ),
      )
    }
    if (role) {
      for (const path of shows) {
        if (!factAt(document.facts, path)) continue // already reported as unknown-fact-path
        const phi = phiClassAt(document.facts, path)
        const where = locate(node.config, path, `${base}.config`) ?? `${base}.config`
        if (phi === undefined) {
          problems.push(
            problem(
              'phi-not-allowed',
              nodeId,
              where,
              `"${nodeId}" shows "${path}", which has no PHI class in the facts schema; classify it (x-phi) before showing it.`,
            ),
          )
        } else if (phi !== 'none' && !role.phi.includes(phi)) {
          problems.push(
            problem(
              'phi-not-allowed',
              nodeId,
              where,
              `"${nodeId}" shows "${path}" (${phi} data) to the role "${roleName}", which may not see ${phi} data.`,
            ),
          )
        }
      }
    }
  }

  for (const found of (nodeType.check
    ? guarded(nodeId, 'config checks', problems, () => nodeType.check?.(config, env))
    : undefined) ?? []) {
    problems.push({
      code: found.code,
      severity: found.severity ?? 'error',
      nodeId,
      path: found.path ? `${base}.config.${found.path}` : `${base}.config`,
      message: found.message,
    })
  }
  return { problems, resolved: { nodeType, config, ports } }
}
