// Generates the PHI touchpoint map of a flow version from what node types declare (the fact
// paths they read, write and show, their connectors, human-step roles, triggers) and the facts
// schema's PHI classes. Pure and deterministic: the same document, registry, settings and queue
// clearances give the same map, byte for byte, so a map can be diffed, exported and reviewed.
import { factAt, listFactPaths, phiClassAt, type FactSchema } from '../facts-schema.ts'
import type { FlowDocument } from '../flow.schema.ts'
import { upgradeNodeConfig } from '../migrate.ts'
import type { AnyNodeType } from '../node-type.ts'
import { PHI_CLASSES, type PhiClass } from '../phi.ts'
import { classesCleared } from '../queue-steps.ts'
import type { NodeRegistry } from '../registry.ts'
import {
  TOUCH_KINDS,
  type EntrySource,
  type PhiClassSummary,
  type PhiEndpoint,
  type PhiMap,
  type PhiTouchpoint,
} from './phi-map.schema.ts'

/** A node as the endpoint describer sees it: its type and its parsed (defaults applied) config. */
export interface PhiMapNode {
  nodeId: string
  nodeType: AnyNodeType
  config: unknown
}

/** An endpoint a node reaches, and which of the facts it reads go there (all of them when absent). */
export type PhiEndpointUse = PhiEndpoint & { carries?: readonly string[] | undefined }

/** Says which outside systems a connector node reaches; the host knows the settings. */
export type DescribeEndpoints = (node: PhiMapNode) => readonly PhiEndpointUse[]

/**
 * Each work queue's PHI clearance as the installation's admin set it, by queue name: the classes
 * its people are cleared to see. A queue missing here, or null, has no clearance set (no cap).
 */
export type PhiMapClearances = ReadonlyMap<string, readonly PhiClass[] | null>

/** What a map is built with besides the document. */
export interface PhiMapOptions {
  /** Default: one endpoint per declared connector, named after it, encryption `unknown`. */
  describeEndpoints?: DescribeEndpoints | undefined
  /**
   * The installation's queue clearances, read by the host. Without them (a flow file on its own)
   * the map says what the flow asks for; with them, a `shown` or `may-see` row a queue's clearance
   * withholds says so, and the queue is not counted among those that see the class.
   */
  clearances?: PhiMapClearances | undefined
}

/** Without settings nothing is known about a connector but its name: say so rather than guess. */
export const describeByConnectorName: DescribeEndpoints = ({ nodeType }) =>
  (nodeType.connectors ?? []).map((connector) => ({
    system: connector.name,
    channel: connector.name,
    outside: true,
    patientFacing: false,
    encrypted: 'unknown',
    encryptionNote: 'the connector does not describe its channel',
  }))

/** The classes (never `none`) governing `path` and everything below it. */
export function phiClassesUnder(schema: FactSchema, path: string): PhiClass[] {
  const classes = new Set<PhiClass>()
  const own = phiClassAt(schema, path)
  if (own) classes.add(own)
  const node = factAt(schema, path)
  if (node)
    for (const below of listFactPaths(node)) {
      const found = phiClassAt(schema, `${path}.${below}`)
      if (found) classes.add(found)
    }
  classes.delete('none')
  return PHI_CLASSES.filter((c) => classes.has(c))
}

/** `facts` grouped by the classes each one governs. */
function byClass(schema: FactSchema, paths: readonly string[]): Map<PhiClass, string[]> {
  const grouped = new Map<PhiClass, string[]>()
  for (const path of [...new Set(paths)].sort()) {
    for (const phiClass of phiClassesUnder(schema, path))
      grouped.set(phiClass, [...(grouped.get(phiClass) ?? []), path])
  }
  return grouped
}

function isLeaf(schema: FactSchema, path: string): boolean {
  let node = factAt(schema, path)
  while (node?.type === 'array' && node.items) node = node.items
  return Object.keys(node?.properties ?? {}).length === 0
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)

