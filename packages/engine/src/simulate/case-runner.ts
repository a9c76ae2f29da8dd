import {
  NodeError,
  nodeTitle,
  type ConnectorAdapter,
  type FlowDocument,
  type JsonValue,
  type NodeRegistry,
} from '@carepath/dsl'
import type { Autopilot, EngineDeps } from '../engine-deps.ts'
import { RunRefusedError } from '../engine-deps.ts'
import type { RunState } from '../events.ts'
import { isJsonRecord } from '../facts.ts'
import { startRun } from '../run.ts'
import type { CaseProbe } from './probes.ts'
import { stepIds, type StepName } from './step-names.ts'
import type { SuiteCase } from './suite.schema.ts'

/** What running one case against one version gave. */
export interface CaseRun {
  /** The run, or undefined when the version could not run at all. */
  state?: RunState
  /** Why the version could not run, or what the suite lacked (a mock, an answer). */
  problems: string[]
}

/** How cases run: the registry, the virtual start time and the loader for subflows. */
export interface CaseRunnerOptions {
  registry: NodeRegistry
  /** Start of each case's virtual clock; timers move it forward. */
  now?: string
  loadFlow?: EngineDeps['loadFlow']
  /**
   * Which evaluator decisions use (absent: compiled, proven first). `parity` runs both on every
   * decision and fails the case on any difference: the check of a version before publishing.
   */
  decisionEvaluator?: EngineDeps['decisionEvaluator']
}

export const DEFAULT_SIMULATION_TIME = '2026-01-01T09:00:00.000Z'

/** The n-th of a mock/answer value: arrays are one entry per call or visit (the last repeats). */
function nth(value: JsonValue, index: number): JsonValue {
  if (!Array.isArray(value)) return value
  return value[Math.min(index, value.length - 1)] ?? null
}

/**
 * One run of a case: its virtual clock, its mocked connectors (by node id), its answers. A class,
 * so a run allocates one object rather than a closure per hook (and tsx, which names every
 * closure it creates, pays for none of them).
 */
class CaseWorld implements Autopilot {
  readonly timers = true
  readonly problems: string[] = []
  /** The mocked connector, bound once: the engine calls adapters as plain functions. */
  readonly connector: ConnectorAdapter
  private time: string
  private readonly callsByNode = new Map<string, number>()

  constructor(
    private readonly c: SuiteCase,
    start: string,
    /** Steps as the case's problems name them (their titles). */
    private readonly step: StepName,
  ) {
    this.time = start
    this.connector = this.mocked.bind(this)
  }

  now(): string {
    return this.time
  }

  advanceTo(until: string): void {
    if (until > this.time) this.time = until
  }

  answer({ nodeId, visit }: { nodeId: string; visit: number }): JsonValue | undefined {
    return this.answerOf(nodeId, visit, `No answer for the human step "${this.step(nodeId)}"; the run stops there.`)
  }

  // A wait.event step's message comes from the case's answers too, by node id.
  event({ nodeId, visit }: { nodeId: string; visit: number }): JsonValue | undefined {
    return this.answerOf(nodeId, visit, `No message for the wait step "${this.step(nodeId)}"; the run stops there.`)
  }

  private answerOf(nodeId: string, visit: number, missing: string): JsonValue | undefined {
    const answers = this.c.answers ?? {}
    if (!Object.hasOwn(answers, nodeId)) {
      this.problems.push(missing)
      return undefined
    }
    return nth(answers[nodeId] as JsonValue, visit - 1)
  }

  private mocked(_request: JsonValue, meta: { nodeId: string }): JsonValue {
    const mocks = this.c.mocks ?? {}
    if (!Object.hasOwn(mocks, meta.nodeId)) {
      this.problems.push(`No mocked response for the step "${this.step(meta.nodeId)}".`)
      // The run's own record keeps the id, as every error of a step does.
      throw NodeError.withoutStack(`No mocked response for node "${meta.nodeId}".`, { retryable: false })
    }
    const index = this.callsByNode.get(meta.nodeId) ?? 0
    this.callsByNode.set(meta.nodeId, index + 1)
    const response = nth(mocks[meta.nodeId] as JsonValue, index)
    if (isJsonRecord(response) && typeof response.$error === 'string')
      throw NodeError.withoutStack(response.$error, { retryable: false })
    return response
  }
}

/**
 * The deps and autopilot a case runs with: mocks replace every connector (by node id), answers
 * answer tasks, timers fire at once on a virtual clock. `problems` fills as the run goes.
 */
export function caseDeps(
  c: SuiteCase,
  options: CaseRunnerOptions,
  probe?: CaseProbe,
  step: StepName = stepIds,
): { deps: EngineDeps; autopilot: Autopilot; problems: string[] } {
  const world = new CaseWorld(c, options.now ?? DEFAULT_SIMULATION_TIME, step)
  const deps: EngineDeps = {
    registry: options.registry,
    clock: world,
    connectors: {},
    fallbackConnector: world.connector,
    ...(options.loadFlow ? { loadFlow: options.loadFlow } : {}),
    ...(options.decisionEvaluator ? { decisionEvaluator: options.decisionEvaluator } : {}),
  }
  // A decision probe: its facts are set as the top-level run first enters the decision.
  if (probe?.at === 'node-entry') {
    const { nodeId, set } = probe
    deps.overlay = (site) => (site.nodeId === nodeId && site.scope === '' && site.visit === 1 ? set : undefined)
  }
  return { deps, autopilot: world, problems: world.problems }
}

/** Run one case against one version to its end (or to a task the case has no answer for); a probe's facts are set on entry to its node. */
export async function runCase(
  flow: FlowDocument,
  c: SuiteCase,
  options: CaseRunnerOptions,
  probe?: CaseProbe,
): Promise<CaseRun> {
  const { deps, autopilot, problems } = caseDeps(c, options, probe, (nodeId) => nodeTitle(flow, nodeId))
  try {
    const state = await startRun(flow, c.input, deps, { runId: `case:${c.id}`, autopilot })
    return { state, problems }
  } catch (error) {
    if (error instanceof RunRefusedError) return { problems: [...problems, error.message] }
    throw error
  }
}
