// Which conditions some case made decide their rule on its own (MC/DC-style): flipping that
// one condition's result, all others kept, flips the rule. A condition no case reached this way
// is one a change could hide in, so the report names it.
import { canonicalJson, type ConditionTrace, type RuleTrace } from '@carepath/dsl'

/** The shape of a rule's conditions, rebuilt from the trace paths (`all.1.any.0`, `not`). */
type ConditionTree =
  | { kind: 'leaf'; index: number }
  | { kind: 'all' | 'any'; children: ConditionTree[] }
  | { kind: 'not'; child: ConditionTree }

/** A condition no case made decide its rule, in the words a reviewer reads. */
export interface UnreachedCondition {
  /** The decision node's id and title. */
  nodeId: string
  node: string
  /** The rule's (or table row's) name, else its id. */
  rule: string
  /** `vitals.hr greaterThan 120`; a compared fact is named, never its value. */
  condition: string
}

/** The indexes of the conditions that decided the rule in this evaluation. */
export function decidingConditions(rule: RuleTrace): number[] {
  const tree = treeOf(rule.conditions)
  if (!tree) return []
  const results = rule.conditions.map((c) => c.result)
  const actual = evaluate(tree, results, -1)
  const deciding: number[] = []
  for (let i = 0; i < results.length; i++) if (evaluate(tree, results, i) !== actual) deciding.push(i)
  return deciding
}

/** A condition as plain text: fact, operator and the literal (or the other fact's name). */
export function conditionText(condition: ConditionTrace): string {
  const against = condition.expectedFact ?? canonicalJson(condition.expected)
  return `${condition.fact} ${condition.operator} ${against}`
}

function evaluate(tree: ConditionTree, results: readonly boolean[], flipped: number): boolean {
  switch (tree.kind) {
    case 'leaf':
      return tree.index === flipped ? !results[tree.index] : results[tree.index] === true
    case 'all':
      return tree.children.every((child) => evaluate(child, results, flipped))
    case 'any':
      return tree.children.some((child) => evaluate(child, results, flipped))
    case 'not':
      return !evaluate(tree.child, results, flipped)
  }
}

/** Rebuild the tree from the conditions' paths; undefined when the paths do not form one. */
function treeOf(conditions: readonly ConditionTrace[]): ConditionTree | undefined {
  type Draft = { leaf?: number; kind?: 'all' | 'any' | 'not'; children: Map<number, Draft> }
  const root: Draft = { children: new Map() }
  for (let index = 0; index < conditions.length; index++) {
    const tokens = (conditions[index] as ConditionTrace).path.split('.')
    let node = root
    let t = 0
    while (t < tokens.length) {
      const kind = tokens[t]
      if (kind !== 'all' && kind !== 'any' && kind !== 'not') return undefined
      if (node.kind !== undefined && node.kind !== kind) return undefined
      node.kind = kind
      const position = kind === 'not' ? 0 : Number(tokens[t + 1])
      if (!Number.isInteger(position)) return undefined
      t += kind === 'not' ? 1 : 2
      let child = node.children.get(position)
      if (!child) node.children.set(position, (child = { children: new Map() }))
      node = child
    }
    node.leaf = index
  }
  const build = (draft: Draft): ConditionTree | undefined => {
    if (draft.leaf !== undefined) return { kind: 'leaf', index: draft.leaf }
    const children = [...draft.children.entries()].sort((a, b) => a[0] - b[0]).map(([, child]) => build(child))
    if (children.length === 0 || children.some((c) => c === undefined)) return undefined
    const built = children.filter((c): c is ConditionTree => c !== undefined)
    const [only] = built
    if (draft.kind === 'not') return built.length === 1 && only ? { kind: 'not', child: only } : undefined
    return draft.kind ? { kind: draft.kind, children: built } : undefined
  }
  return build(root)
}