interface Resolved extends PhiMapNode {
  title: string
  reads: readonly string[]
  writes: readonly string[]
}

function resolve(nodeId: string, document: FlowDocument, registry: NodeRegistry): Resolved | undefined {
  const node = document.nodes[nodeId]
  const nodeType = node && registry.get(node.type)
  if (!node || !nodeType || node.typeVersion > nodeType.typeVersion) return undefined
  const upgraded = upgradeNodeConfig(nodeType, node.typeVersion, node.config)
  if (!upgraded.ok) return undefined
  const parsed = nodeType.config.safeParse(upgraded.config)
  if (!parsed.success) return undefined
  try {
    return {
      nodeId,
      nodeType,
      config: parsed.data,
      title: node.title?.trim() || nodeType.title,
      reads: nodeType.reads(parsed.data),
      writes: nodeType.writes(parsed.data),
    }
  } catch {
    return undefined // a type that cannot say what it reads is reported by validation
  }
}

const kindOrder = (t: PhiTouchpoint) => TOUCH_KINDS.indexOf(t.kind)
const classOrder = (t: PhiTouchpoint) => PHI_CLASSES.indexOf(t.phiClass)
/** A total order on rows, so maps of equal documents are equal byte for byte. */
export const touchpointKey = (t: PhiTouchpoint): string =>
  [
    t.phiClass,
    t.kind,
    t.nodeId ?? '',
    t.queue ?? '',
    t.endpoint?.system ?? '',
    t.endpoint?.channel ?? '',
    t.source ?? '',
  ].join('\u0000')
const compare = (a: PhiTouchpoint, b: PhiTouchpoint) =>
  classOrder(a) - classOrder(b) ||
  kindOrder(a) - kindOrder(b) ||
  (a.where < b.where ? -1 : a.where > b.where ? 1 : 0) ||
  (touchpointKey(a) < touchpointKey(b) ? -1 : touchpointKey(a) > touchpointKey(b) ? 1 : 0)

/**
 * The PHI touchpoint map of `document`. Nodes whose type is missing or whose config does not
 * parse cannot say what they touch: they are listed in `unmapped` instead of being guessed at.
 */
export function buildPhiMap(document: FlowDocument, registry: NodeRegistry, options: PhiMapOptions = {}): PhiMap {
  const describe = options.describeEndpoints ?? describeByConnectorName
  // The same rule the runtime's redaction applies: what the clearance does not name stays hidden.
  const cleared = (queue: string, phiClass: PhiClass): { withheld?: true } =>
    classesCleared([phiClass], options.clearances?.get(queue) ?? undefined).length > 0 ? {} : { withheld: true }
  const schema = document.facts
  const rows: PhiTouchpoint[] = []
  const unmapped: string[] = []
  const nodes: Resolved[] = []
  for (const nodeId of Object.keys(document.nodes).sort()) {
    const resolved = resolve(nodeId, document, registry)
    if (resolved) nodes.push(resolved)
    else unmapped.push(nodeId)
  }
  const add = (grouped: Map<PhiClass, string[]>, row: Omit<PhiTouchpoint, 'phiClass' | 'facts'>) => {
    for (const [phiClass, facts] of grouped)
      rows.push({ phiClass, facts, ...row, ...(row.kind === 'shown' && row.queue ? cleared(row.queue, phiClass) : {}) })
  }

  for (const node of nodes) {
    const { nodeId, title, nodeType } = node
    const read = byClass(schema, node.reads)
    const written = byClass(schema, node.writes)
    add(read, { kind: 'read', nodeId, where: title })
    add(written, { kind: 'written', nodeId, where: title })
    const source: EntrySource | undefined = nodeType.trigger
      ? 'trigger'
      : nodeType.human
        ? 'human answer'
        : (nodeType.connectors ?? []).length > 0
          ? 'connector response'
          : undefined
    if (source) add(written, { kind: 'enters', nodeId, where: title, source })
    if ((nodeType.connectors ?? []).length > 0) {
      for (const { carries, ...endpoint } of describe(node)) {
        const sent = carries ? byClass(schema, carries) : read
        add(sent, { kind: 'sent', nodeId, where: title, endpoint })
      }
    }
    const human = nodeType.human
    if (human) {
      const queue = human.role(node.config)
      add(byClass(schema, human.shows(node.config)), { kind: 'shown', nodeId, where: title, queue })
    }
  }

  // The run's input: every leaf no node writes arrives with the request that starts the run.
  const written = nodes.flatMap((n) => n.writes)
  const inputs = listFactPaths(schema).filter((p) => isLeaf(schema, p) && !written.some((w) => overlaps(p, w)))
  const start = nodes.find((n) => n.nodeId === document.start)
  add(byClass(schema, inputs), {
    kind: 'enters',
    where: start?.title ?? 'Run input',
    source: 'run input',
    ...(start ? { nodeId: start.nodeId } : {}),
  })

  for (const [queue, role] of Object.entries(document.roles).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const phiClass of PHI_CLASSES.filter((c) => c !== 'none' && role.phi.includes(c))) {
      rows.push({
        phiClass,
        kind: 'may-see',
        where: role.title?.trim() || queue,
        facts: [],
        queue,
        ...cleared(queue, phiClass),
      })
    }
  }
  rows.sort(compare)
  return {
    flowId: document.id,
    version: document.version,
    title: document.title,
    classes: summarize(rows),
    touchpoints: rows,
    unmapped,
    clearancesApplied: options.clearances !== undefined,
  }
}

