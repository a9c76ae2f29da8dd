import type { z } from 'zod'
import type { Problem, ProblemCode } from './problems.ts'

/** A zod issue path as the dotted JSON path problems use (`nodes.a.config.rules.0`). */
export function issuePath(path: readonly PropertyKey[], prefix = ''): string {
  const rest = path.map((segment) => String(segment)).join('.')
  return prefix && rest ? `${prefix}.${rest}` : prefix || rest
}

/** A plain sentence for one zod issue; the path is named so the reader can find the field. */
function sentence(issue: z.core.$ZodIssue, where: string): string {
  const field = where ? `"${where}"` : 'The document'
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return `${field} is required but missing.`
  }
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ')
    return `${field} has ${issue.keys.length === 1 ? 'a field' : 'fields'} it does not know: ${keys}.`
  }
  const message = issue.message.replace(/^Invalid input: /, '')
  return `${field}: ${message.charAt(0).toLowerCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`
}

/**
 * Turn zod issues into problems with dotted paths. `prefix` places them inside the document
 * (`nodes.coverage.config` for a node's config); `nodeId` ties them to a node.
 */
export function zodIssuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  options: { code?: ProblemCode; prefix?: string; nodeId?: string | undefined; display?: string } = {},
): Problem[] {
  const { code = 'invalid-document', prefix = '', nodeId } = options
  return issues.map((issue) => {
    const path = issuePath(issue.path, prefix)
    const display = options.display !== undefined ? issuePath(issue.path, options.display) : path
    const problem: Problem = { code, severity: 'error', path, message: sentence(issue, display) }
    if (nodeId !== undefined) problem.nodeId = nodeId
    // Paths inside a node belong to that node even when the caller did not say so.
    if (nodeId === undefined && issue.path[0] === 'nodes' && typeof issue.path[1] === 'string') problem.nodeId = issue.path[1]
    return problem
  })
}
