import type { ConnectorAdapter, NodeRegistry, RetryPolicy } from '@carepath/dsl'
import type { EngineDeps } from '@carepath/engine'

/** What every run of this process shares; `RunEngineDeps` adds the run's own hook and version. */
export interface SharedRunDeps {
  registry: NodeRegistry
  clock: EngineDeps['clock']
  sleep: NonNullable<EngineDeps['sleep']>
  loadFlow: NonNullable<EngineDeps['loadFlow']>
  retry?: RetryPolicy | undefined
}

/**
 * The engine deps of one start or step of a run. Its connectors are looked up at the run's first
 * connector call, once: a run of decisions calls none, and the version's pinned settings revision
 * costs two queries to find. A class, so that lookup is a getter on the prototype: an object
 * literal with a getter, one per run, is built in V8's runtime and kept runs alive into the old
 * generation (see DecisionPair in the engine's simulate/compare.ts, where it was measured).
 */
export class RunEngineDeps implements EngineDeps {
  readonly registry: NodeRegistry
  readonly clock: EngineDeps['clock']
  readonly sleep: NonNullable<EngineDeps['sleep']>
  readonly loadFlow: NonNullable<EngineDeps['loadFlow']>
  readonly incidents = true
  readonly defaultRetry?: RetryPolicy
  private adapters: Record<string, ConnectorAdapter> | undefined

  constructor(
    shared: SharedRunDeps,
    readonly onEvent: NonNullable<EngineDeps['onEvent']>,
    private readonly lookUpConnectors: () => Record<string, ConnectorAdapter>,
  ) {
    this.registry = shared.registry
    this.clock = shared.clock
    this.sleep = shared.sleep
    this.loadFlow = shared.loadFlow
    if (shared.retry) this.defaultRetry = shared.retry
  }

  get connectors(): Record<string, ConnectorAdapter> {
    return (this.adapters ??= this.lookUpConnectors())
  }
}