/** A plain phrase for an endpoint: `SMS gateway (outside, channel: sms, encrypted: yes)`. */
export function describeEndpoint(endpoint: PhiEndpoint): string {
  const where = endpoint.outside ? 'outside' : 'inside'
  return `${endpoint.system} (${where}, channel: ${endpoint.channel}, encrypted: ${endpoint.encrypted})`
}

/**
 * Where the flow asks for a class a queue's clearance withholds, in words: "asked for by the
 * front-desk step “Confirm the visit”, withheld by the front-desk queue's clearance".
 */
export function describeWithheld(t: PhiTouchpoint): string {
  const queue = t.queue ?? t.where
  const asker = t.kind === 'shown' ? `the ${queue} step “${t.where}”` : `the flow's ${queue} role`
  return `asked for by ${asker}, withheld by the ${queue} queue's clearance`
}

const unique = (values: readonly string[]) => [...new Set(values)]

function summarize(rows: readonly PhiTouchpoint[]): PhiClassSummary[] {
  return PHI_CLASSES.flatMap((phiClass) => {
    const mine = rows.filter((r) => r.phiClass === phiClass)
    if (mine.length === 0) return []
    const of = (kind: PhiTouchpoint['kind']) => mine.filter((r) => r.kind === kind)
    // A queue whose clearance withholds the class does not see it, whatever the flow asks for.
    const queues = unique(mine.flatMap((r) => (r.queue && !r.withheld ? [r.queue] : []))).sort()
    const withheld = unique(mine.filter((r) => r.withheld).map(describeWithheld))
    return [
      {
        phiClass,
        enters: unique(of('enters').map((r) => `${r.where} (${r.source ?? 'run input'})`)),
        readBy: unique(of('read').map((r) => r.where)),
        writtenBy: unique(of('written').map((r) => r.where)),
        sentTo: unique(of('sent').flatMap((r) => (r.endpoint ? [describeEndpoint(r.endpoint)] : []))),
        shownIn: unique(
          of('shown').map(
            (r) => `${r.where} (queue: ${r.queue ?? '?'}${r.withheld ? ', withheld by its clearance' : ''})`,
          ),
        ),
        queues,
        productRoles: queues.length > 0 ? [`agent (working ${queues.join(', ')})`] : [],
        ...(withheld.length > 0 ? { withheld } : {}),
      },
    ]
  })
}
