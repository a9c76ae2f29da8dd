// Problems and diffs in the words an analyst uses: nodes by title, rules by name, table rows by
// number from 1, columns by header. The dotted path stays available, for a details line only.
import type { FlowDocument } from './flow.schema.ts'
import type { Problem } from './problems.ts'

/** Configs are checked by their node type, not here: the wording reads them as unknown JSON. */
type Json = unknown

/** What the wording reads of a document: its nodes (titles and configs). */
export type DocumentNodes = Pick<FlowDocument, 'nodes'>

const isObject = (value: Json): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const text = (value: Json): string | undefined => (typeof value === 'string' && value ? value : undefined)

/** Letters people read as one word of capitals. */
const ACRONYMS = new Set(['api', 'hl7', 'fhir', 'http', 'crm', 'sms'])

/** A node type in words: `notify` → "Notify", `trigger.api` → "Trigger API", `decision.rules` → "Decision rules". */
export function typeWords(type: string): string {
  const said = type
    .split(/[.\-_]/)
    .filter((w) => w !== '')
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()))
    .join(' ')
  return said.charAt(0).toUpperCase() + said.slice(1)
}

/**
 * The name of a node without a title of its own: its type in words and a number, "Notify 1".
 * The number is the one the designer gave its id (`notify-2` → 2), else its place among the
 * flow's nodes of that type, so no id ever reaches a sentence.
 */
export function defaultNodeTitle(document: DocumentNodes, nodeId: string): string {
  const type = document.nodes[nodeId]?.type ?? ''
  const base = type.replace(/\./g, '-').replace(/[^A-Za-z0-9_-]/g, '')
  const suffix = new RegExp(`^${base}-(\\d+)$`).exec(nodeId)?.[1]
  const sameType = Object.keys(document.nodes).filter((id) => document.nodes[id]?.type === type)
  return `${typeWords(type)} ${suffix ?? sameType.indexOf(nodeId) + 1}`
}

/**
 * A node's title; for a node without one, its type in words and a number ("Notify 1"); the id
 * itself only for a node the document does not hold.
 */
export function nodeTitle(document: DocumentNodes, nodeId: string): string {
  const node = document.nodes[nodeId]
  if (!node) return nodeId
  return node.title?.trim() ? node.title : defaultNodeTitle(document, nodeId)
}

/**
 * A rule or table row as a sentence names it: its name; a table row without one by its number
 * from 1 (the engine calls it `row-<n>`, zero-padded); otherwise its id.
 */
export function ruleLabel(rule: { id: string; name?: string | undefined }): string {
  if (rule.name?.trim()) return rule.name
  const row = /^row-0*(\d+)$/.exec(rule.id)?.[1]
  return row === undefined ? rule.id : `Row ${row}`
}

/** A list in words: "a", "a and b", "a, b and c". */
export function listWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
}

/** "requiredInputs" → "required inputs". */
function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

/** The item of `list` a path segment names: an index, or (in diffs of keyed lists) an id or name. */
function itemOf(list: readonly unknown[], segment: string): { index: number; item: Json } | undefined {
  if (/^\d+$/.test(segment)) return { index: Number(segment), item: list[Number(segment)] }
  const index = list.findIndex((item) => isObject(item) && (item.id === segment || item.name === segment))
  return index < 0 ? undefined : { index, item: list[index] }
}

function columnHeader(columns: Json, index: number, fallback: string): string {
  const column = Array.isArray(columns) ? columns[index] : undefined
  const header = isObject(column) ? (text(column.label) ?? text(column.name) ?? text(column.fact)) : undefined
  return header ? `column “${header}”` : `${fallback} ${index + 1}`
}

const SILENT = new Set(['rules', 'rows', 'cells', 'inputs', 'outputs', 'conditions', 'all', 'any', 'event', 'params'])

/**
 * Words for a place inside a node's config (`rules.0.conditions.all.1`, `rows.2.cells.0`):
 * "rule “Copay above $50”, condition 2", "row 3, column “Copay”". Segments it cannot name are
 * said as field names ("required inputs, item 1").
 */
