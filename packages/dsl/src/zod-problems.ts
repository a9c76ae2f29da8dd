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
  // A schema author's own message (a regex hint, a custom refine) says more than ours would.
  const isDefault = /^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message)
  if (isDefault) {
    const plain = defaultSentence(issue, field)
    if (plain) return plain
  }
  const message = issue.message.replace(/^Invalid input: /, '')
  return `${field}: ${message.charAt(0).toLowerCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`
}

function defaultSentence(issue: z.core.$ZodIssue, field: string): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (/received undefined/.test(issue.message)) return `${field} is required but missing.`
      const got = /received (\w+)/.exec(issue.message)?.[1]
      return `${field} must be ${article(issue.expected)}${got ? ` (it is ${article(got)})` : ''}.`
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ')
      return `${field} has ${issue.keys.length === 1 ? 'a field' : 'fields'} it does not know: ${keys}.`
    }
    case 'invalid_value':
      return `${field} must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}.`
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum)
      const least = issue.code === 'too_small' ? 'at least' : 'at most'
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${field} needs ${least} ${bound} item${bound === 1 ? '' : 's'}.`
      if (issue.origin === 'string')
        return bound === 1 && issue.code === 'too_small'
          ? `${field} cannot be empty.`
          : `${field} needs ${least} ${bound} characters.`
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return `${field} must be ${least} ${bound}.`
      return undefined
    }
    default:
      return undefined
  }
}

function article(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`
}

/**
 * Turn zod issues into problems with dotted paths. `prefix` places them inside the document
 * (`nodes.coverage.config` for a node's config); `nodeId` ties them to a node.
 */
export function zodIssuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  options: { code?: ProblemCode; prefix?: string; nodeId?: string | undefined } = {},
): Problem[] {
  const { code = 'invalid-document', prefix = '', nodeId } = options
  return issues.map((issue) => {
    const path = issuePath(issue.path, prefix)
    const problem: Problem = { code, severity: 'error', path, message: sentence(issue, path) }
    if (nodeId !== undefined) problem.nodeId = nodeId
    // Paths inside a node belong to that node even when the caller did not say so.
    if (nodeId === undefined && issue.path[0] === 'nodes' && typeof issue.path[1] === 'string')
      problem.nodeId = issue.path[1]
    return problem
  })
}
