// Edge routes computed by auto-layout: the orthogonal polyline ELK chose for an edge and the box
// it reserved for the edge's label. A route is only true for the node positions it was computed
// for, so it carries the two end points it was drawn between and is dropped (the canvas falls
// back to a smoothstep edge) as soon as either end is elsewhere.
import type { XYPosition } from '@xyflow/react'

/** A routed edge: its ends, the bends between them, and where its label sits (centre and size). */
export interface EdgeRoute {
  start: XYPosition
  end: XYPosition
  bends: readonly XYPosition[]
  label?: { x: number; y: number; width: number; height: number } | undefined
}

/** The slice of an ELK edge section that a route is made from. */
export interface ElkSection {
  startPoint: XYPosition
  endPoint: XYPosition
  bendPoints?: readonly XYPosition[] | undefined
}

/** An ELK label after layout: top-left corner and size. */
export interface ElkLabel {
  x?: number | undefined
  y?: number | undefined
  width?: number | undefined
  height?: number | undefined
}

// React Flow positions handles to sub-pixel precision and the store keeps them unrounded;
// anything beyond a pixel means the node really moved.
const SAME_PLACE = 1

// Edge labels are 10 px text on a padded white box (styles.css `.react-flow__edge-text`, React
// Flow's default label padding of 4 px across, 2 px down). A generous per-character width keeps
// the reserved box at least as wide as any rendered name.
const CHAR_WIDTH = 6.2
const LABEL_PAD_X = 10
const LABEL_HEIGHT = 18

/** The box ELK should keep free for a label with this text. */
export function labelSize(text: string): { width: number; height: number } {
  return { width: Math.ceil(text.length * CHAR_WIDTH + LABEL_PAD_X), height: LABEL_HEIGHT }
}

/** A route from ELK's first section of an edge and its first label (absent when ELK gave none). */
export function routeFromElk(
  sections: readonly ElkSection[] | undefined,
  labels: readonly ElkLabel[] | undefined,
): EdgeRoute | undefined {
  // Our edges join two ports of sibling nodes, so ELK draws each as exactly one section.
  const section = sections?.length === 1 ? sections[0] : undefined
  if (!section) return undefined
  const route: EdgeRoute = {
    start: { x: section.startPoint.x, y: section.startPoint.y },
    end: { x: section.endPoint.x, y: section.endPoint.y },
    bends: (section.bendPoints ?? []).map((p) => ({ x: p.x, y: p.y })),
  }
  const label = labels?.[0]
  if (label?.x !== undefined && label.y !== undefined && label.width && label.height) {
    route.label = {
      x: label.x + label.width / 2,
      y: label.y + label.height / 2,
      width: label.width,
      height: label.height,
    }
  }
  return route
}

/**
 * The route with its ends moved sideways onto the handles: ELK ends edges on the node border,
 * React Flow on the outer edge of a handle that overhangs it. The first and last runs are
 * horizontal (ports sit on the left and right sides), so this only lengthens them.
 */
export function reachHandles(route: EdgeRoute, sourceDx: number, targetDx: number): EdgeRoute {
  return {
    ...route,
    start: { x: route.start.x + sourceDx, y: route.start.y },
    end: { x: route.end.x + targetDx, y: route.end.y },
  }
}

/** Whether a route still joins the edge's ends where React Flow draws them now. */
export function routeFits(route: EdgeRoute, source: XYPosition, target: XYPosition): boolean {
  return (
    Math.abs(route.start.x - source.x) <= SAME_PLACE &&
    Math.abs(route.start.y - source.y) <= SAME_PLACE &&
    Math.abs(route.end.x - target.x) <= SAME_PLACE &&
    Math.abs(route.end.y - target.y) <= SAME_PLACE
  )
}

const round = (n: number) => Math.round(n * 10) / 10

/**
 * The SVG path of a route: straight horizontal and vertical runs, each corner rounded by up to
 * `radius` (less where a run is too short, so two corners never overlap).
 */
export function routePath(route: EdgeRoute, radius = 6): string {
  const points = [route.start, ...route.bends, route.end]
  const parts = [`M ${round(points[0]!.x)} ${round(points[0]!.y)}`]
  for (let i = 1; i < points.length - 1; i++) {
    const before = points[i - 1]!
    const corner = points[i]!
    const after = points[i + 1]!
    const r = Math.min(radius, distance(before, corner) / 2, distance(corner, after) / 2)
    const into = towards(corner, before, r)
    const out = towards(corner, after, r)
    parts.push(`L ${round(into.x)} ${round(into.y)}`)
    parts.push(`Q ${round(corner.x)} ${round(corner.y)} ${round(out.x)} ${round(out.y)}`)
  }
  const last = points[points.length - 1]!
  parts.push(`L ${round(last.x)} ${round(last.y)}`)
  return parts.join(' ')
}

function distance(a: XYPosition, b: XYPosition): number {
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y)
}

/** The point `length` away from `from` on the straight run to `to`. */
function towards(from: XYPosition, to: XYPosition, length: number): XYPosition {
  const total = distance(from, to)
  if (total === 0) return from
  return { x: from.x + ((to.x - from.x) * length) / total, y: from.y + ((to.y - from.y) * length) / total }
}

/** Space kept between a label and the turn of its edge's first run. */
const LABEL_MARGIN = 4

/**
 * Where a smoothstep edge (one auto-layout has not routed) shows its label: on its first run,
 * level with the port it leaves, when that run is long enough to hold it. React Flow's own spot,
 * halfway down the vertical run, is the same for every edge between the same two steps, so two
 * outcomes of one step that lead to the same step drew their labels over each other; ports are a
 * row apart, so labels level with them never meet. Undefined: keep React Flow's spot (the edge
 * runs backwards, or its first run is too short).
 */
export function firstRunLabel(source: XYPosition, target: XYPosition, text: string): XYPosition | undefined {
  // Smoothstep turns halfway across, so its first run is half the horizontal distance.
  const run = (target.x - source.x) / 2
  if (run < labelSize(text).width + 2 * LABEL_MARGIN) return undefined
  return { x: source.x + run / 2, y: source.y }
}
