// Which published flows take an inbound message, and starting them. A flow takes a message when
// its start node is trigger.hl7 and that node, run on the message, accepts it: the trigger's own
// code decides (sender, type, readability), so the listener and the flow can never disagree.
import { NodeError, type FlowDocument, type JsonValue, type NodeRegistry } from '@carepath/dsl'
import type { AcceptResult, Hl7Inbound } from './hl7-intake.ts'

export interface Hl7RoutingDeps {
  registry: NodeRegistry
  /** Published documents of the flows that may start (retired flows left out). */
  publishedFlows(): FlowDocument[] | Promise<FlowDocument[]>
  /**
   * Start a run; the same idempotency key must give the same run (resends start nothing new).
   * It may resolve once the run is queued for a group commit, with `committed` settling after it.
   */
  startRun(
    flowId: string,
    input: { [key: string]: JsonValue },
    idempotencyKey: string,
  ): Promise<{ id: string; committed?: Promise<unknown> }>
}

function setAt(target: { [key: string]: JsonValue }, path: string, value: JsonValue) {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) {
    const child = node[key]
    node = (node[key] = child !== null && typeof child === 'object' && !Array.isArray(child) ? child : {}) as {
      [key: string]: JsonValue
    }
  }
  node[keys.at(-1)!] = value
}

/** A published trigger.hl7 flow as routing needs it, prepared once per set of published versions. */
interface RoutableFlow {
  flow: FlowDocument
  /** The trigger's config as its schema parsed it (defaults filled in). */
  config: unknown
  /** Where the raw text goes in the run input. */
  rawFrom: string
  /** MSH-9 patterns the trigger lists (`ADT^A04`, `ADT^*`, `ADT`). */
  messageTypes: string[]
}

/** Whether a listed type (`ADT`, `ADT^*`, `ADT^A04`) covers this message code and event. */
function typeCovers(listed: string, code: string, event: string): boolean {
  return listed === code || listed === `${code}^*` || listed === `${code}^${event}`
}

/**
 * The routing index of a set of published flows: only trigger.hl7 flows with a valid config, each
 * config parsed once. Built when the set changes (a publish or a retirement), not per message.
 */
function routingIndex(registry: NodeRegistry, flows: readonly FlowDocument[]): RoutableFlow[] {
  const type = registry.get('trigger.hl7')
  if (!type) return []
  return flows.flatMap((flow) => {
    const start = flow.nodes[flow.start]
    if (!start || start.type !== 'trigger.hl7') return []
    const config = type.config.safeParse(start.config)
    if (!config.success) return []
    const types = start.config['messageTypes']
    const parsed: unknown = config.data
    const rawFrom =
      parsed !== null && typeof parsed === 'object' && 'rawFrom' in parsed && typeof parsed.rawFrom === 'string'
        ? parsed.rawFrom
        : 'inbound.raw'
    return [
      {
        flow,
        config: parsed,
        rawFrom,
        messageTypes: Array.isArray(types) ? types.filter((t) => typeof t === 'string') : [],
      },
    ]
  })
}

/** The run input a trigger.hl7 flow gets: the raw text at the trigger's `rawFrom`. */
async function acceptingInput(
  registry: NodeRegistry,
  routable: RoutableFlow,
  message: Hl7Inbound,
): Promise<{ [key: string]: JsonValue } | undefined> {
  const { flow, config, rawFrom } = routable
  const type = registry.get('trigger.hl7')
  if (!type) return undefined
  const input: { [key: string]: JsonValue } = {}
  setAt(input, rawFrom, message.raw)
  setAt(input, 'inbound.via', message.via)
  try {
    await type.execute(
      {
        runId: 'routing',
        nodeId: flow.start,
        flowHash: '',
        facts: input,
        factsSchema: flow.facts,
        get: (path) =>
          path
            .split('.')
            .reduce<JsonValue | undefined>(
              (node, key) =>
                node !== null && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined,
              input,
            ),
        now: () => new Date(0).toISOString(),
        call: async () => {
          throw new NodeError('A trigger makes no connector calls.')
        },
        memo: (build) => build(),
      },
      config,
    )
    return input
  } catch {
    return undefined
  }
}

/**
 * `acceptRun` for the intake: start every published flow whose trigger.hl7 takes the message.
 * `publishedFlows` may hand back the same array while nothing was published or retired: the
 * routing index is then reused as it is.
 */
export function createHl7Routing(deps: Hl7RoutingDeps): (message: Hl7Inbound) => Promise<AcceptResult> {
  let indexed: { flows: readonly FlowDocument[]; index: RoutableFlow[] } | undefined
  return async (message) => {
    const flows = await deps.publishedFlows()
    if (indexed?.flows !== flows) indexed = { flows, index: routingIndex(deps.registry, flows) }
    const [code = '', event = ''] = message.header.type.split('^')
    const runIds: string[] = []
    const commits: Promise<unknown>[] = []
    for (const routable of indexed.index) {
      // A flow whose trigger lists no such type cannot take it: its trigger is not even run.
      if (!routable.messageTypes.some((t) => typeCovers(t, code, event))) continue
      const input = await acceptingInput(deps.registry, routable, message)
      if (!input) continue
      const run = await deps.startRun(routable.flow.id, input, `${message.dedupeKey}:${routable.flow.id}`)
      runIds.push(run.id)
      if (run.committed) commits.push(run.committed)
    }
    if (runIds.length > 0)
      return { accepted: true, runIds, ...(commits.length > 0 ? { committed: Promise.all(commits) } : {}) }
    // Say which it was, in table 0357's terms: no workflow here handles this type at all (200),
    // one handles the type but not this event (201), or one handles it but not from this sender.
    // MSH-3/4 are coded against the receiver's own list of applications and facilities (tables
    // 0361/0362), so a sender no flow lists is "table value not found" (103) at MSH-3.
    const typesTaken = indexed.index.flatMap((routable) => routable.messageTypes)
    const codeTaken = typesTaken.some((t) => t === code || t.startsWith(`${code}^`))
    const eventTaken = typesTaken.some((t) => typeCovers(t, code, event))
    if (eventTaken)
      return {
        accepted: false,
        reason: 'not-accepted',
        errorCode: '103',
        errorField: 3,
        message: `No flow accepts ${message.header.type} from this sender.`,
      }
    if (codeTaken)
      return {
        accepted: false,
        reason: 'not-accepted',
        errorCode: '201',
        errorField: 9,
        message: `No workflow here starts on ${message.header.type} events; they are not accepted.`,
      }
    return {
      accepted: false,
      reason: 'not-accepted',
      errorCode: '200',
      errorField: 9,
      message: `No workflow here starts on ${message.header.type} messages; they are not accepted.`,
    }
  }
}
