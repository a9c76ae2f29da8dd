import type { FlowDocument, JsonValue } from '@carepath/dsl'
import type { RunEvent, RunState } from '../events.ts'
import { flowHashOf } from '../flow-hash.ts'
import { foldEvents } from '../fold.ts'
import type { CaseRunnerOptions } from './case-runner.ts'
import { CanvasCollector, type CanvasHighlights } from './canvas.ts'
import type { CaseReport } from './case-report.ts'
import { CoverageCollector, type Coverage } from './coverage.ts'
import { generatedCasesFor } from './generate.ts'
import {
  runSimulationChunk,
  type PlannedCase,
  type SimulationChunkRunner,
  type SimulationPart,
  type SimulationSetup,
  type SimulationWorkers,
} from './simulate-chunk.ts'
import type { Suite, SuiteCase } from './suite.schema.ts'

export type { CaseReport } from './case-report.ts'

/** Options of simulate and replayRecorded. */
export interface SimulateOptions extends CaseRunnerOptions {
  /** Add cases from the decision nodes' case generators (both versions). */
  generate?: boolean
  /** Called after every case (and once at the start) for progress bars on large suites. */
  onProgress?(progress: { done: number; total: number }): void
  /**
   * 'list' (the default) keeps every case in the report; 'count' keeps changed and failed cases
   * and only counts the unchanged ones, so memory stays flat however many cases run.
   */
  unchangedCases?: 'list' | 'count'
  /** Worker threads to run chunks of cases on (the host provides them); the report is the same byte for byte. */
  workers?: SimulationWorkers
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
  const setup: SimulationSetup = { base, candidate, recorded }
  if (options.now !== undefined) setup.now = options.now
  const perFlow = typeof options.decisionEvaluator === 'function'
  if (typeof options.decisionEvaluator === 'string') setup.decisionEvaluator = options.decisionEvaluator
  if (options.unchangedCases !== undefined) setup.unchangedCases = options.unchangedCases
  const report = new ReportBuilder(base, candidate)
  // Recorded runs carry their whole log and a per-flow setting is a function: both stay in this thread.
  const runner = options.workers && !recorded && !perFlow ? options.workers.start(setup) : undefined
  try {
    let queue = [...planned]
    if (queue.length === 0 && more) {
      queue = more(report.reached(queue))
      more = undefined
    }
    let total = queue.length
    options.onProgress?.({ done: 0, total })
    await runPhase(queue, setup, options, runner, report, () => total)
    if (more) {
      const generated = more(report.reached(queue))
      total += generated.length
      await runPhase(generated, setup, options, runner, report, () => total)
    }
  } finally {
    await runner?.close()
  }
  return report.result()
}

/** Cases per chunk sent to a worker thread: big enough to amortise a message, small enough to balance. */
export const SIMULATION_CHUNK = 250

/**
 * Run one phase's cases, in this thread as one chunk or in chunks on the workers (and on this
 * thread beside them, when the workers ask for it), and merge the
 * parts strictly in case order (parts that finish early wait), so the report does not depend
 * on how many threads ran it or which finished first.
 */
