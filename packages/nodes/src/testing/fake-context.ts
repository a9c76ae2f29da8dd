// A stand-in for the engine's ExecuteContext, for unit tests of node types (built-in or
// custom). It behaves like the real one where a node can tell (frozen facts, dotted `get`,
// injected clock, one memo slot per node) and records what the node did.
import type { ConnectorAdapter, ExecuteContext, FactSchema, FlowCalendar, JsonValue } from '@carepath/dsl'
import { NodeError, valueAtPath } from '@carepath/dsl'

/** A connector call the node made, with what the fake adapter answered (or the error it threw). */
export interface RecordedCall {
  connector: string
  request: JsonValue
  response?: JsonValue | undefined
  error?: string | undefined
}

/** Options for {@link createFakeContext}; everything is optional. */
export interface FakeContextOptions {
  facts?: Record<string, JsonValue> | undefined
  /** Defaults to an object schema with no properties. */
  factsSchema?: FactSchema | undefined
  /** The injected clock's value (ISO-8601). Defaults to 2025-01-01T00:00:00.000Z. */
  now?: string | undefined
  /** Fake connector adapters by name; calling any other name throws a NodeError. */
  connectors?: Record<string, ConnectorAdapter> | undefined
  runId?: string | undefined
  nodeId?: string | undefined
  flowHash?: string | undefined
  /** The flow's working calendar (for steps due in business hours). */
  calendar?: FlowCalendar | undefined
}

/** An ExecuteContext that also exposes what the node did with it. */
export interface FakeContext extends ExecuteContext {
  /** Every connector call, in order. */
  readonly calls: RecordedCall[]
  /** How many times a memo value was built (a node should build once and reuse). */
  readonly memoBuilds: number
}

export const FAKE_NOW = '2025-01-01T00:00:00.000Z'

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/** The value at a dotted path, walking objects only, as the engine's `get` does (the DSL's `valueAtPath`). */
export { valueAtPath as getFactAt }

/**
 * Build a fake ExecuteContext for a node test.
 * @example
 * const ctx = createFakeContext({ facts: { patient: { age: 70 } }, now: '2025-03-01T09:00:00Z' })
 * const outcome = await assign.execute(ctx, assign.config.parse(config))
 */
export function createFakeContext(options: FakeContextOptions = {}): FakeContext {
  const facts = deepFreeze(structuredClone(options.facts ?? {}))
  const connectors = options.connectors ?? {}
  const calls: RecordedCall[] = []
  let memo: { value: unknown } | undefined
  let memoBuilds = 0
  const runId = options.runId ?? 'run-test'
  const nodeId = options.nodeId ?? 'node-test'
  return {
    runId,
    nodeId,
    flowHash: options.flowHash ?? 'hash-test',
    facts,
    factsSchema: options.factsSchema ?? { type: 'object', properties: {} },
    calendar: options.calendar,
    calls,
    get memoBuilds() {
      return memoBuilds
    },
    get: (path) => valueAtPath(facts, path),
    now: () => options.now ?? FAKE_NOW,
    async call(connector, request) {
      const adapter = Object.hasOwn(connectors, connector) ? connectors[connector] : undefined
      if (!adapter) throw new NodeError(`No connector named "${connector}" is configured.`, { code: 'no-connector' })
      const call: RecordedCall = { connector, request: structuredClone(request) }
      calls.push(call)
      try {
        // The fake never retries, so every call is a first attempt.
        call.response = await adapter(request, { runId, nodeId, attempt: 1 })
        return call.response
      } catch (error) {
        call.error = error instanceof Error ? error.message : String(error)
        throw error
      }
    },
    memo<T>(build: () => T): T {
      if (!memo) {
        memoBuilds += 1
        memo = { value: build() }
      }
      return memo.value as T
    },
  }
}
