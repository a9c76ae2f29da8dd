// Where a step added from a port goes: where the connection line was let go (mouse), or to the
// right of the step it follows (keyboard), moved down past any step already there. And where the
// picker opens on the canvas, beside the drop point.
import type { XYPosition } from '@xyflow/react'
import { freeSpot } from '../../store/graph-edits.ts'

/** Gap between a step and one added after it: about a node's width and an edge's run. */
export const BESIDE_GAP_X = 300

/**
 * How far above the drop point the new node's top edge goes, so its input port (halfway down a
 * one-port node's box, as the node lays out) sits about where the line was let go.
 */
export const DROP_INPUT_Y = 36

/** The node position for a step added where a line from a port was dropped (`point` in flow coordinates). */
export function atDropPoint(point: XYPosition, nodes: readonly { position: XYPosition }[]): XYPosition {
  return freeSpot({ x: point.x, y: point.y - DROP_INPUT_Y }, nodes)
}

/** The node position for a step added after `source` without a pointer: to its right, at a free spot. */
export function besideSource(source: XYPosition, nodes: readonly { position: XYPosition }[]): XYPosition {
  return freeSpot({ x: source.x + BESIDE_GAP_X, y: source.y }, nodes)
}

/** The picker's box (quick-add.css, at most): it opens on the side of the drop point that has room for it. */
export const PICKER_WIDTH = 280
export const PICKER_HEIGHT = 320
const EDGE_GAP = 8

/** A line from a port (x1, y1) let go at (x2, y2), in pixels from the canvas's top left. */
export interface DropLine {
  x1: number
  y1: number
  x2: number
  y2: number
}

/** The picker's offsets from two sides of the canvas (CSS `left`/`right` and `top`/`bottom`). */
export type PickerPlace = ({ left: number } | { right: number }) & ({ top: number } | { bottom: number })

/**
 * The picker's place for a line from `line.x1`, `line.y1` let go at `line.x2`, `line.y2` (pixels
 * into a canvas of `width` × `height`): a corner of it at the drop point, reaching on away from
 * the port where the canvas has room (so it hides less of the step the line came from), else
 * back towards it.
 */
export function pickerPlace(line: DropLine, width: number, height: number): PickerPlace {
  const { x1, y1, x2: x, y2: y } = line
  const fitsRight = x + PICKER_WIDTH + EDGE_GAP <= width
  const fitsLeft = x - PICKER_WIDTH - EDGE_GAP >= 0
  const fitsBelow = y + PICKER_HEIGHT + EDGE_GAP <= height
  const fitsAbove = y - PICKER_HEIGHT - EDGE_GAP >= 0
  const right = x >= x1 ? fitsRight || !fitsLeft : !fitsLeft && fitsRight
  const below = y >= y1 ? fitsBelow || !fitsAbove : !fitsAbove && fitsBelow
  return {
    ...(right ? { left: x } : { right: width - x }),
    ...(below ? { top: y } : { bottom: height - y }),
  }
}
