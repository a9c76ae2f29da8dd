// A node's size and handle places before the browser has drawn it. React Flow draws every node
// it has no handle places for once, to measure it, even off screen: for a big flow that first
// render of every node was most of the time to open it. A node that carries an estimate is drawn
// only when it comes on screen; its first measurement then replaces the estimate (the canvas
// store drops the estimated handles on that measurement).
import { Position, type NodeChange, type NodeHandle } from '@xyflow/react'
import { registry } from '../registry.ts'
import type { CarepathNode } from './flow-graph.ts'
import { portsOf } from './node-ports.ts'

// The node's box as styles.css lays it out (12 px text, 10 px handles), measured in Chromium.
const MIN_WIDTH = 190
const MAX_WIDTH = 250
/** Padding, icon, gap and border around the title. */
const TITLE_CHROME = 51
/** Average advance of a 12 px semibold title character. */
const TITLE_CHAR = 7
/** Head, id line, empty port list and border. */
const BASE_HEIGHT = 56
const PORT_ROW = 19
/** The first output handle's top edge. */
const FIRST_PORT_Y = 57.5
const HANDLE = 10
/**
 * Kept off whole pixels: React Flow reports a node's size in whole pixels and only sends the
 * measurement on when it differs, and that measurement is what retires the estimate.
 */
const OFF_PIXEL = 0.5

/** The node with an estimated measured size and handle places (for a node not drawn yet). */
export function withEstimatedSize(node: CarepathNode): CarepathNode {
  const nodeType = registry.get(node.data.type)
  const title = node.data.title || nodeType?.title || node.data.type
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, TITLE_CHROME + TITLE_CHAR * title.length)) + OFF_PIXEL
  const ports = portsOf(node.data.type, node.data.config)
  const height = BASE_HEIGHT + PORT_ROW * ports.length + OFF_PIXEL
  const handles: NodeHandle[] = ports.map((port, i) => ({
    id: port.name,
    type: 'source',
    position: Position.Right,
    x: width - HANDLE / 2 - 1,
    y: FIRST_PORT_Y + PORT_ROW * i,
    width: HANDLE,
    height: HANDLE,
  }))
  if (!nodeType?.trigger) {
    handles.push({
      id: 'in',
      type: 'target',
      position: Position.Left,
      x: -HANDLE / 2,
      y: height / 2 - HANDLE / 2,
      width: HANDLE,
      height: HANDLE,
    })
  }
  // `measured`, not `width`/`height`: those would fix the drawn box to the estimate.
  return { ...node, measured: { width, height }, handles }
}

/**
 * After React Flow measured nodes (its `dimensions` changes), those nodes drop their estimated
 * handles: React Flow takes a node's `handles` over what it measured whenever the node changes.
 */
export function retireEstimates(changes: readonly NodeChange<CarepathNode>[], nodes: CarepathNode[]): CarepathNode[] {
  const measured = new Set(changes.filter((c) => c.type === 'dimensions').map((c) => c.id))
  if (measured.size === 0) return nodes
  return nodes.map((node) => {
    if (!node.handles || !measured.has(node.id)) return node
    const { handles: _estimated, ...drawn } = node
    return drawn
  })
}
