import { describe, expect, it } from 'vitest'
import { layoutGraph, type HandleBoundsOf } from './auto-layout.ts'
import { firstRunLabel, labelSize, routeFits, routeFromElk, routePath, type EdgeRoute } from './edge-routes.ts'
import type { CarepathEdge, CarepathNode } from './flow-graph.ts'

const zigzag: EdgeRoute = {
  start: { x: 0, y: 0 },
  end: { x: 100, y: 50 },
  bends: [
    { x: 40, y: 0 },
    { x: 40, y: 50 },
  ],
}

describe('firstRunLabel', () => {
  it('puts the labels of two outcomes leading to the same step level with their own ports, clear of each other', () => {
    const target = { x: 400, y: 300 }
    // Ports of one step are a row (19 px) apart; React Flow's spot would be 9.5 px apart for both.
    const urgent = firstRunLabel({ x: 100, y: 60 }, target, 'urgent')
    const otherwise = firstRunLabel({ x: 100, y: 79 }, target, 'otherwise')
    expect(urgent?.y).toBe(60)
    expect(otherwise?.y).toBe(79)
    const { height } = labelSize('otherwise')
    expect(Math.abs((urgent?.y ?? 0) - (otherwise?.y ?? 0))).toBeGreaterThanOrEqual(height)
    // Centred on the first run (half the way across), so it ends before the edge turns.
    const half = (target.x - 100) / 2
    expect((otherwise?.x ?? 0) + labelSize('otherwise').width / 2).toBeLessThan(100 + half)
  })

  it("keeps React Flow's spot when the first run is too short for the label, or the edge runs backwards", () => {
    expect(firstRunLabel({ x: 100, y: 60 }, { x: 160, y: 300 }, 'otherwise')).toBeUndefined()
    expect(firstRunLabel({ x: 400, y: 60 }, { x: 100, y: 300 }, 'next')).toBeUndefined()
  })
})

describe('routePath', () => {
  it('draws straight runs with rounded corners at each bend', () => {
    expect(routePath(zigzag, 6)).toBe('M 0 0 L 34 0 Q 40 0 40 6 L 40 44 Q 40 50 46 50 L 100 50')
  })

  it('shrinks a corner to half of a short run so neighbouring corners never cross', () => {
    const jog: EdgeRoute = {
      ...zigzag,
      bends: [
        { x: 40, y: 0 },
        { x: 40, y: 4 },
      ],
      end: { x: 100, y: 4 },
    }
    expect(routePath(jog, 6)).toBe('M 0 0 L 38 0 Q 40 0 40 2 L 40 2 Q 40 4 42 4 L 100 4')
  })

  it('is a single line for a straight edge', () => {
    expect(routePath({ start: { x: 0, y: 5 }, end: { x: 80, y: 5 }, bends: [] })).toBe('M 0 5 L 80 5')
  })
})

describe('routeFits', () => {
  it('holds while both ends are where the route was computed (to a pixel)', () => {
    expect(routeFits(zigzag, { x: 0.4, y: -0.6 }, { x: 100, y: 50.9 })).toBe(true)
  })

  it('fails once either end has moved, so the canvas falls back to a smoothstep edge', () => {
    expect(routeFits(zigzag, { x: 0, y: 20 }, { x: 100, y: 50 })).toBe(false)
    expect(routeFits(zigzag, { x: 0, y: 0 }, { x: 130, y: 50 })).toBe(false)
  })
})

describe('routeFromElk', () => {
  it('takes the section and centres the label in the box ELK reserved', () => {
    const route = routeFromElk(
      [{ startPoint: { x: 1, y: 2 }, endPoint: { x: 9, y: 2 } }],
      [{ x: 10, y: 20, width: 30, height: 18 }],
    )
    expect(route).toEqual({
      start: { x: 1, y: 2 },
      end: { x: 9, y: 2 },
      bends: [],
      label: { x: 25, y: 29, width: 30, height: 18 },
    })
  })

  it('gives no route when ELK drew none', () => {
    expect(routeFromElk(undefined, undefined)).toBeUndefined()
    expect(routeFromElk([], [])).toBeUndefined()
  })
})

