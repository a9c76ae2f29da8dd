import type { DecisionExplanation, JsonValue } from '@carepath/dsl'
import { jsonEqual } from '@carepath/dsl'
import type { DecisionRecord, RunState } from '../events.ts'
import { flattenFacts } from '../facts.ts'
import { stepIds, type StepName } from './step-names.ts'

/** The part of a run a reviewer compares. */
export interface RunSummary {
  status: RunState['status'] | 'not-run'
  outcome?: string
  error?: { nodeId?: string; message: string }
  path: string[]
  /** Human step or timer the run stopped at, when waiting. */
  waitingAt?: string
}

/** One decision whose outcome or fired rules differ between the versions. */
export interface DecisionChange {
  nodeId: string
  scope?: string
  /** Which visit of the node (1 for the first). */
  visit: number
  base: { outcome: string; fired: string[]; explanation: DecisionExplanation }
  candidate: { outcome: string; fired: string[]; explanation: DecisionExplanation }
}

/**
 * A decision that chose the same port and outputs in both versions but whose other rules
 * (or table rows) fired differently: shown to a reviewer as detail, never counted as a change.
 */
export interface UnselectedRuleChange {
  nodeId: string
  scope?: string
  visit: number
  outcome: string
  base: { fired: string[] }
  candidate: { fired: string[] }
}

/** The first task opened or connector request that differs (what the run did to the world). */
export interface EffectChange {
  kind: 'task' | 'connector'
  /** Its position among the run's effects of that kind, from 0. */
  index: number
  base: { nodeId: string; request: JsonValue } | null
  candidate: { nodeId: string; request: JsonValue } | null
}

/**
 * How a case behaves differently in the candidate; absent members did not change. Only what a
 * reviewer can observe counts: status, outcome, path, a decision's port or outputs, facts written,
 * tasks opened and connector requests.
 */
export interface CaseChanges {
  status?: { base: string; candidate: string }
  outcome?: { base: string | null; candidate: string | null }
  /** The first node where the paths split (index into the paths; a missing side ended there). */
  path?: { index: number; base: string | null; candidate: string | null }
  decisions: DecisionChange[]
  facts: { path: string; base: JsonValue | null; candidate: JsonValue | null }[]
  /** The first differing task or connector request, per kind. */
  effects?: EffectChange[]
}

export function summarize(state: RunState | undefined): RunSummary {
  if (!state) return { status: 'not-run', path: [] }
  const summary: RunSummary = { status: state.status, path: state.path }
  if (state.outcome !== undefined) summary.outcome = state.outcome
  if (state.error) summary.error = state.error
  if (state.status === 'waiting') summary.waitingAt = state.openTask?.nodeId ?? state.path[state.path.length - 1] ?? ''
  return summary
}

function decisionKey(record: DecisionRecord, visit: number): string {
  return `${record.scope ?? ''}\u0000${record.nodeId}\u0000${visit}`
}

function keyed(decisions: readonly DecisionRecord[]): Map<string, { record: DecisionRecord; visit: number }> {
  const visits = new Map<string, number>()
  const out = new Map<string, { record: DecisionRecord; visit: number }>()
  for (const record of decisions) {
    const node = `${record.scope ?? ''}\u0000${record.nodeId}`
    const visit = (visits.get(node) ?? 0) + 1
    visits.set(node, visit)
    out.set(decisionKey(record, visit), { record, visit })
  }
  return out
}

/**
 * A base decision and the candidate's at the same node, scope and visit (absent when the
 * candidate never made it). The visit is counted only when read: most pairs never are. A class,
 * not an object literal with a getter: V8 builds such a literal in its runtime, and with one per
 * decision both runs of each case outlived two scavenges into the old generation (measured: five
 * times the bytes promoted, and a third of the simulator's time).
 */
class DecisionPair {
  constructor(
    readonly record: DecisionRecord,
    readonly other: DecisionRecord | undefined,
    /** The base decisions, in which `record` is at `index`. */
    private readonly decisions: readonly DecisionRecord[],
    private readonly index: number,
    private readonly counted?: number,
  ) {}

  get visit(): number {
    if (this.counted !== undefined) return this.counted
    let visit = 1
    for (let j = 0; j < this.index; j++) {
      const earlier = this.decisions[j]
      if (earlier?.nodeId === this.record.nodeId && (earlier.scope ?? '') === (this.record.scope ?? '')) visit++
    }
    return visit
  }
}

/**
 * Each base decision paired with the candidate's, in base order. Most cases make the same
 * decisions in the same order in both versions: then the pairs are read off side by side.
 */
function pairedDecisions(a: readonly DecisionRecord[], b: readonly DecisionRecord[]): DecisionPair[] {
  const sameOrder =
    a.length === b.length &&
    a.every((record, i) => record.nodeId === b[i]?.nodeId && (record.scope ?? '') === (b[i]?.scope ?? ''))
  const pairs: DecisionPair[] = []
  if (!sameOrder) {
    const byB = keyed(b)
    for (const [key, { record, visit }] of keyed(a))
      pairs.push(new DecisionPair(record, byB.get(key)?.record, a, 0, visit))
    return pairs
  }
  for (let i = 0; i < a.length; i++) pairs.push(new DecisionPair(a[i] as DecisionRecord, b[i], a, i))
  return pairs
}

/** What changed between a case's base run and candidate run; undefined when nothing did. */
export function compareRuns(base: RunState | undefined, candidate: RunState | undefined): CaseChanges | undefined {
  return compareRunsInDetail(base, candidate).changes
}

/**
 * compareRuns, plus the decisions whose unselected rules fired differently (detail only: the
 * port, the outputs and everything downstream are the same).
 */
