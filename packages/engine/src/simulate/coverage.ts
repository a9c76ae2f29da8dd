import type { FlowDocument } from '@carepath/dsl'
import type { RunState } from '../events.ts'

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
}

/** What a CoverageCollector has seen, as plain data a worker thread can send back. */
export interface CoverageState {
  nodes: string[]
  ports: string[]
  /** `node.rule` → whether it fired in any case. */
  rules: [string, boolean][]
}

/** Collects coverage run by run, so a large suite never holds every run in memory. */
export class CoverageCollector {
  private readonly nodes = new Set<string>()
  private readonly ports = new Set<string>()
  private readonly ruleSeen = new Map<string, boolean>()

  constructor(private readonly flow: FlowDocument) {}

  add(state: RunState | undefined): void {
    if (!state) return
    for (const nodeId of state.path) this.nodes.add(nodeId)
    for (const port of state.ports) this.ports.add(port)
    for (const decision of state.decisions) {
      if (decision.scope) continue
      for (const rule of decision.explanation.rules ?? []) {
        const key = `${decision.nodeId}.${rule.id}`
        this.ruleSeen.set(key, (this.ruleSeen.get(key) ?? false) || rule.fired)
      }
    }
  }

  /** The state so far; merging states in any order gives the same result (sets and "fired in any"). */
  state(): CoverageState {
    return { nodes: [...this.nodes], ports: [...this.ports], rules: [...this.ruleSeen] }
  }

  merge(state: CoverageState): void {
    for (const nodeId of state.nodes) this.nodes.add(nodeId)
    for (const port of state.ports) this.ports.add(port)
    for (const [key, fired] of state.rules) this.ruleSeen.set(key, (this.ruleSeen.get(key) ?? false) || fired)
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
    }
  }
}
