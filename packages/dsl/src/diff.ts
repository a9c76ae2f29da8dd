import type { FlowDocument, FlowNode } from './flow.schema.ts'
import type { JsonValue } from './json.ts'
import { nodeTitle, placeInDocument, placeWithinNode } from './plain-words.ts'

/**
 * One field that differs. `before` is absent when the field was added, `after` when it was
 * removed; `reordered` lists the item keys of a keyed array whose order changed.
 */
export interface FieldChange {
  /** Dotted path, relative to the node (`config.rules.high-deductible.conditions.all.1.value`) or to the flow (`facts.properties.x`). */
  path: string
  kind: 'added' | 'removed' | 'changed' | 'reordered'
  before?: JsonValue | undefined
  after?: JsonValue | undefined
}

/** A node that was added, removed or changed; `changes` lists field changes (empty for added/removed). */
export interface NodeChange {
  nodeId: string
  type: string
  title?: string | undefined
  changes: FieldChange[]
}

/** One port-to-node connection. */
export interface EdgeRef {
  id: string
  source: string
  port: string
  target: string
}

/** What changed between two versions, keyed by node id (a renamed node is a field change, not a rewire). */
export interface FlowDiff {
  added: NodeChange[]
  removed: NodeChange[]
  changed: NodeChange[]
  edges: { added: EdgeRef[]; removed: EdgeRef[] }
  /** Flow-level fields (title, start, facts schema, roles, calendar). The revision number and layout are left out. */
  flow: FieldChange[]
}

type Json = JsonValue | undefined

const isPlainObject = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]))
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined)
    return (
      keys.length === Object.keys(b).filter((k) => b[k] !== undefined).length &&
      keys.every((k) => deepEqual(a[k], b[k]))
    )
  }
  return false
}

const join = (path: string, segment: string | number) => (path ? `${path}.${segment}` : String(segment))

/** `id` (else `name`) when every item of both arrays is an object with a unique value there. */
function itemKey(before: JsonValue[], after: JsonValue[]): 'id' | 'name' | undefined {
  for (const key of ['id', 'name'] as const) {
    const unique = (items: JsonValue[]) => {
      const values = items.map((item) => (isPlainObject(item) ? item[key] : undefined))
      return (
        values.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(values).size === values.length
      )
    }
    if (unique(before) && unique(after)) return key
  }
  return undefined
}

/** Field-level deep diff of two JSON values, appended to `out`. */
export function diffValues(before: Json, after: Json, path: string, out: FieldChange[] = []): FieldChange[] {
  if (deepEqual(before, after)) return out
  if (before === undefined) out.push({ path, kind: 'added', after })
  else if (after === undefined) out.push({ path, kind: 'removed', before })
  else if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))]
    for (const key of keys) diffValues(before[key], after[key], join(path, key), out)
  } else if (Array.isArray(before) && Array.isArray(after)) {
    const key = itemKey(before, after)
    if (!key) {
      for (let i = 0; i < Math.max(before.length, after.length); i++)
        diffValues(before[i], after[i], join(path, i), out)
      return out
    }
    // Keyed items (rules, rows with ids, fields with names) are matched by key, so a reorder
    // is one change, not a change of every field of every moved item.
    const keyOf = (item: JsonValue) => String((item as Record<string, JsonValue>)[key])
    const afterByKey = new Map(after.map((item) => [keyOf(item), item]))
    const beforeKeys = before.map(keyOf)
    const common = beforeKeys.filter((k) => afterByKey.has(k))
    const afterCommon = after.map(keyOf).filter((k) => beforeKeys.includes(k))
    if (common.join('\u0000') !== afterCommon.join('\u0000'))
      out.push({ path, kind: 'reordered', before: common, after: afterCommon })
    for (const item of before) diffValues(item, afterByKey.get(keyOf(item)), join(path, keyOf(item)), out)
    for (const item of after)
      if (!beforeKeys.includes(keyOf(item))) diffValues(undefined, item, join(path, keyOf(item)), out)
  } else out.push({ path, kind: 'changed', before, after })
  return out
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function nodeFields(node: FlowNode): Record<string, JsonValue> {
  const { next: _next, ...fields } = node
  return JSON.parse(JSON.stringify(fields)) as Record<string, JsonValue>
}

function edgesOf(document: FlowDocument): Map<string, EdgeRef> {
  const edges = new Map<string, EdgeRef>()
  for (const [source, node] of Object.entries(document.nodes)) {
    for (const [port, target] of Object.entries(node.next)) {
      const id = `${source}:${port}->${target}`
      edges.set(id, { id, source, port, target })
    }
  }
  return edges
}

function nodeChange(nodeId: string, node: FlowNode, changes: FieldChange[]): NodeChange {
  return node.title === undefined
    ? { nodeId, type: node.type, changes }
    : { nodeId, type: node.type, title: node.title, changes }
}

/**
 * The structural diff of two versions: nodes added, removed and changed (keyed by node id,
 * down to the config field, the rule and the condition), edges added and removed, and
 * flow-level fields. Layout and the revision number are ignored: moving nodes gives an empty diff.
 */
