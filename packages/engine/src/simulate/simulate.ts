import type { FlowDocument, JsonValue } from '@carepath/dsl'
import type { RunEvent, RunState } from '../events.ts'
import { flowHashOf } from '../flow-hash.ts'
import { foldEvents } from '../fold.ts'
import { runCase, type CaseRunnerOptions } from './case-runner.ts'
import { CanvasCollector, type CanvasHighlights } from './canvas.ts'
import {
  checkExpectation,
  compareRunsInDetail,
  summarize,
  type CaseChanges,
  type RunSummary,
  type UnselectedRuleChange,
} from './compare.ts'
import { CoverageCollector, type Coverage } from './coverage.ts'
import { generatedCasesFor } from './generate.ts'
import type { CaseProbe } from './probes.ts'
import type { Suite, SuiteCase } from './suite.schema.ts'

/** Options of simulate and replayRecorded. */
export interface SimulateOptions extends CaseRunnerOptions {
  /** Add cases from the decision nodes' case generators (both versions). */
  generate?: boolean
  /** Called after every case (and once at the start) for progress bars on large suites. */
  onProgress?(progress: { done: number; total: number }): void
}

/** One case of a report. Unchanged cases carry only their outcome, to keep big reports small. */
export interface CaseReport {
  id: string
  name?: string
  source: 'suite' | 'generated' | 'recorded'
  /** failed: the expectation failed or the candidate could not run the case to a good end. */
  status: 'unchanged' | 'changed' | 'failed'
  /** A change the case's `expect` asked for (it does not fail the simulation). */
  expectedChange: boolean
  outcome?: string
  base?: RunSummary
  candidate?: RunSummary
  changes?: CaseChanges
  /**
   * Decisions that chose the same port and outputs but whose other rules or rows fired
   * differently: detail for a reviewer, not a change (the case stays unchanged for them alone).
   */
  detail?: UnselectedRuleChange[]
  /** Generated cases: the decision probed and the facts laid over the run (see CaseProbe). */
  probe?: CaseProbe
  expectationFailures: string[]
  problems: string[]
}

/** What `carepath simulate`, the review and the designer read. */
export interface SimulationReport {
  flow: string
  base: { hash: string; version: number } | null
  candidate: { hash: string; version: number }
  summary: { cases: number; unchanged: number; changed: number; failed: number; unexpected: number }
  cases: CaseReport[]
  coverage: Coverage
  canvas: CanvasHighlights
}

interface PlannedCase {
  c: SuiteCase
  source: CaseReport['source']
  /** For recorded runs: the recorded run itself is the base. */
  recorded?: RunState
  probe?: CaseProbe
}

/** Per node, the first suite case (in suite order) whose base (and candidate) run entered it. */
interface Reached {
  base: Map<string, SuiteCase>
  candidate: Map<string, SuiteCase>
}

/**
 * Run every case of a suite against the base (published) and candidate (draft) versions and
 * report per case what changed: status, outcome, where the paths split, each decision whose
 * outcome changed (with both explanations), facts written differently; plus failed
 * expectations, problems (missing mocks/answers, runs that failed) and the candidate's coverage.
 * `base` null means nothing is published yet: cases only check expectations.
 * @example
 * const report = await simulate(published, draft, suite, { registry, generate: true })
 * if (report.summary.unexpected > 0 || report.summary.failed > 0) process.exitCode = 1
 */
export async function simulate(
  base: FlowDocument | null,
  candidate: FlowDocument,
  suite: Suite,
  options: SimulateOptions,
): Promise<SimulationReport> {
  const planned: PlannedCase[] = suite.cases.map((c) => ({ c, source: 'suite' }))
  const generate = options.generate
    ? (reached: Reached) =>
        generatedCasesFor(
          base ? [base, candidate] : [candidate],
          options.registry,
          suite,
          (nodeId) => reached.base.get(nodeId) ?? reached.candidate.get(nodeId),
        ).map(({ c, probe }): PlannedCase => ({ c, source: 'generated', probe }))
    : undefined
  const now = options.now ?? suite.now
  return await runPlanned(base, candidate, planned, now ? { ...options, now } : options, false, generate)
}

/** A run recorded in production: its log (input, connector results and answers are in it). */
export interface RecordedRun {
  id: string
  events: readonly RunEvent[]
}

/**
 * Replay recorded runs against a candidate: each run's input, recorded connector responses
 * and human answers drive the candidate, and the recorded run is the base it is compared with.
 */
export async function replayRecorded(
  candidate: FlowDocument,
  runs: readonly RecordedRun[],
  options: SimulateOptions,
): Promise<SimulationReport> {
  const planned = runs.map((run): PlannedCase => ({
    c: caseFromLog(run),
    source: 'recorded',
    recorded: asSimulated(foldEvents(run.events)),
  }))
  return await runPlanned(null, candidate, planned, options, true)
}

/** A run held as an incident compares as the failure it is: a simulation holds no incidents. */
function asSimulated(state: RunState): RunState {
  if (state.status !== 'incident' || !state.incident) return state
  return { ...state, status: 'failed', error: { nodeId: state.incident.nodeId, message: state.incident.message } }
}

