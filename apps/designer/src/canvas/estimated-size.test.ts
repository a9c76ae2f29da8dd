import { describe, expect, it } from 'vitest'
import type { FlowDocument, FlowNode } from '@carepath/dsl'
import { useEditor } from '../store/editor.store.ts'
import { documentToGraph } from './flow-graph.ts'
import { VIRTUALIZE_FROM_NODES } from './readable-fit.ts'

/** A trigger and `steps` two-outcome switches in a chain, ending in an end node. */
function chain(steps: number): FlowDocument {
  const nodes: Record<string, FlowNode> = {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 's1' } },
  }
  for (let i = 1; i <= steps; i++) {
    nodes[`s${i}`] = {
      type: 'decision.rules',
      typeVersion: 1,
      title: `Check ${i}`,
      config: { rules: [], defaultOutcome: 'next' },
      next: { next: i === steps ? 'end' : `s${i + 1}` },
    }
  }
  nodes.end = { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} }
  return {
    dsl: 'carepath.flow/1',
    id: 'chain',
    version: 1,
    title: 'Chain',
    facts: { type: 'object', properties: {} },
    roles: {},
    start: 'start',
    nodes,
  }
}

describe('estimated node sizes', () => {
  it('a small flow carries none: every node is drawn and measured as before', () => {
    const { nodes } = documentToGraph(chain(5))
    expect(nodes.every((n) => n.measured === undefined && n.handles === undefined)).toBe(true)
  })

  it('a big flow carries a size and a handle per port, so React Flow draws only what is on screen', () => {
    const { nodes } = documentToGraph(chain(VIRTUALIZE_FROM_NODES))
    const start = nodes.find((n) => n.id === 'start')!
    const step = nodes.find((n) => n.id === 's1')!
    const end = nodes.find((n) => n.id === 'end')!
    // A trigger has no input; a step has its input on the left and its port on the right.
    expect(start.handles?.map((h) => `${h.type} ${h.id}`)).toEqual(['source next'])
    expect(step.handles?.map((h) => `${h.type} ${h.id}`).sort()).toEqual(['source next', 'target in'])
    expect(end.handles?.map((h) => `${h.type} ${h.id}`)).toEqual(['target in'])
    const width = step.measured?.width ?? 0
    expect(width).toBeGreaterThanOrEqual(190)
    expect(width).toBeLessThanOrEqual(251)
    // A node with a port is taller than one without; output handles sit at the right edge.
    expect(step.measured?.height ?? 0).toBeGreaterThan(end.measured?.height ?? 0)
    const output = step.handles?.find((h) => h.type === 'source')
    expect(output?.x).toBeGreaterThan(width - 10)
    // Not `width`/`height`: those would fix the drawn box to the estimate.
    expect(step.width).toBeUndefined()
    expect(step.height).toBeUndefined()
  })

  it("a node's first measurement retires its estimated handles; the others keep theirs", () => {
    useEditor.getState().load(chain(VIRTUALIZE_FROM_NODES), 0, null)
    useEditor.getState().onNodesChange([{ type: 'dimensions', id: 's1', dimensions: { width: 212, height: 75 } }])
    const nodes = useEditor.getState().nodes
    const measured = nodes.find((n) => n.id === 's1')!
    expect(measured.handles).toBeUndefined()
    expect(measured.measured).toEqual({ width: 212, height: 75 })
    expect(nodes.find((n) => n.id === 's2')?.handles).toBeDefined()
    // The document does not change: sizes are the canvas's business.
    expect(useEditor.getState().document().nodes.s1).toEqual(chain(VIRTUALIZE_FROM_NODES).nodes.s1)
  })
})