export function diffFlows(before: FlowDocument, after: FlowDocument): FlowDiff {
  const diff: FlowDiff = { added: [], removed: [], changed: [], edges: { added: [], removed: [] }, flow: [] }
  const flowFields = (d: FlowDocument) =>
    JSON.parse(
      JSON.stringify({
        dsl: d.dsl,
        id: d.id,
        title: d.title,
        description: d.description,
        start: d.start,
        facts: d.facts,
        roles: d.roles,
        calendar: d.calendar,
      }),
    ) as JsonValue
  diffValues(flowFields(before), flowFields(after), '', diff.flow)

  const ids = [...new Set([...Object.keys(before.nodes), ...Object.keys(after.nodes)])].sort(byString)
  for (const id of ids) {
    const old = before.nodes[id]
    const now = after.nodes[id]
    if (!old && now) diff.added.push(nodeChange(id, now, []))
    else if (old && !now) diff.removed.push(nodeChange(id, old, []))
    else if (old && now) {
      const changes = diffValues(nodeFields(old), nodeFields(now), '')
      if (changes.length > 0) diff.changed.push(nodeChange(id, now, changes))
    }
  }
  const oldEdges = edgesOf(before)
  const newEdges = edgesOf(after)
  diff.edges.added = [...newEdges.values()].filter((e) => !oldEdges.has(e.id)).sort((a, b) => byString(a.id, b.id))
  diff.edges.removed = [...oldEdges.values()].filter((e) => !newEdges.has(e.id)).sort((a, b) => byString(a.id, b.id))
  return diff
}

/** True when two versions differ in nothing the diff reports. */
export function isEmptyDiff(diff: FlowDiff): boolean {
  return [diff.added, diff.removed, diff.changed, diff.edges.added, diff.edges.removed, diff.flow].every(
    (list) => list.length === 0,
  )
}

function show(value: Json): string {
  const text = JSON.stringify(value) ?? 'nothing'
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

function describeField(change: FieldChange, where: string, place?: string): string {
  const path = place ?? (change.path || 'the value')
  switch (change.kind) {
    case 'added':
      return `${where}${path} was added: ${show(change.after)}.`
    case 'removed':
      return `${where}${path} was removed (was ${show(change.before)}).`
    case 'reordered':
      return `${where}the order of ${path} changed from ${(change.before as string[]).join(', ')} to ${(change.after as string[]).join(', ')}.`
    case 'changed':
      return `${where}${path} changed from ${show(change.before)} to ${show(change.after)}.`
  }
}

/** The two versions a diff was taken between, so its lines can name nodes, rules, rows and columns. */
export interface DiffDocuments {
  before: FlowDocument
  after: FlowDocument
}

/**
 * One field change of a node in plain words ("“Copay check”, rule “Copay above $50”, condition 2,
 * value changed from 50 to 60."), with its path for a details line.
 */
export function describeNodeChange(
  nodeId: string,
  change: FieldChange,
  documents: DiffDocuments,
): { text: string; details: string } {
  const document = documents.after.nodes[nodeId] ? documents.after : documents.before
  // A removed rule or row is only in the version before: its place is read there (its number, its name).
  const holding = change.kind === 'removed' && documents.before.nodes[nodeId] ? documents.before : document
  const segments = change.path.split('.').filter((s) => s !== '')
  const subject = `“${nodeTitle(document, nodeId)}”: `
  return {
    text: describeField(change, subject, placeWithinNode(holding, nodeId, segments) || 'the node'),
    details: change.path,
  }
}

/** One flow-level change in plain words (the fact or role by name), with its path for a details line. */
export function describeFlowChange(change: FieldChange, documents: DiffDocuments): { text: string; details: string } {
  const document = change.kind === 'removed' ? documents.before : documents.after
  return { text: capitalise(describeField(change, '', placeInDocument(document, change.path))), details: change.path }
}

const capitalise = (line: string) => line.charAt(0).toUpperCase() + line.slice(1)

/**
 * The diff in plain sentences, for the CLI, review requests and the audit log. With the two
 * documents, nodes are named by title and places by rule name, row number and column header.
 */
export function summarizeDiff(diff: FlowDiff, documents?: DiffDocuments): string[] {
  const name = (id: string) =>
    documents ? `“${nodeTitle(documents.after.nodes[id] ? documents.after : documents.before, id)}”` : `"${id}"`
  const lines: string[] = diff.flow.map((c) =>
    documents ? describeFlowChange(c, documents).text : describeField(c, 'Flow: '),
  )
  for (const n of diff.added) lines.push(`Added node ${name(n.nodeId)} (${n.type}).`)
  for (const n of diff.removed) lines.push(`Removed node ${name(n.nodeId)} (${n.type}).`)
  for (const n of diff.changed)
    for (const c of n.changes)
      lines.push(documents ? describeNodeChange(n.nodeId, c, documents).text : describeField(c, `Node "${n.nodeId}": `))
  // A port that now leads elsewhere reads as one rewire, not a removal and an addition.
  const rewired = new Set<string>()
  for (const added of diff.edges.added) {
    const old = diff.edges.removed.find((e) => e.source === added.source && e.port === added.port)
    if (old) {
      rewired.add(old.id)
      lines.push(
        `The "${added.port}" port of ${name(added.source)} now leads to ${name(added.target)} instead of ${name(old.target)}.`,
      )
    } else lines.push(`Connected the "${added.port}" port of ${name(added.source)} to ${name(added.target)}.`)
  }
  for (const removed of diff.edges.removed) {
    if (!rewired.has(removed.id))
      lines.push(`Disconnected the "${removed.port}" port of ${name(removed.source)} from ${name(removed.target)}.`)
  }
  return lines
}
