// A small read-only picture of the map: PHI classes on the left, the steps that touch them in the
// middle, the outside systems they are sent to on the right. The table beside it says the same
// in words, so the picture is labelled as a summary for screen readers.
import { memo } from 'react'
import type { PhiMapView } from './phi-map-api.ts'

const ROW = 26
const COLUMN_X = [8, 170, 360]
const WIDTH = 540
const LABEL_MAX = 24

const clip = (text: string) => (text.length > LABEL_MAX ? `${text.slice(0, LABEL_MAX - 1)}…` : text)

interface Layout {
  classes: string[]
  steps: string[]
  systems: string[]
  links: { from: [number, number]; to: [number, number]; outside: boolean }[]
}

/** Columns and links from the touchpoints (read, written and sent only: where data goes). */
export function graphLayout(map: PhiMapView): Layout {
  const used = map.touchpoints.filter((t) => t.kind === 'read' || t.kind === 'written' || t.kind === 'sent')
  const classes = [...new Set(used.map((t) => t.phiClass))]
  const steps = [...new Set(used.map((t) => t.where))].sort()
  const systems = [...new Set(used.flatMap((t) => (t.endpoint ? [t.endpoint.system] : [])))].sort()
  const pairs = new Set<string>()
  const links: Layout['links'] = []
  for (const t of used) {
    const a = `${t.phiClass}|${t.where}`
    if (!pairs.has(a)) {
      pairs.add(a)
      links.push({ from: [0, classes.indexOf(t.phiClass)], to: [1, steps.indexOf(t.where)], outside: false })
    }
    if (t.endpoint) {
      const b = `${t.where}|${t.endpoint.system}`
      if (!pairs.has(b)) {
        pairs.add(b)
        links.push({ from: [1, steps.indexOf(t.where)], to: [2, systems.indexOf(t.endpoint.system)], outside: true })
      }
    }
  }
  return { classes, steps, systems, links }
}

export const PhiMapGraph = memo(function PhiMapGraph({ map }: { map: PhiMapView }) {
  const { classes, steps, systems, links } = graphLayout(map)
  const columns = [classes, steps, systems]
  const height = Math.max(1, ...columns.map((c) => c.length)) * ROW + 30
  const y = (row: number) => 34 + row * ROW
  const summary = `${classes.length} classes of patient data, ${steps.length} steps, ${systems.length} outside systems`
  return (
    <svg
      className="cp-phi-graph"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={`PHI map graph: ${summary}. The table below lists every touchpoint.`}
      data-testid="phi-map-graph"
    >
      {['PHI class', 'Step', 'Outside system'].map((heading, i) => (
        <text key={heading} x={COLUMN_X[i]} y={14} className="cp-phi-graph-head">
          {heading}
        </text>
      ))}
      {links.map((l, i) => (
        <line
          key={i}
          x1={(COLUMN_X[l.from[0]] ?? 0) + 140}
          y1={y(l.from[1]) - 4}
          x2={(COLUMN_X[l.to[0]] ?? 0) - 4}
          y2={y(l.to[1]) - 4}
          className={l.outside ? 'cp-phi-link outside' : 'cp-phi-link'}
        />
      ))}
      {columns.map((column, i) =>
        column.map((label, row) => (
          <text key={`${i}:${label}`} x={COLUMN_X[i]} y={y(row)} className={`cp-phi-graph-label c${i}`}>
            <title>{label}</title>
            {clip(label)}
          </text>
        )),
      )}
    </svg>
  )
})
