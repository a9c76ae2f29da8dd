// How a report's sentences name steps: by their titles, as the analyst wrote them. The report's
// fields keep node ids (the data); only its words (expectation failures, problems, the CLI's
// summary and the review comment) read titles.
import { nodeTitle, ruleLabel, type FlowDocument } from '@carepath/dsl'

/** A step's name in a sentence; the id itself only for a step neither version holds. */
export type StepName = (nodeId: string) => string

/** Ids as they are: for callers that have no documents. */
export const stepIds: StepName = (nodeId) => nodeId

/** Steps by title: the candidate's words, the base's for a step the candidate removed. */
export function stepNames(base: FlowDocument | null | undefined, candidate: FlowDocument): StepName {
  return (nodeId) =>
    Object.hasOwn(candidate.nodes, nodeId) || !base || !Object.hasOwn(base.nodes, nodeId)
      ? nodeTitle(candidate, nodeId)
      : nodeTitle(base, nodeId)
}

/**
 * A coverage key in words: a port (`node.port`) reads “Check copay”, port “high”; a rule or row
 * (`node.rule`) reads “Check copay”, Row 3 (a nameless table row by its number from 1).
 */
export function coverageKeyWords(key: string, step: StepName, what: 'port' | 'rule'): string {
  const dot = key.indexOf('.')
  if (dot < 0) return `“${step(key)}”`
  const nodeId = key.slice(0, dot)
  const rest = key.slice(dot + 1)
  return what === 'port' ? `“${step(nodeId)}”, port “${rest}”` : `“${step(nodeId)}”, ${ruleLabel({ id: rest })}`
}
