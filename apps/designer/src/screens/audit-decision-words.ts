// A run record's decisions in the words of the version they ran on: the step's title and each
// rule's name, where the trail keeps ids only (it stores the version's hash, not its words). The
// version also gives the facts' PHI classes, so a keyed reference reads "hidden (PHI class: …)".
// Without the version (a reader who may not open it), the ids stay.
import { nodeTitle, type DecisionExplanation, type FlowDocument } from '@carepath/dsl'

/**
 * The step's title (one without a title of its own reads as its type in words and a number,
 * "Decision table 1"); its id only when the version is not known.
 */
export function stepTitle(document: FlowDocument | null | undefined, nodeId: string): string {
  return document ? nodeTitle(document, nodeId) : nodeId
}

/** The names a step's own rules carry in its config (a rules decision's `rules`), by rule id. */
function ruleNames(document: FlowDocument | null | undefined, nodeId: string): Map<string, string> {
  const rules: unknown = document?.nodes[nodeId]?.config['rules']
  const names = new Map<string, string>()
  if (!Array.isArray(rules)) return names
  for (const rule of rules)
    if (typeof rule === 'object' && rule !== null && 'id' in rule && 'name' in rule)
      if (typeof rule.id === 'string' && typeof rule.name === 'string') names.set(rule.id, rule.name)
  return names
}

/** The explanation with each rule's name from the version, where the trail kept its id only. */
export function withRuleNames(
  explanation: DecisionExplanation,
  document: FlowDocument | null | undefined,
  nodeId: string,
): DecisionExplanation {
  const names = ruleNames(document, nodeId)
  if (names.size === 0) return explanation
  return {
    ...explanation,
    rules: explanation.rules.map((rule) => {
      const name = rule.name ?? names.get(rule.id)
      return name === undefined ? rule : { ...rule, name }
    }),
  }
}