export function compareRunsInDetail(
  base: RunState | undefined,
  candidate: RunState | undefined,
): { changes: CaseChanges | undefined; detail: UnselectedRuleChange[] } {
  const a = summarize(base)
  const b = summarize(candidate)
  const changes: CaseChanges = { decisions: [], facts: [] }
  const detail: UnselectedRuleChange[] = []
  if (a.status !== b.status) changes.status = { base: a.status, candidate: b.status }
  const outcomeA = a.outcome ?? a.error?.message ?? null
  const outcomeB = b.outcome ?? b.error?.message ?? null
  if (outcomeA !== outcomeB) changes.outcome = { base: a.outcome ?? null, candidate: b.outcome ?? null }
  const length = Math.max(a.path.length, b.path.length)
  for (let index = 0; index < length; index++) {
    if (a.path[index] !== b.path[index]) {
      changes.path = { index, base: a.path[index] ?? null, candidate: b.path[index] ?? null }
      break
    }
  }
  for (const pair of pairedDecisions(base?.decisions ?? [], candidate?.decisions ?? [])) {
    const { record, other } = pair
    if (!other) continue // the paths split before it: the path change already says so
    const firedA = record.explanation.fired ?? []
    const firedB = other.explanation.fired ?? []
    const sameChoice =
      record.port === other.port && jsonEqual(record.explanation.outputs ?? null, other.explanation.outputs ?? null)
    if (sameChoice) {
      if (!jsonEqual(firedA, firedB)) {
        const note: UnselectedRuleChange = {
          nodeId: record.nodeId,
          visit: pair.visit,
          outcome: record.port,
          base: { fired: firedA },
          candidate: { fired: firedB },
        }
        if (record.scope) note.scope = record.scope
        detail.push(note)
      }
      continue
    }
    const change: DecisionChange = {
      nodeId: record.nodeId,
      visit: pair.visit,
      base: { outcome: record.port, fired: firedA, explanation: record.explanation },
      candidate: { outcome: other.port, fired: firedB, explanation: other.explanation },
    }
    if (record.scope) change.scope = record.scope
    changes.decisions.push(change)
  }
  // Most cases write the same facts: one canonical comparison settles it before any leaf walk.
  if (!jsonEqual(base?.facts ?? {}, candidate?.facts ?? {})) diffFacts(base, candidate, changes)
  const effects = compareEffects(base, candidate)
  if (effects.length > 0) changes.effects = effects
  const changed =
    changes.status ||
    changes.outcome ||
    changes.path ||
    changes.decisions.length > 0 ||
    changes.facts.length > 0 ||
    effects.length > 0
  return { changes: changed ? changes : undefined, detail }
}

type Effect = { nodeId: string; request: JsonValue }

/** Tasks opened and connector requests (first attempts), in run order, subflows included. */
function effectsOf(state: RunState | undefined): { task: Effect[]; connector: Effect[] } {
  const task: Effect[] = []
  const connector: Effect[] = []
  for (const event of state?.events ?? []) {
    const nodeId = event.scope ? `${event.scope}/${event.nodeId ?? ''}` : (event.nodeId ?? '')
    if (event.type === 'task.opened') task.push({ nodeId, request: event.data.request })
    else if (event.type === 'connector.request' && event.data.attempt === 1)
      connector.push({ nodeId, request: { connector: event.data.connector, request: event.data.request } })
  }
  return { task, connector }
}

function compareEffects(base: RunState | undefined, candidate: RunState | undefined): EffectChange[] {
  const a = effectsOf(base)
  const b = effectsOf(candidate)
  const out: EffectChange[] = []
  for (const kind of ['task', 'connector'] as const) {
    const left = a[kind]
    const right = b[kind]
    for (let index = 0; index < Math.max(left.length, right.length); index++) {
      const x = left[index]
      const y = right[index]
      if (x && y && x.nodeId === y.nodeId && jsonEqual(x.request, y.request)) continue
      out.push({ kind, index, base: x ?? null, candidate: y ?? null })
      break
    }
  }
  return out
}

function diffFacts(base: RunState | undefined, candidate: RunState | undefined, changes: CaseChanges): void {
  const factsA = flattenFacts(base?.facts ?? {})
  const factsB = flattenFacts(candidate?.facts ?? {})
  const paths = [...new Set([...Object.keys(factsA), ...Object.keys(factsB)])].sort()
  for (const path of paths) {
    const va = factsA[path]
    const vb = factsB[path]
    if (!jsonEqual(va ?? null, vb ?? null) || (va === undefined) !== (vb === undefined)) {
      changes.facts.push({ path, base: va ?? null, candidate: vb ?? null })
    }
  }
}

const quoted = (name: StepName) => (nodeId: string) => `"${name(nodeId)}"`

/** Whether a run meets a case's expectation; the failures say what differed, naming steps by `name`. */
export function checkExpectation(
  expect: { outcome?: string | undefined; path?: string[] | undefined } | undefined,
  run: RunSummary,
  name: StepName = stepIds,
): string[] {
  if (!expect) return []
  const failures: string[] = []
  if (expect.outcome !== undefined) {
    const actual = run.status === 'failed' ? 'failed' : run.status === 'completed' ? (run.outcome ?? '') : run.status
    if (actual !== expect.outcome) failures.push(`expected the outcome "${expect.outcome}", got "${actual}"`)
  }
  if (expect.path) {
    let at = 0
    for (const nodeId of run.path) if (nodeId === expect.path[at]) at++
    const step = quoted(name)
    if (at < expect.path.length)
      failures.push(
        `expected the path to pass ${expect.path.map(step).join(' → ')}; it went ${run.path.map(step).join(' → ')} (missing ${step(expect.path[at] ?? '')})`,
      )
  }
  return failures
}
