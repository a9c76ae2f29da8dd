// The footprint of a change: what a draft touches that the published version did not, in plain
// words a compliance officer can act on. The approval policy maps each kind to the sign-offs the
// change needs. Pure: the same two documents and registry give the same items, in the same order.
import { z } from 'zod'
import { contentHash } from './content-hash.ts'
import { diffFlows, diffValues, type FieldChange } from './diff.ts'
import { documentHash } from './document-hash.ts'
import type { FlowDocument } from './flow.schema.ts'
import { newIn, touchesOf } from './footprint-touches.ts'
import type { NodeRegistry } from './registry.ts'
import { nodeTitle } from './plain-words.ts'

/**
 * What a change can touch, from the heaviest to the lightest: a PHI class newly sent out of the
 * installation, newly read or written; a new outside connector or host; a new patient-facing
 * channel; a decision's thresholds; any other behaviour; text only (titles, descriptions, prompts).
 */
export const FOOTPRINT_KINDS = [
  'phi-sent-outside',
  'phi-read',
  'phi-written',
  'outside-connector',
  'patient-facing',
  'threshold',
  'behaviour',
  'text',
] as const
/** One kind of thing a change touches. */
export type FootprintKind = (typeof FOOTPRINT_KINDS)[number]

/** One thing the change touches, why (a plain sentence naming steps by title) and the node ids concerned. */
export const footprintItemSchema = z
  .object({
    kind: z.enum(FOOTPRINT_KINDS),
    reason: z.string(),
    nodes: z.array(z.string()),
  })
  .strict()
/** One item of a change's footprint. */
export type FootprintItem = z.infer<typeof footprintItemSchema>

const CHANNEL_WORDS: Record<string, string> = { sms: 'SMS text message', email: 'e-mail' }

/** A patient channel key as people say it: `sms via gw.example` → `SMS text message through gw.example`. */
function channelWords(key: string): string {
  const [channel = key, host] = key.split(' via ')
  const words = CHANNEL_WORDS[channel] ?? channel
  return host === undefined ? words : `${words} through ${host}`
}

const quote = (text: string) => `“${text}”`

function namesOf(document: FlowDocument, ids: readonly string[]): string {
  return ids.map((id) => quote(nodeTitle(document, id))).join(', ')
}

/** A changed scalar of a decision's config: a literal compared against (a threshold, a code, a limit). */
const isThresholdChange = (change: FieldChange) =>
  change.kind === 'changed' &&
  ['number', 'string', 'boolean'].includes(typeof change.before) &&
  typeof change.before === typeof change.after &&
  !/(^|\.)(fact|operator|path|type|event|outcome|hitPolicy)$/.test(change.path)

/** Decision steps whose only behaviour change is literal values, and every other behaviour change. */
function splitBehaviour(published: FlowDocument, draft: FlowDocument, registry: NodeRegistry) {
  const diff = diffFlows(published, draft)
  const thresholds: { nodeId: string; changes: FieldChange[] }[] = []
  const other: string[] = []
  for (const change of diff.changed) {
    const before = published.nodes[change.nodeId]
    const after = draft.nodes[change.nodeId]
    if (!before || !after) continue
    const config = diffValues(JSON.parse(JSON.stringify(before.config)), JSON.parse(JSON.stringify(after.config)), '')
    const rest = change.changes.filter(
      (c) => !['title', 'description'].includes(c.path) && !c.path.startsWith('config'),
    )
    const decision = registry.get(after.type)?.category === 'Decision' && before.type === after.type
    if (decision && config.length > 0 && config.every(isThresholdChange))
      thresholds.push({ nodeId: change.nodeId, changes: config })
    else if (config.length > 0) other.push(`the settings of ${namesOf(draft, [change.nodeId])} changed`)
    if (rest.length > 0)
      other.push(`${namesOf(draft, [change.nodeId])} changed (${rest.map((c) => c.path).join(', ')})`)
  }
  if (diff.added.length > 0)
    other.push(
      `steps added: ${namesOf(
        draft,
        diff.added.map((n) => n.nodeId),
      )}`,
    )
  if (diff.removed.length > 0)
    other.push(
      `steps removed: ${namesOf(
        published,
        diff.removed.map((n) => n.nodeId),
      )}`,
    )
  const edges = diff.edges.added.length + diff.edges.removed.length
  if (edges > 0) other.push(`${edges} ${edges === 1 ? 'connection' : 'connections'} between steps changed`)
  const flowFields = diff.flow.filter((c) => !/(^|\.)(title|description)$/.test(c.path)).map((c) => c.path)
  if (flowFields.length > 0) other.push(`flow settings changed: ${[...new Set(flowFields)].join(', ')}`)
  return { thresholds, other }
}

