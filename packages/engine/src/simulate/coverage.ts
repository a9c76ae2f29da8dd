import { nodeTitle, ruleLabel, type FlowDocument } from '@carepath/dsl'
import type { RunState } from '../events.ts'
import { conditionText, decidingConditions, type UnreachedCondition } from './condition-coverage.ts'

/** How much of one kind of thing the cases exercised, and what they never reached. */
export interface CoverageItem {
  total: number
  covered: number
  /** Ids never exercised: node ids, `node.port`, `node.rule`. */
  missed: string[]
}

/**
 * Coverage of the candidate version over all cases. Rules and decision-table rows are known
 * from the explanations of decisions that ran; `rulesOfUnreachedNodes` lists decision nodes
 * no case reached, whose rules are therefore all unexercised.
 */
export interface Coverage {
  nodes: CoverageItem
  ports: CoverageItem
  rules: CoverageItem
  rows: CoverageItem
  rulesOfUnreachedNodes: string[]
  /**
   * Conditions of the decisions that ran, and those no case made decide their rule on its own
   * (flipping it alone would flip the rule): where a changed threshold could go unnoticed.
   */
  conditions?: { total: number; covered: number; unreached: UnreachedCondition[] }
}

/** What a CoverageCollector has seen, as plain data a worker thread can send back. */
export interface CoverageState {
  nodes: string[]
  ports: string[]
  /** `node.rule` → whether it fired in any case. */
  rules: [string, boolean][]
  /** Condition key → whether a case made it decide its rule, and how to name it. */
  conditions: [string, boolean, UnreachedCondition][]
}

/** Collects coverage run by run, so a large suite never holds every run in memory. */
export class CoverageCollector {
  private readonly nodes = new Set<string>()
  private readonly ports = new Set<string>()
  private readonly ruleSeen = new Map<string, boolean>()
  private readonly conditionSeen = new Map<string, { decided: boolean; named: UnreachedCondition }>()
  /**
   * Per node, then rule: its keys (built once, not once per case and rule) and the condition
   * paths some case already made decide it. Once all of a rule's conditions are in, its later
   * evaluations add nothing, and the per-case work of rebuilding its condition tree is skipped
   * (most of a large suite's cases).
   */
  private readonly ruleKeys = new Map<string, Map<string, { key: string; ruleKey: string; decided: Set<string> }>>()

  constructor(private readonly flow: FlowDocument) {}

  add(state: RunState | undefined): void {
    if (!state) return
    for (const nodeId of state.path) this.nodes.add(nodeId)
    for (const port of state.ports) this.ports.add(port)
    for (const decision of state.decisions) {
      if (decision.scope) continue
      for (const rule of decision.explanation.rules ?? []) {
        const { key, ruleKey, decided } = this.keysOf(decision.nodeId, rule.id)
        if (rule.fired) this.ruleSeen.set(key, true)
        else if (!this.ruleSeen.has(key)) this.ruleSeen.set(key, false)
        if (allDecided(rule.conditions, decided)) continue
        const deciding = new Set(decidingConditions(rule))
        rule.conditions.forEach((condition, index) => {
          const conditionKey = `${ruleKey}\u0000${condition.path}`
          const known = this.conditionSeen.get(conditionKey)
          if (known) known.decided ||= deciding.has(index)
          else
            this.conditionSeen.set(conditionKey, {
              decided: deciding.has(index),
              named: {
                nodeId: decision.nodeId,
                node: nodeTitle(this.flow, decision.nodeId),
                rule: ruleLabel(rule),
                condition: conditionText(condition),
              },
            })
          if (this.conditionSeen.get(conditionKey)?.decided) decided.add(condition.path)
        })
      }
    }
  }

  private keysOf(nodeId: string, ruleId: string): { key: string; ruleKey: string; decided: Set<string> } {
    let byRule = this.ruleKeys.get(nodeId)
    if (!byRule) this.ruleKeys.set(nodeId, (byRule = new Map()))
    let keys = byRule.get(ruleId)
    if (!keys) {
      const ruleKey = `${nodeId}\u0000${ruleId}`
      byRule.set(ruleId, (keys = { key: `${nodeId}.${ruleId}`, ruleKey, decided: new Set() }))
    }
    return keys
  }

  /** The state so far; merging states in any order gives the same result (sets and "fired in any"). */
  state(): CoverageState {
    return {
      nodes: [...this.nodes],
      ports: [...this.ports],
      rules: [...this.ruleSeen],
      conditions: [...this.conditionSeen].map(([key, { decided, named }]) => [key, decided, named]),
    }
  }

  merge(state: CoverageState): void {
    for (const nodeId of state.nodes) this.nodes.add(nodeId)
    for (const port of state.ports) this.ports.add(port)
    for (const [key, fired] of state.rules) this.ruleSeen.set(key, (this.ruleSeen.get(key) ?? false) || fired)
    for (const [key, decided, named] of state.conditions) {
      const known = this.conditionSeen.get(key)
      if (known) known.decided ||= decided
      else this.conditionSeen.set(key, { decided, named })
    }
  }

  result(): Coverage {
    const nodeIds = Object.keys(this.flow.nodes).sort()
    const portIds = nodeIds.flatMap((id) =>
      Object.keys(this.flow.nodes[id]?.next ?? {})
        .sort()
        .map((port) => `${id}.${port}`),
    )
    const item = (all: string[], covered: (id: string) => boolean): CoverageItem => {
      const missed = all.filter((id) => !covered(id))
      return { total: all.length, covered: all.length - missed.length, missed }
    }
    const isTable = (ruleKey: string) =>
      this.flow.nodes[ruleKey.slice(0, ruleKey.indexOf('.'))]?.type.includes('table') ?? false
    const ruleKeys = [...this.ruleSeen.keys()].sort()
    const fired = (key: string) => this.ruleSeen.get(key) === true
    return {
      nodes: item(nodeIds, (id) => this.nodes.has(id)),
      ports: item(portIds, (id) => this.ports.has(id)),
      rules: item(
        ruleKeys.filter((key) => !isTable(key)),
        fired,
      ),
      rows: item(ruleKeys.filter(isTable), fired),
      rulesOfUnreachedNodes: nodeIds.filter(
        (id) => !this.nodes.has(id) && (this.flow.nodes[id]?.type.startsWith('decision.') ?? false),
      ),
      conditions: this.conditionResult(),
    }
  }

  private conditionResult(): NonNullable<Coverage['conditions']> {
    const keys = [...this.conditionSeen.keys()].sort()
    const unreached = keys.flatMap((key) => {
      const seen = this.conditionSeen.get(key)
      return seen && !seen.decided ? [seen.named] : []
    })
    return { total: keys.length, covered: keys.length - unreached.length, unreached }
  }
}

/** Whether some case already made each of these conditions decide its rule. */
function allDecided(conditions: readonly { path: string }[], decided: ReadonlySet<string>): boolean {
  for (const condition of conditions) if (!decided.has(condition.path)) return false
  return true
}
