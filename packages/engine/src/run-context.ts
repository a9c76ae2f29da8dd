import type { JsonValue } from '@carepath/dsl'
import type { Autopilot, EngineDeps, ResumeSignal } from './engine-deps.ts'
import type { EventRecorder } from './event-recorder.ts'
import { applyFacts, deepFreeze } from './facts.ts'

type JsonRecord = { [key: string]: JsonValue }

/** What one start or resume of a run carries through every node it walks. */
export class RunContext {
  signalUsed = false
  steps = 0
  /**
   * While an operator's retry re-executes a failed step: the responses of the calls that step
   * already made successfully, by `callKey`, each answered once from the log instead of again.
   */
  reusable = new Map<string, JsonValue[]>()
  readonly maxSteps: number

  constructor(
    readonly deps: EngineDeps,
    readonly recorder: EventRecorder,
    /** The top-level run id: task and subflow ids derive from it and the log position. */
    readonly rootRunId: string,
    readonly signal: ResumeSignal | undefined,
    readonly autopilot: Autopilot,
  ) {
    this.maxSteps = deps.maxSteps ?? 10_000
  }

  /** Facts after a write, frozen so no node can change a snapshot it was handed. */
  apply(facts: JsonRecord, set: JsonRecord): JsonRecord {
    return deepFreeze(applyFacts(facts, set))
  }

  /** A node may have swallowed a failed durable append; the run must still stop there. */
  rethrowIfInterrupted<T>(value: T): T {
    if (this.recorder.interrupted) throw this.recorder.interrupted.error
    return value
  }
}
