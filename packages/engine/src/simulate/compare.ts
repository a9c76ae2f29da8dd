import type { DecisionExplanation, JsonValue } from '@carepath/dsl'
import { jsonEqual } from '@carepath/dsl'
import type { DecisionRecord, RunState } from '../events.ts'
import { flattenFacts } from '../facts.ts'

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

/** How a case behaves differently in the candidate; absent members did not change. */
export interface CaseChanges {
  status?: { base: string; candidate: string }
  outcome?: { base: string | null; candidate: string | null }
  /** The first node where the paths split (index into the paths; a missing side ended there). */
  path?: { index: number; base: string | null; candidate: string | null }
  decisions: DecisionChange[]
  facts: { path: string; base: JsonValue | null; candidate: JsonValue | null }[]
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

/** What changed between a case's base run and candidate run; undefined when nothing did. */
export function compareRuns(base: RunState | undefined, candidate: RunState | undefined): CaseChanges | undefined {
  const a = summarize(base)
  const b = summarize(candidate)
  const changes: CaseChanges = { decisions: [], facts: [] }
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
  const byA = keyed(base?.decisions ?? [])
  const byB = keyed(candidate?.decisions ?? [])
  for (const [key, { record, visit }] of byA) {
    const other = byB.get(key)?.record
    if (!other) continue // the paths split before it: the path change already says so
    const firedA = record.explanation.fired ?? []
    const firedB = other.explanation.fired ?? []
    if (record.port === other.port && jsonEqual(firedA, firedB)) continue
    const change: DecisionChange = {
      nodeId: record.nodeId,
      visit,
      base: { outcome: record.port, fired: firedA, explanation: record.explanation },
      candidate: { outcome: other.port, fired: firedB, explanation: other.explanation },
    }
    if (record.scope) change.scope = record.scope
    changes.decisions.push(change)
  }
  // Most cases write the same facts: one canonical comparison settles it before any leaf walk.
  if (!jsonEqual(base?.facts ?? {}, candidate?.facts ?? {})) diffFacts(base, candidate, changes)
  const changed =
    changes.status || changes.outcome || changes.path || changes.decisions.length > 0 || changes.facts.length > 0
  return changed ? changes : undefined
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

/** Whether a run meets a case's expectation; the failures say what differed. */
export function checkExpectation(
  expect: { outcome?: string | undefined; path?: string[] | undefined } | undefined,
  run: RunSummary,
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
    if (at < expect.path.length)
      failures.push(
        `expected the path to pass ${expect.path.join(' → ')}; it went ${run.path.join(' → ')} (missing "${expect.path[at]}")`,
      )
  }
  return failures
}
