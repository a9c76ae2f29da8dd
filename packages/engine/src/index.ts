// @carepath/engine: the deterministic flow interpreter and the simulator built on it.
// Pure: no clock, randomness or I/O of its own; everything the world provides is injected.
export type { RunEvent, RunEventType, RunState, RunStatus, OpenTask, DecisionRecord } from './events.ts'
export { RUN_EVENT_TYPES } from './events.ts'
export type { EngineDeps, RetryPolicy, ResumeSignal, Autopilot, StartOptions } from './engine-deps.ts'
export { RunRefusedError } from './engine-deps.ts'
export { startRun, resumeRun, traceOf } from './run.ts'
export { foldEvents } from './fold.ts'
export { jsonEqual } from './canonical-json.ts'
export { getFact, setFact, flattenFacts } from './facts.ts'
export { flowHashOf } from './flow-hash.ts'
export { FlowNotRunnableError } from './prepare.ts'