function textChanges(published: FlowDocument, draft: FlowDocument): string[] {
  const diff = diffFlows(published, draft)
  const out: string[] = []
  if (diff.flow.some((c) => /(^|\.)(title|description)$/.test(c.path))) out.push('the flow’s own text')
  for (const change of diff.changed)
    if (change.changes.some((c) => c.path === 'title' || c.path === 'description'))
      out.push(`the title or description of ${namesOf(draft, [change.nodeId])}`)
  return out
}

/**
 * What the draft touches that the published version (null: none yet) does not, computed from
 * the node types' declarations (`phi`, `connectors`, `reads`, `writes`) and the facts schemas.
 * An empty list means the two documents read the same to a reviewer.
 * @example changeFootprint(published, draft, registry) // [{ kind: 'phi-sent-outside', reason: '…', nodes: ['sms'] }]
 */
export function changeFootprint(
  published: FlowDocument | null,
  draft: FlowDocument,
  registry: NodeRegistry,
): FootprintItem[] {
  if (published && documentHash(published) === documentHash(draft)) return []
  const before = touchesOf(published, registry)
  const after = touchesOf(draft, registry)
  const items: FootprintItem[] = []
  const each = (kind: FootprintKind, entries: [string, string[]][], reason: (key: string, steps: string) => string) => {
    for (const [key, nodes] of entries) items.push({ kind, reason: reason(key, namesOf(draft, nodes)), nodes })
  }
  each(
    'phi-sent-outside',
    newIn(before.sent, after.sent),
    (phi, steps) => `${phi} data is newly sent outside by ${steps}.`,
  )
  each('phi-read', newIn(before.read, after.read), (phi, steps) => `${phi} data is newly read by ${steps}.`)
  each('phi-written', newIn(before.written, after.written), (phi, steps) => `${phi} data is newly written by ${steps}.`)
  each(
    'outside-connector',
    newIn(before.connectors, after.connectors),
    (name, steps) => `The ${name} connector is newly called by ${steps}.`,
  )
  each(
    'outside-connector',
    newIn(before.hosts, after.hosts),
    (host, steps) => `${steps} newly reaches the outside endpoint ${host}.`,
  )
  each(
    'patient-facing',
    newIn(before.channels, after.channels),
    (channel, steps) => `${steps} newly messages people by ${channelWords(channel)} (a patient-facing channel).`,
  )
  if (!published) {
    const ids = Object.keys(draft.nodes).sort()
    items.push({ kind: 'behaviour', reason: `A new flow with ${ids.length} steps.`, nodes: ids })
    return items
  }
  if (contentHash(published) !== contentHash(draft)) {
    const { thresholds, other } = splitBehaviour(published, draft, registry)
    for (const { nodeId, changes } of thresholds) {
      const values = changes.map((c) => `${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join(', ')
      items.push({
        kind: 'threshold',
        reason: `The decision ${namesOf(draft, [nodeId])} compares against new values: ${values}.`,
        nodes: [nodeId],
      })
    }
    if (other.length > 0) {
      const sentence = other.join('; ')
      items.push({ kind: 'behaviour', reason: `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`, nodes: [] })
    }
  }
  const text = textChanges(published, draft)
  if (text.length > 0 || items.length === 0)
    items.push({
      kind: 'text',
      reason:
        text.length > 0
          ? `Text changed: ${text.join('; ')}.`
          : 'Text an auditor reads changed (prompts, labels or descriptions).',
      nodes: [],
    })
  return items
}
