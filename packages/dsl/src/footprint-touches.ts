// What one flow document touches, read from its node types' declarations and its facts schema:
// the PHI classes its steps read and write, the classes its connector steps send out, the
// connectors and outside hosts it reaches and its patient-facing channels. The footprint of a
// change compares two of these.
import { factAt, listFactPaths, phiClassAt, type FactSchema } from './facts-schema.ts'
import type { FlowDocument, FlowNode } from './flow.schema.ts'
import type { PhiClass } from './phi.ts'
import type { NodeRegistry } from './registry.ts'

/** Something a document touches and the nodes (ids) that touch it. */
export type Touches = Map<string, Set<string>>

/** Everything one document touches, by what it is. */
export interface DocumentTouches {
  read: Touches
  written: Touches
  sent: Touches
  connectors: Touches
  hosts: Touches
  /** Patient-facing channels, as `channel` (sms, email) or `channel via host`. */
  channels: Touches
}

/** The PHI classes a fact path holds: its own class and those of everything under it (`none` left out). */
export function phiClassesUnder(schema: FactSchema, path: string): PhiClass[] {
  const node = factAt(schema, path)
  if (!node) return []
  const classes = new Set<PhiClass | undefined>([phiClassAt(schema, path)])
  for (const below of listFactPaths(node)) classes.add(phiClassAt(schema, `${path}.${below}`))
  return [...classes].filter((c): c is PhiClass => c !== undefined && c !== 'none').sort()
}

function add(touches: Touches, key: string, nodeId: string) {
  const nodes = touches.get(key) ?? new Set<string>()
  nodes.add(nodeId)
  touches.set(key, nodes)
}

/** Hosts of every absolute http(s) URL written anywhere in a node's config. */
function hostsIn(value: unknown, out: Set<string>) {
  if (typeof value === 'string') {
    if (/^https?:\/\//i.test(value) && URL.canParse(value)) out.add(new URL(value).host)
  } else if (Array.isArray(value)) for (const item of value) hostsIn(item, out)
  else if (typeof value === 'object' && value !== null) for (const child of Object.values(value)) hostsIn(child, out)
}

/**
 * A node reaches people when its config names a `channel` other than `log` (notify's SMS and
 * e-mail, an http.request declared as a vendor's SMS gateway). The channel is keyed with the
 * outside hosts the node names (`sms via sms.vendor.example`): a second SMS route, to a new
 * vendor, is a new patient-facing channel even when the flow already pages staff by SMS.
 */
function patientChannels(node: FlowNode, hosts: ReadonlySet<string>): string[] {
  const channel = node.config['channel']
  if (typeof channel !== 'string' || channel === 'log') return []
  return hosts.size === 0 ? [channel] : [...hosts].map((host) => `${channel} via ${host}`)
}

/** What `document` touches. Nodes of unknown types or with invalid configs are skipped (validation reports them). */
export function touchesOf(document: FlowDocument | null, registry: NodeRegistry): DocumentTouches {
  const touches: DocumentTouches = {
    read: new Map(),
    written: new Map(),
    sent: new Map(),
    connectors: new Map(),
    hosts: new Map(),
    channels: new Map(),
  }
  if (!document) return touches
  for (const [nodeId, node] of Object.entries(document.nodes)) {
    const nodeType = registry.get(node.type)
    const parsed = nodeType?.config.safeParse(node.config)
    if (!nodeType || !parsed?.success) continue
    const connectors = nodeType.connectors ?? []
    const reads = nodeType.reads(parsed.data)
    for (const path of reads)
      for (const phi of phiClassesUnder(document.facts, path)) {
        add(touches.read, phi, nodeId)
        // A step that calls a connector sends what it reads out of the installation.
        if (connectors.length > 0) add(touches.sent, phi, nodeId)
      }
    for (const path of nodeType.writes(parsed.data))
      for (const phi of phiClassesUnder(document.facts, path)) add(touches.written, phi, nodeId)
    for (const connector of connectors) add(touches.connectors, connector.name, nodeId)
    const hosts = new Set<string>()
    hostsIn(node.config, hosts)
    for (const host of hosts) add(touches.hosts, host, nodeId)
    if (connectors.length > 0)
      for (const channel of patientChannels(node, hosts)) add(touches.channels, channel, nodeId)
  }
  return touches
}

/** The entries of `after` that `before` lacks, with the nodes that touch them. */
export function newIn(before: Touches, after: Touches): [string, string[]][] {
  return [...after.entries()]
    .filter(([key]) => !before.has(key))
    .map(([key, nodes]): [string, string[]] => [key, [...nodes].sort()])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}
