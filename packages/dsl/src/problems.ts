/**
 * Stable codes for everything validation can report. Codes are part of the public contract:
 * the CLI, the runtime's errors and the designer's markers all key on them. Never rename one.
 */
export const PROBLEM_CODES = {
  'invalid-document': 'The document does not have the shape of a flow.',
  'unsupported-format': 'The document was written by a newer Carepath.',
  'no-start': 'The flow has no start node.',
  'several-starts': 'The flow has more than one start node.',
  'unreachable-node': 'No path from the start reaches this node.',
  'edge-to-missing-node': 'A port leads to a node that does not exist.',
  'unknown-port': 'A port is not offered by the node type.',
  'missing-required-port': 'A required outcome port has no edge.',
  'unbounded-cycle': 'A cycle has no node with maxVisits.',
  'unknown-fact-path': 'A fact path is not in the facts schema.',
  'unknown-role': 'A human step names a role the flow does not define.',
  'phi-not-allowed': 'A human step shows a field its role may not see.',
  'unknown-node-type': 'No node type is registered under this name.',
  'unknown-type-version': 'The node type has no such typeVersion.',
  'invalid-config': 'The node config fails its schema.',
  'malformed-rule': 'A rule is not valid.',
  'table-overlap': 'Rows of a unique decision table overlap.',
  'table-unreachable-row': 'A row of a first-hit decision table can never be reached.',
  'table-gap': 'Some inputs match no row of the decision table.',
  'table-type-mismatch': 'A cell does not fit the type of its fact.',
  'duplicate-port': 'A port has more than one edge.',
  'connector-not-configured': 'A node calls a connector this installation has not configured.',
  'queue-unworked': 'A human step sends its tasks to a work queue nobody works.',
  'queue-phi-beyond-clearance': 'A flow role asks for PHI classes beyond its work queue’s clearance.',
} as const
/** A stable problem code (a key of PROBLEM_CODES). */
export type ProblemCode = keyof typeof PROBLEM_CODES

/** One thing wrong with a document, said so that an analyst can fix it. */
export interface Problem {
  code: ProblemCode
  severity: 'error' | 'warning'
  /** The node the problem belongs to, when there is one. */
  nodeId?: string | undefined
  /** Where in the document: a dotted path such as `nodes.coverage.config.rules.0.conditions`. */
  path: string
  /** A plain sentence, no jargon, no stack. */
  message: string
  /** For `unknown-fact-path`: the missing fact and what the node does with it, so a form can offer to declare it. */
  fact?: { path: string; use: 'reads' | 'writes' | 'shows' } | undefined
}

/** A problem a node type reports about its own config; validation adds nodeId and the path prefix. */
export interface ConfigProblem {
  code: ProblemCode
  severity?: 'error' | 'warning'
  /** Path inside the node's config, e.g. `rules.0.conditions.all.1`. */
  path: string
  message: string
}