async function runPhase(
  cases: readonly PlannedCase[],
  setup: SimulationSetup,
  options: SimulateOptions,
  runner: SimulationChunkRunner | undefined,
  report: ReportBuilder,
  total: () => number,
): Promise<void> {
  if (cases.length === 0) return
  const progress = (): void => options.onProgress?.({ done: report.done, total: total() })
  const env = {
    registry: options.registry,
    ...(options.loadFlow ? { loadFlow: options.loadFlow } : {}),
    ...(options.decisionEvaluator ? { decisionEvaluator: options.decisionEvaluator } : {}),
  }
  const workers = options.workers
  if (!runner || !workers) {
    let offset = 0
    const onCase = () => options.onProgress?.({ done: report.done + ++offset, total: total() })
    report.add(await runSimulationChunk(setup, cases, { ...env, onCase }), cases, 0)
    return
  }
  const chunks: (readonly PlannedCase[])[] = []
  for (let start = 0; start < cases.length; start += SIMULATION_CHUNK)
    chunks.push(cases.slice(start, start + SIMULATION_CHUNK))
  const finished = new Map<number, SimulationPart>()
  let next = 0
  let merged = 0
  const mergeReady = (): void => {
    for (let part = finished.get(merged); part !== undefined; part = finished.get(merged)) {
      finished.delete(merged)
      report.add(part, cases, merged * SIMULATION_CHUNK)
      merged++
      progress()
    }
  }
  const workerLane = async (): Promise<void> => {
    while (next < chunks.length) {
      const index = next++
      finished.set(index, await runner.run(chunks[index] as readonly PlannedCase[]))
      mergeReady()
    }
  }
  const thisThreadLane = async (): Promise<void> => {
    while (next < chunks.length) {
      const index = next++
      finished.set(index, await runSimulationChunk(setup, chunks[index] as readonly PlannedCase[], env))
      mergeReady()
      // Let the workers' parts in (and their next chunks out) between two chunks of this thread's.
      await workers.nextTurn?.()
    }
  }
  const lanes = Math.max(1, Math.min(workers.concurrency, chunks.length))
  await Promise.all([
    ...Array.from({ length: workers.concurrency > 0 ? lanes : 0 }, workerLane),
    ...(workers.thisThread || workers.concurrency === 0 ? [thisThreadLane()] : []),
  ])
}

/** Merges parts, in case order, into the report; memory grows only with kept case reports. */
class ReportBuilder {
  private readonly coverage: CoverageCollector
  private readonly canvas: CanvasCollector
  private readonly cases: CaseReport[] = []
  private readonly summary = { cases: 0, unchanged: 0, changed: 0, failed: 0, unexpected: 0 }
  private readonly firstReach = { base: new Map<string, number>(), candidate: new Map<string, number>() }

  constructor(
    private readonly base: FlowDocument | null,
    private readonly candidate: FlowDocument,
  ) {
    this.coverage = new CoverageCollector(candidate)
    this.canvas = new CanvasCollector(base, candidate)
  }

  /** Cases merged so far. */
  get done(): number {
    return this.summary.cases
  }

  /** Merge the part of `cases` that starts at `start` (the phase's first case is 0). */
  add(part: SimulationPart, cases: readonly PlannedCase[], start: number): void {
    for (const key of ['cases', 'unchanged', 'changed', 'failed', 'unexpected'] as const)
      this.summary[key] += part.counts[key]
    for (const report of part.cases) this.cases.push(report)
    this.coverage.merge(part.coverage)
    this.canvas.merge(part.canvas)
    for (const side of ['base', 'candidate'] as const) {
      for (const [nodeId, offset] of part.reached[side]) {
        // Suite cases come first, in one phase: the offset into this phase is the suite index.
        if (!this.firstReach[side].has(nodeId) && cases[start + offset]?.source === 'suite')
          this.firstReach[side].set(nodeId, start + offset)
      }
    }
  }

  /** Per node, the first suite case whose run entered it (for generated probes). */
  reached(suite: readonly PlannedCase[]): Reached {
    const pick = (map: Map<string, number>): Map<string, SuiteCase> =>
      new Map([...map].map(([nodeId, index]) => [nodeId, (suite[index] as PlannedCase).c]))
    return { base: pick(this.firstReach.base), candidate: pick(this.firstReach.candidate) }
  }

  result(): SimulationReport {
    const covered = this.coverage.result()
    return {
      flow: this.candidate.id,
      base: this.base ? { hash: flowHashOf(this.base), version: this.base.version } : null,
      candidate: { hash: flowHashOf(this.candidate), version: this.candidate.version },
      summary: { ...this.summary },
      cases: this.cases,
      coverage: covered,
      canvas: this.canvas.result(covered.nodes.missed),
    }
  }
}
