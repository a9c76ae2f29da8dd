import { edgeId, type FlowDocument } from '@carepath/dsl'
import type { RunState } from '../events.ts'
import type { CaseChanges } from './compare.ts'

/** What the designer highlights on the canvas after a simulation. */
export interface CanvasHighlights {
  /** Nodes where a decision changed or the paths split, with how many changed cases touch them. */
  changedNodes: { id: string; cases: number }[]
  /** Edges taken in changed cases by one version only (ids as the designer's graph names them). */
  changedEdges: {
    id: string
    source: string
    port: string
    target: string
    side: 'base' | 'candidate'
    cases: number
  }[]
  /** Candidate nodes no case reached. */
  unreachedNodes: string[]
}

type EdgeEntry = CanvasHighlights['changedEdges'][number]

/** What a CanvasCollector has counted, as plain data a worker thread can send back. */
export interface CanvasState {
  nodes: [string, number][]
  edges: EdgeEntry[]
}

/** Collects highlights case by case (only changed cases contribute). */
export class CanvasCollector {
  private readonly nodes = new Map<string, number>()
  private readonly edges = new Map<string, EdgeEntry>()

  constructor(
    private readonly base: FlowDocument | null,
    private readonly candidate: FlowDocument,
  ) {}

  add(base: RunState | undefined, candidate: RunState | undefined, changes: CaseChanges): void {
    const touched = new Set<string>()
    for (const decision of changes.decisions) if (!decision.scope) touched.add(decision.nodeId)
    if (changes.path) {
      const split = changes.path.index - 1
      const at = candidate?.path[split] ?? base?.path[split]
      if (at !== undefined) touched.add(at)
      if (changes.path.candidate) touched.add(changes.path.candidate)
      if (changes.path.base && this.candidate.nodes[changes.path.base]) touched.add(changes.path.base)
    }
    for (const id of touched) this.nodes.set(id, (this.nodes.get(id) ?? 0) + 1)
    const portsA = new Set(base?.ports ?? [])
    const portsB = new Set(candidate?.ports ?? [])
    for (const port of portsA) if (!portsB.has(port)) this.addEdge(port, 'base', this.base)
    for (const port of portsB) if (!portsA.has(port)) this.addEdge(port, 'candidate', this.candidate)
  }

  private addEdge(key: string, side: 'base' | 'candidate', flow: FlowDocument | null): void {
    const dot = key.indexOf('.')
    const source = key.slice(0, dot)
    const port = key.slice(dot + 1)
    const target = flow?.nodes[source]?.next[port]
    if (target === undefined) return
    const id = edgeId(source, port, target)
    const entry = this.edges.get(`${side}\u0000${id}`)
    if (entry) entry.cases++
    else this.edges.set(`${side}\u0000${id}`, { id, source, port, target, side, cases: 1 })
  }

  /** The counts so far; merging states in any order gives the same result (sums, sorted at the end). */
  state(): CanvasState {
    return { nodes: [...this.nodes], edges: [...this.edges.values()].map((entry) => ({ ...entry })) }
  }

  merge(state: CanvasState): void {
    for (const [id, cases] of state.nodes) this.nodes.set(id, (this.nodes.get(id) ?? 0) + cases)
    for (const entry of state.edges) {
      const key = `${entry.side}\u0000${entry.id}`
      const known = this.edges.get(key)
      if (known) known.cases += entry.cases
      else this.edges.set(key, { ...entry })
    }
  }

  result(unreached: readonly string[]): CanvasHighlights {
    return {
      changedNodes: [...this.nodes.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([id, cases]) => ({ id, cases })),
      changedEdges: [...this.edges.values()].sort((a, b) =>
        a.id < b.id ? -1 : a.id > b.id ? 1 : a.side < b.side ? -1 : 1,
      ),
      unreachedNodes: [...unreached],
    }
  }
}