export function placeInConfig(config: Json, segments: readonly string[]): string {
  const parts: string[] = []
  let value: Json = config
  let parentKey = ''
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? ''
    if (Array.isArray(value)) {
      const found = itemOf(value, segment)
      if (!found && !/^\d+$/.test(segment)) {
        // A keyed item this version does not hold: named by its key rather than a number it lacks.
        parts.push(`${parentKey === 'rules' ? 'rule' : parentKey === 'rows' ? 'row' : 'item'} “${segment}”`)
        value = undefined
        parentKey = ''
        continue
      }
      const index = found?.index ?? Number(segment)
      const item = found?.item
      if (parentKey === 'rules') {
        const name = isObject(item) ? (text(item.name) ?? text(item.id)) : undefined
        parts.push(name ? `rule “${name}”` : `rule ${index + 1}`)
      } else if (parentKey === 'rows') parts.push(`row ${index + 1}`)
      else if (parentKey === 'cells')
        parts.push(columnHeader(isObject(config) ? config.inputs : undefined, index, 'input'))
      else if (parentKey === 'outputs' && i > 1 && segments[i - 3] === 'rows')
        parts.push(columnHeader(isObject(config) ? config.outputs : undefined, index, 'output'))
      else if (parentKey === 'inputs') parts.push(`input ${columnHeader(value, index, 'column')}`)
      else if (parentKey === 'outputs') parts.push(`output ${columnHeader(value, index, 'column')}`)
      else if (parentKey === 'all' || parentKey === 'any') parts.push(`condition ${index + 1}`)
      else parts.push(`item ${index + 1}`)
      value = item
      parentKey = ''
      continue
    }
    const next: Json = isObject(value) ? value[segment] : undefined
    // Containers named by their items ("rules", "rows", "conditions.all") say nothing themselves.
    const silent = SILENT.has(segment) && next !== undefined
    if (!silent) parts.push(words(segment))
    parentKey = segment
    value = next
  }
  return parts.join(', ')
}

/**
 * Words for a document path (`nodes.coverage.config.rules.0`, `nodes.a.next.yes`, `facts.properties.x`):
 * the node by title, then the place inside it.
 */
export function placeInDocument(document: DocumentNodes, path: string): string {
  const segments = path.split('.').filter((s) => s !== '')
  if (segments[0] === 'nodes' && segments[1] !== undefined) return placeInNode(document, segments[1], segments.slice(2))
  if (segments[0] === 'facts') {
    const fact = segments.filter((s, i) => i > 0 && segments[i - 1] === 'properties')
    return fact.length > 0 ? `the fact “${fact.join('.')}”` : 'the facts schema'
  }
  if (segments[0] === 'roles') return segments[1] ? `the role “${segments[1]}”` : 'the roles'
  return segments.length === 0 ? 'the flow' : `the flow’s ${words(segments[0] ?? '')}`
}

/** Words for a path inside one node (`config.rows.1.cells.0`, `next.default`, `title`), the node named by title. */
export function placeInNode(document: DocumentNodes, nodeId: string, segments: readonly string[]): string {
  const subject = `“${nodeTitle(document, nodeId)}”`
  const [first, ...rest] = segments
  if (first === 'next') return rest[0] ? `the “${rest[0]}” outcome of ${subject}` : `the outcomes of ${subject}`
  const place = placeWithinNode(document, nodeId, segments)
  return place ? `${subject}, ${place}` : subject
}

/** The same place without the node's name ("row 2, column “Copay”"); empty for the node itself. */
export function placeWithinNode(document: DocumentNodes, nodeId: string, segments: readonly string[]): string {
  const [first, ...rest] = segments
  if (first === undefined) return ''
  if (first === 'next') return rest[0] ? `the “${rest[0]}” outcome` : 'the outcomes'
  if (first === 'config') return rest.length > 0 ? placeInConfig(document.nodes[nodeId]?.config, rest) : 'settings'
  return words(first)
}

/** A problem as an analyst reads it: whose it is, what is wrong (in words), and the path for details. */
export interface PlainProblem {
  /** The node's title, or "Flow" for a problem of the whole flow. */
  subject: string
  message: string
  /** The dotted path in the document, for a details line. */
  details: string
}

/**
 * The problem with node ids replaced by titles and quoted document paths by their words. Ids are
 * replaced only where quoted, so a title that happens to contain an id is never rewritten.
 */
export function plainProblem(problem: Problem, document: DocumentNodes): PlainProblem {
  const message = plainSentence(problem.message, document, problem.path)
  return {
    subject: problem.nodeId ? nodeTitle(document, problem.nodeId) : 'Flow',
    message: capitalised(message),
    details: problem.path,
  }
}

function capitalised(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1)
}

/**
 * Any sentence that quotes node ids or document paths (a simulation's note, a problem): each
 * quoted id becomes the node's title and each quoted path its words; other quotes stay as written.
 */
export function plainSentence(sentence: string, document: DocumentNodes, path?: string): string {
  return sentence.replace(/"([^"]+)"/g, (whole, quoted: string) => {
    if (Object.hasOwn(document.nodes, quoted)) return `“${nodeTitle(document, quoted)}”`
    if (quoted === path || quoted.startsWith('nodes.')) return placeInDocument(document, quoted)
    return whole
  })
}
