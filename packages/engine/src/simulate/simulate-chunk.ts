// One chunk of a simulation: run planned cases against both versions and keep only what the
// report needs (per-case reports of changed and failed cases, counts, coverage and canvas
// tallies, which suite case first reached each node). Parts are plain data, so a chunk can run
// in a worker thread, and they merge in chunk order into the same report, byte for byte,
// whether one thread ran everything or several ran chunks side by side.
import type { DecisionEvaluatorSetting, FlowDocument, NodeRegistry } from '@carepath/dsl'
import type { EngineDeps } from '../engine-deps.ts'
import type { RunState } from '../events.ts'
import { CanvasCollector, type CanvasState } from './canvas.ts'
import { judge, type CaseReport } from './case-report.ts'
import { runCase, type CaseRunnerOptions } from './case-runner.ts'
import { CoverageCollector, type CoverageState } from './coverage.ts'
import type { CaseProbe } from './probes.ts'
import { stepNames } from './step-names.ts'
import type { SuiteCase } from './suite.schema.ts'

/** A case to run, where it came from and, for a generated probe, what it lays over the run. */
export interface PlannedCase {
  c: SuiteCase
  source: CaseReport['source']
  /** For recorded runs: the recorded run itself is the base. */
  recorded?: RunState
  probe?: CaseProbe
}

/** Everything a chunk needs besides its cases; plain data, sent once to each worker thread. */
export interface SimulationSetup {
  base: FlowDocument | null
  candidate: FlowDocument
  /** Recorded runs are their own base (replayRecorded). */
  recorded: boolean
  now?: string
  /** One setting for every flow (a per-flow choice is a function and keeps the simulation in one thread). */
  decisionEvaluator?: DecisionEvaluatorSetting
  /** 'list' (the default): unchanged cases appear in the report; 'count': only in the summary. */
  unchangedCases?: 'list' | 'count'
}

/** What the report keeps of a chunk of cases. */
export interface SimulationPart {
  /** Reports in case order: every case, or only changed and failed ones (`unchangedCases: 'count'`). */
  cases: CaseReport[]
  counts: { cases: number; unchanged: number; changed: number; failed: number; unexpected: number }
  coverage: CoverageState
  canvas: CanvasState
  /** Suite cases only: per node, the offset in the chunk of the first case whose run entered it. */
  reached: { base: [string, number][]; candidate: [string, number][] }
}

/**
 * Runs chunks of cases somewhere else (worker threads): the host composes it, the engine only
 * hands it the setup and the cases. `concurrency` chunks may be in flight at once.
 */
export interface SimulationWorkers {
  readonly concurrency: number
  /**
   * Whether the calling thread runs chunks too, beside the workers (it is warm and would
   * otherwise only wait): `concurrency` workers plus this thread.
   */
  readonly thisThread?: boolean
  /**
   * A turn of the host's event loop, taken between two chunks of the calling thread's so the
   * workers' parts come in and their next chunks go out (the host owns the timers).
   */
  nextTurn?(): Promise<void>
  start(setup: SimulationSetup): SimulationChunkRunner
}

/** Runs the chunks of one simulation phase; `close` frees what `start` set up. */
export interface SimulationChunkRunner {
  run(cases: readonly PlannedCase[]): Promise<SimulationPart>
  close(): Promise<void>
}

/** What runs a chunk in this thread: the registry and subflow loader cannot cross threads. */
export interface ChunkEnvironment {
  registry: NodeRegistry
  loadFlow?: EngineDeps['loadFlow']
  /** A per-flow evaluator setting (a function cannot cross threads); overrides the setup's. */
  decisionEvaluator?: EngineDeps['decisionEvaluator']
  /** Called after each case (progress of an in-thread simulation). */
  onCase?(): void
}

/** Run planned cases against the setup's versions (see SimulationPart). */
export async function runSimulationChunk(
  setup: SimulationSetup,
  cases: readonly PlannedCase[],
  env: ChunkEnvironment,
): Promise<SimulationPart> {
  const { base, candidate, recorded } = setup
  const options: CaseRunnerOptions = { registry: env.registry }
  if (setup.now !== undefined) options.now = setup.now
  if (env.loadFlow) options.loadFlow = env.loadFlow
  const evaluator = env.decisionEvaluator ?? setup.decisionEvaluator
  if (evaluator !== undefined) options.decisionEvaluator = evaluator
  const coverage = new CoverageCollector(candidate)
  const canvas = new CanvasCollector(base, candidate)
  const reachedBase = new Map<string, number>()
  const reachedCandidate = new Map<string, number>()
  const reports: CaseReport[] = []
  const name = stepNames(base, candidate)
  const counts = { cases: cases.length, unchanged: 0, changed: 0, failed: 0, unexpected: 0 }
  for (let offset = 0; offset < cases.length; offset++) {
    const { c, source, recorded: recordedState, probe } = cases[offset] as PlannedCase
    const baseRun = recorded
      ? { state: recordedState, problems: [] }
      : base
        ? await runCase(base, c, options, probe)
        : undefined
    const candidateRun = await runCase(candidate, c, options, probe)
    if (source === 'suite') {
      for (const nodeId of baseRun?.state?.path ?? []) if (!reachedBase.has(nodeId)) reachedBase.set(nodeId, offset)
      for (const nodeId of candidateRun.state?.path ?? [])
        if (!reachedCandidate.has(nodeId)) reachedCandidate.set(nodeId, offset)
    }
    coverage.add(candidateRun.state)
    const report = judge(
      c,
      source,
      baseRun?.state,
      candidateRun.state,
      candidateRun.problems,
      base !== null || recorded,
      name,
    )
    if (probe) report.probe = probe
    if (report.changes) canvas.add(baseRun?.state, candidateRun.state, report.changes)
    counts[report.status]++
    if (report.status === 'changed' && !report.expectedChange) counts.unexpected++
    if (report.status !== 'unchanged' || setup.unchangedCases !== 'count') reports.push(report)
    env.onCase?.()
  }
  return {
    cases: reports,
    counts,
    coverage: coverage.state(),
    canvas: canvas.state(),
    reached: { base: [...reachedBase], candidate: [...reachedCandidate] },
  }
}
