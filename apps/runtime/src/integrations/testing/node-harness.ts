// Run one node type's execute against real connector adapters, the way the engine would but
// without a flow: a minimal ExecuteContext (dotted get, fixed clock, one memo slot). Test-only.
import {
  NodeError,
  type AnyNodeType,
  type ConnectorAdapter,
  type ExecuteContext,
  type FactSchema,
  type JsonValue,
  type NodeOutcome,
} from '@carepath/dsl'

export interface HarnessCall {
  connector: string
  request: JsonValue
  response?: JsonValue
  error?: string
}

export async function runNode(
  type: AnyNodeType,
  config: unknown,
  options: {
    facts?: Record<string, JsonValue>
    connectors: Record<string, ConnectorAdapter>
    factsSchema?: FactSchema
    now?: string
  },
): Promise<{ outcome?: NodeOutcome; error?: NodeError; calls: HarnessCall[] }> {
  const facts = options.facts ?? {}
  const calls: HarnessCall[] = []
  let memo: { value: unknown } | undefined
  const ctx: ExecuteContext = {
    runId: 'run-harness',
    nodeId: 'node-harness',
    flowHash: 'hash-harness',
    facts,
    factsSchema: options.factsSchema ?? { type: 'object', properties: {} },
    get: (path) =>
      path.split('.').reduce<JsonValue | undefined>((node, key) => {
        if (Array.isArray(node)) return /^\d+$/.test(key) ? node[Number(key)] : undefined
        return node !== null && typeof node === 'object' ? node[key] : undefined
      }, facts),
    now: () => options.now ?? '2025-03-01T09:00:00.000Z',
    async call(connector, request) {
      const adapter = options.connectors[connector]
      const call: HarnessCall = { connector, request }
      calls.push(call)
      if (!adapter) throw new NodeError(`No connector named "${connector}" is configured.`)
      try {
        call.response = await adapter(request, { runId: 'run-harness', nodeId: 'node-harness', attempt: 1 })
        return call.response
      } catch (error) {
        call.error = error instanceof Error ? error.message : String(error)
        // The engine turns adapter failures into NodeErrors with the adapter's message.
        throw error instanceof NodeError ? error : new NodeError(call.error)
      }
    },
    memo<T>(build: () => T): T {
      memo ??= { value: build() }
      return memo.value as T
    },
  }
  try {
    return { outcome: await type.execute(ctx, type.config.parse(config)), calls }
  } catch (error) {
    if (error instanceof NodeError) return { error, calls }
    throw error
  }
}