// A decision with three outcomes that meet again: the shape whose edges used to share channels.
function node(id: string, ports: string[]): CarepathNode {
  return {
    id,
    type: 'carepath',
    position: { x: 0, y: 0 },
    measured: { width: 200, height: 60 + ports.length * 22 },
    data: { type: 'test', typeVersion: 1, config: {} },
  }
}
const nodes = [
  node('check', ['yes', 'no', 'unsure']),
  node('a', ['next']),
  node('b', ['next']),
  node('c', ['next']),
  node('end', []),
]
const portsByNode: Record<string, string[]> = { check: ['yes', 'no', 'unsure'], a: ['next'], b: ['next'], c: ['next'] }
const edge = (source: string, port: string, target: string): CarepathEdge => ({
  id: `${source}:${port}->${target}`,
  source,
  sourceHandle: port,
  target,
  targetHandle: 'in',
  label: port,
})
const edges = [
  edge('check', 'yes', 'a'),
  edge('check', 'no', 'b'),
  edge('check', 'unsure', 'c'),
  edge('a', 'next', 'end'),
  edge('b', 'next', 'end'),
  edge('c', 'next', 'end'),
]
const handles: HandleBoundsOf = (id) => ({
  target: [{ id: 'in', x: -5, y: 15, width: 10, height: 10 }],
  source: (portsByNode[id] ?? []).map((port, i) => ({ id: port, x: 195, y: 50 + i * 22, width: 10, height: 10 })),
})

describe('layoutGraph', () => {
  it('routes every edge orthogonally from its output handle to its input handle', async () => {
    const { positions, routes } = await layoutGraph(nodes, edges, handles)
    for (const e of edges) {
      const route = routes[e.id]!
      const points = [route.start, ...route.bends, route.end]
      for (let i = 1; i < points.length; i++) {
        const straight = points[i]!.x === points[i - 1]!.x || points[i]!.y === points[i - 1]!.y
        expect(straight, `${e.id} segment ${i}`).toBe(true)
      }
      const from = positions[e.source]!
      const to = positions[e.target]!
      const port = (portsByNode[e.source] ?? []).indexOf(e.sourceHandle!)
      expect(route.start).toEqual({ x: from.x + 205, y: from.y + 55 + port * 22 })
      expect(route.end).toEqual({ x: to.x - 5, y: to.y + 20 })
    }
  })

  it('keeps edge labels clear of each other and of nodes', async () => {
    const { positions, routes } = await layoutGraph(nodes, edges, handles)
    const boxes = edges.map((e) => {
      const label = routes[e.id]!.label!
      expect(label.width).toBe(labelSize(e.sourceHandle!).width)
      return {
        left: label.x - label.width / 2,
        top: label.y - label.height / 2,
        right: label.x + label.width / 2,
        bottom: label.y + label.height / 2,
      }
    })
    const nodeBoxes = nodes.map((n) => {
      const p = positions[n.id]!
      return { left: p.x, top: p.y, right: p.x + n.measured!.width!, bottom: p.y + n.measured!.height! }
    })
    const overlap = (a: (typeof boxes)[number], b: (typeof boxes)[number]) =>
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
    boxes.forEach((a, i) => {
      boxes.forEach((b, j) => expect(i !== j && overlap(a, b), `labels ${i} and ${j}`).toBe(false))
      nodeBoxes.forEach((n, j) => expect(overlap(a, n), `label ${i} and node ${j}`).toBe(false))
    })
  })

  it('is deterministic: the same graph gives the same layout', async () => {
    expect(await layoutGraph(nodes, edges, handles)).toEqual(await layoutGraph(nodes, edges, handles))
  })
})
