// The context a node's handler sees while it executes, and the memo caches behind `ctx.memo`.
// Kept apart from the step itself: this is what a node type may reach of the run (facts, the
// node's own clock reading, connector calls, memoised builds), while the step decides where the
// run goes; the caches are module-scoped so that they outlive a single run.
import type { ExecuteContext, JsonValue } from '@carepath/dsl'
import { callConnector } from './connector-call.ts'
import { getFact } from './facts.ts'
import type { RunContext } from './run-context.ts'
import type { PreparedNode } from './prepare.ts'
import type { Frame } from './step-result.ts'

const memos = new Map<string, unknown>()
const MEMO_LIMIT = 5_000

/**
 * The memos a prepared node already looked up, by evaluator setting: a prepared node serves every
 * run of its version, so most lookups end here without building the string key (as long-lived
 * as the prepared flow, which lives as long as its document).
 */
const nodeMemos = new WeakMap<PreparedNode, Map<string, unknown>>()

/** Build (once per flow hash and node) a value such as a compiled rule engine. */
function memo<T>(key: string, build: () => T): T {
  if (memos.has(key)) return memos.get(key) as T
  const value = build()
  // Oldest first out: a bounded cache, so long-lived servers do not grow without end.
  if (memos.size >= MEMO_LIMIT) memos.delete(memos.keys().next().value as string)
  memos.set(key, value)
  return value
}

/**
 * What a node may touch, as one object per execution. A class rather than an object of arrow
 * functions: methods live on the prototype (bound once here, so a node may still pass
 * `ctx.get` around), which keeps per-node allocation low on hot simulation paths.
 */
export class NodeContext implements ExecuteContext {
  readonly runId: string
  readonly nodeId: string
  readonly flowHash: string
  readonly facts: Readonly<Record<string, JsonValue>>
  readonly factsSchema: ExecuteContext['factsSchema']
  readonly decisionEvaluator: ExecuteContext['decisionEvaluator']
  readonly calendar: ExecuteContext['calendar']

  constructor(
    private readonly run: RunContext,
    private readonly frame: Frame,
    private readonly p: PreparedNode,
    private readonly enteredAt: string,
  ) {
    this.runId = frame.runId
    this.nodeId = p.id
    this.flowHash = frame.prepared.hash
    this.facts = frame.facts
    this.factsSchema = frame.prepared.flow.facts
    const setting = run.deps.decisionEvaluator
    this.decisionEvaluator = typeof setting === 'function' ? setting(frame.prepared.flow.id) : setting
    this.calendar = frame.prepared.flow.calendar
    this.get = this.get.bind(this)
    this.now = this.now.bind(this)
    this.call = this.call.bind(this)
    this.memo = this.memo.bind(this)
  }

  get(path: string): JsonValue | undefined {
    return getFact(this.frame.facts, path)
  }

  now(): string {
    return this.enteredAt
  }

  call(connector: string, request: JsonValue): Promise<JsonValue> {
    const site = { runId: this.frame.runId, nodeId: this.p.id, scope: this.frame.scope, policy: this.p.node.retry }
    return callConnector(this.run, site, connector, request)
  }

  memo<T>(build: () => T): T {
    // The evaluator setting is part of the key: forcing json-rules-engine must not reuse a compiled memo.
    const setting = this.decisionEvaluator ?? ''
    let byNode = nodeMemos.get(this.p)
    if (!byNode) nodeMemos.set(this.p, (byNode = new Map()))
    if (byNode.has(setting)) return byNode.get(setting) as T
    const value = memo(`${this.frame.prepared.hash}\u0000${this.p.id}\u0000${setting}`, build)
    byNode.set(setting, value)
    return value
  }
}