function caseFromLog(run: RecordedRun): SuiteCase {
  const started = run.events[0]
  const input = started?.type === 'run.started' ? started.data.input : {}
  const mocks: Record<string, JsonValue[]> = {}
  const answers: Record<string, JsonValue[]> = {}
  for (const event of run.events) {
    if (!event.nodeId) continue
    if (event.type === 'connector.response') {
      const value = 'error' in event.data ? { $error: event.data.error } : event.data.response
      ;(mocks[event.nodeId] ??= []).push(value)
    } else if (event.type === 'task.answered') (answers[event.nodeId] ??= []).push(event.data.answer)
  }
  return { id: run.id, input, mocks, answers }
}

async function runPlanned(
  base: FlowDocument | null,
  candidate: FlowDocument,
  planned: readonly PlannedCase[],
  options: SimulateOptions,
  recorded = false,
  /** Cases to add once the planned ones ran, given which case first reached each node. */
  more?: (reached: Reached) => PlannedCase[],
): Promise<SimulationReport> {
  const coverage = new CoverageCollector(candidate)
  const canvas = new CanvasCollector(base, candidate)
  const cases: CaseReport[] = []
  const reached: Reached = { base: new Map(), candidate: new Map() }
  const queue = [...planned]
  if (queue.length === 0 && more) {
    queue.push(...more(reached))
    more = undefined
  }
  const summary = { cases: queue.length, unchanged: 0, changed: 0, failed: 0, unexpected: 0 }
  options.onProgress?.({ done: 0, total: queue.length })
  for (let index = 0; index < queue.length; index++) {
    const { c, source, recorded: recordedState, probe } = queue[index] as PlannedCase
    const baseRun = recorded
      ? { state: recordedState, problems: [] }
      : base
        ? await runCase(base, c, options, probe)
        : undefined
    const candidateRun = await runCase(candidate, c, options, probe)
    if (source === 'suite') {
      for (const nodeId of baseRun?.state?.path ?? []) if (!reached.base.has(nodeId)) reached.base.set(nodeId, c)
      for (const nodeId of candidateRun.state?.path ?? [])
        if (!reached.candidate.has(nodeId)) reached.candidate.set(nodeId, c)
    }
    coverage.add(candidateRun.state)
    const report = judge(
      c,
      source,
      baseRun?.state,
      candidateRun.state,
      candidateRun.problems,
      base !== null || recorded,
    )
    if (probe) report.probe = probe
    if (report.changes) canvas.add(baseRun?.state, candidateRun.state, report.changes)
    summary[report.status]++
    if (report.status === 'changed' && !report.expectedChange) summary.unexpected++
    cases.push(report)
    if (more && index === queue.length - 1) {
      queue.push(...more(reached))
      more = undefined
      summary.cases = queue.length
    }
    options.onProgress?.({ done: cases.length, total: queue.length })
  }
  const covered = coverage.result()
  return {
    flow: candidate.id,
    base: base ? { hash: flowHashOf(base), version: base.version } : null,
    candidate: { hash: flowHashOf(candidate), version: candidate.version },
    summary,
    cases,
    coverage: covered,
    canvas: canvas.result(covered.nodes.missed),
  }
}

function judge(
  c: SuiteCase,
  source: CaseReport['source'],
  base: RunState | undefined,
  candidate: RunState | undefined,
  problems: string[],
  compare: boolean,
): CaseReport {
  const after = summarize(candidate)
  const compared = compare ? compareRunsInDetail(base, candidate) : undefined
  const changes = compared?.changes
  const expectationFailures = checkExpectation(c.expect, after)
  const runProblems = [...problems]
  if (after.status === 'failed' && c.expect?.outcome !== 'failed')
    runProblems.push(`The run failed at "${after.error?.nodeId ?? '?'}": ${after.error?.message ?? ''}`)
  if (after.status === 'not-run') runProblems.push('The candidate could not run this case.')
  // A suite case whose run fails is broken; a generated or recorded input may fail in both
  // versions alike (say, a required fact left out), which is no regression.
  const runFailed = after.status === 'failed' && c.expect?.outcome !== 'failed'
  const regression = source === 'suite' ? runFailed : runFailed && (!compare || summarize(base).status !== 'failed')
  const failed = expectationFailures.length > 0 || after.status === 'not-run' || regression
  const status: CaseReport['status'] = failed ? 'failed' : changes ? 'changed' : 'unchanged'
  const report: CaseReport = {
    id: c.id,
    source,
    status,
    expectedChange: changes !== undefined && c.expect !== undefined && expectationFailures.length === 0,
    expectationFailures,
    problems: [...new Set(runProblems)],
  }
  if (c.name !== undefined) report.name = c.name
  if (compared && compared.detail.length > 0) report.detail = compared.detail
  if (status === 'unchanged') {
    if (after.outcome !== undefined) report.outcome = after.outcome
    return report
  }
  if (compare) report.base = summarize(base)
  report.candidate = after
  if (changes) report.changes = changes
  return report
}
