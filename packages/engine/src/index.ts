// @carepath/engine: the deterministic flow interpreter and the simulator built on it.
// Pure: no clock, randomness or I/O of its own; everything the world provides is injected.
export type { RunEvent, RunEventType, RunState, RunStatus, OpenTask, OpenIncident, DecisionRecord } from './events.ts'
export { RUN_EVENT_TYPES } from './events.ts'
export {
  runEventSchema,
  runEventsSchema,
  parseRunEvents,
  upgradeRunEvents,
  RUN_EVENT_VERSION,
  RUN_EVENT_MIGRATIONS,
  RunEventFormatError,
} from './run-event.schema.ts'
export type { RunEventOf, RunEventData, RunEventMigration } from './run-event.schema.ts'
export type { EngineDeps, RetryPolicy, ResumeSignal, Autopilot, StartOptions, OverlaySite } from './engine-deps.ts'
export { RunRefusedError } from './engine-deps.ts'
export { startRun, resumeRun, migrateRun, waitingNode, traceOf } from './run.ts'
export { replayRun } from './replay.ts'
export type { ReplayVerdict, ReplayDifference, ReplayDeps } from './replay.ts'
export {
  CONNECTOR_ERROR_CLASSES,
  connectorErrorClass,
  isRetryable,
  retryDelayMs,
  MAX_RETRY_AFTER_MS,
} from './connector-errors.ts'
export type { ConnectorErrorClass } from './connector-errors.ts'
export { foldEvents } from './fold.ts'
export { getFact, setFact, flattenFacts } from './facts.ts'
export { flowHashOf } from './flow-hash.ts'
export { FlowNotRunnableError } from './prepare.ts'
export { simulate, replayRecorded, SIMULATION_CHUNK } from './simulate/simulate.ts'
export { runSimulationChunk } from './simulate/simulate-chunk.ts'
export type {
  PlannedCase,
  SimulationSetup,
  SimulationPart,
  SimulationWorkers,
  SimulationChunkRunner,
  ChunkEnvironment,
} from './simulate/simulate-chunk.ts'
export type { SimulateOptions, SimulationReport, CaseReport, RecordedRun } from './simulate/simulate.ts'
export { suiteSchema, suiteCaseSchema, suiteJsonSchema, parseSuite } from './simulate/suite.schema.ts'
export type { Suite, SuiteCase } from './simulate/suite.schema.ts'
export { runCase, caseDeps, DEFAULT_SIMULATION_TIME } from './simulate/case-runner.ts'
export type { CaseRun, CaseRunnerOptions } from './simulate/case-runner.ts'
export type { RunSummary, CaseChanges, DecisionChange } from './simulate/compare.ts'
export type { Coverage, CoverageItem } from './simulate/coverage.ts'
export type { UnreachedCondition } from './simulate/condition-coverage.ts'
export type { CanvasHighlights } from './simulate/canvas.ts'
export { generateCases, generatedSuite, mergeFacts } from './simulate/generate.ts'
export { firedLabels, reportToMarkdown } from './simulate/report-markdown.ts'
export { stepNames, type StepName } from './simulate/step-names.ts'

/** Whether a simulation lets a version go on: 'pass' (no change, or only expected ones), 'changed' or 'failed'. */
export function simulationVerdict(report: {
  summary: { failed: number; unexpected: number }
}): 'pass' | 'changed' | 'failed' {
  return report.summary.failed > 0 ? 'failed' : report.summary.unexpected > 0 ? 'changed' : 'pass'
}
