// The map as Markdown (for a review or a compliance binder), CSV (for a spreadsheet) and JSON
// (for other tools). Pure and deterministic: no dates, nothing from the environment.
import type { PhiMap, PhiTouchpoint } from './phi-map.schema.ts'

/** The export formats `carepath phi-map` and the designer offer. */
export const PHI_MAP_FORMATS = ['md', 'csv', 'json'] as const
/** One export format: `md`, `csv` or `json`. */
export type PhiMapFormat = (typeof PHI_MAP_FORMATS)[number]

/** The columns of the touchpoint table, in order, with their headings. */
export const PHI_MAP_COLUMNS = [
  ['phiClass', 'PHI class'],
  ['kind', 'Touchpoint'],
  ['where', 'Where'],
  ['source', 'Enters from'],
  ['system', 'System'],
  ['channel', 'Channel'],
  ['outside', 'Outside'],
  ['encrypted', 'Encrypted'],
  ['queue', 'Queue'],
  ['facts', 'Facts'],
  // Last, so a spreadsheet reading the columns before it by position still reads them.
  ['withheld', 'Clearance'],
] as const

/** One row's cells, in PHI_MAP_COLUMNS order. */
export function touchpointCells(t: PhiTouchpoint): string[] {
  const e = t.endpoint
  return [
    t.phiClass,
    t.kind,
    t.where,
    t.source ?? '',
    e?.system ?? '',
    e?.channel ?? '',
    e ? (e.outside ? 'yes' : 'no') : '',
    e ? `${e.encrypted}${e.encryptionNote ? ` (${e.encryptionNote})` : ''}` : '',
    t.queue ?? '',
    t.facts.join(' '),
    t.withheld ? 'withheld' : '',
  ]
}

const csvCell = (value: string) => {
  // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** RFC 4180 CSV: a header row, then one line per touchpoint, CRLF line ends. */
export function phiMapToCsv(map: PhiMap): string {
  const lines = [PHI_MAP_COLUMNS.map(([, heading]) => heading), ...map.touchpoints.map(touchpointCells)]
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

const mdCell = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ') || ' '

/** Whether the map held each queue to its PHI clearance, in words (the Markdown's line, the designer's panel). */
export function clearancesSentence(map: Pick<PhiMap, 'clearancesApplied'>): string {
  return map.clearancesApplied
    ? "Queue clearances: the installation's, as they stood when the map was made."
    : 'Queue clearances: not applied (the flow was mapped on its own); a row shown to a queue assumes the queue is cleared for its class.'
}

/** Markdown: a summary per class, then the full table. */
export function phiMapToMarkdown(map: PhiMap): string {
  const out = [`# PHI touchpoint map: ${map.title} (version ${map.version})`, '']
  if (map.touchpoints.length === 0) out.push('This flow touches no patient data.', '')
  else out.push(clearancesSentence(map), '')
  for (const c of map.classes) {
    out.push(`## ${c.phiClass}`, '')
    const line = (label: string, values: readonly string[]) =>
      out.push(`- **${label}:** ${values.length > 0 ? values.join('; ') : 'none'}`)
    line('Enters', c.enters)
    line('Read by', c.readBy)
    line('Written by', c.writtenBy)
    line('Sent to', c.sentTo)
    line('Shown in', c.shownIn)
    line('Queues', c.queues)
    line('Product roles', c.productRoles)
    if (c.withheld) line("Withheld by a queue's clearance", c.withheld)
    out.push('')
  }
  if (map.touchpoints.length > 0) {
    out.push('## All touchpoints', '')
    out.push(`| ${PHI_MAP_COLUMNS.map(([, h]) => h).join(' | ')} |`)
    out.push(`|${PHI_MAP_COLUMNS.map(() => ' --- ').join('|')}|`)
    for (const t of map.touchpoints) out.push(`| ${touchpointCells(t).map(mdCell).join(' | ')} |`)
    out.push('')
  }
  if (map.unmapped.length > 0) {
    out.push(`Not mapped (node type not installed or settings invalid): ${map.unmapped.join(', ')}`, '')
  }
  return out.join('\n')
}

/** JSON with a fixed key order (the map's own) and two-space indent. */
export const phiMapToJson = (map: PhiMap): string => `${JSON.stringify(map, null, 2)}\n`

/** The map in `format`. */
export function exportPhiMap(map: PhiMap, format: PhiMapFormat): string {
  return format === 'csv' ? phiMapToCsv(map) : format === 'json' ? phiMapToJson(map) : phiMapToMarkdown(map)
}
