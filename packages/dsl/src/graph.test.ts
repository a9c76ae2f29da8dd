import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  edgeId,
  flowToGraph,
  graphToFlow,
  GraphCompileError,
  type FlowGraph,
  type GraphEdge,
  type GraphNode,
} from './graph.ts'
import { flowDocumentSchema } from './flow.schema.ts'
import { sampleFlow } from './testing/sample-flow.ts'

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The canvas order carries no meaning: compare graphs with nodes by id and edges by source and port. */
function sorted(graph: FlowGraph): FlowGraph {
  return {
    ...graph,
    nodes: [...graph.nodes].sort((a, b) => byString(a.id, b.id)),
    edges: [...graph.edges].sort((a, b) => byString(a.source, b.source) || byString(a.sourceHandle, b.sourceHandle)),
  }
}

const nodeIdArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/)
const portArb = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,5}$/)
const coordinate = fc
  .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
  .map((n) => (Object.is(n, -0) ? 0 : n))
const configArb = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })

const graphArb: fc.Arbitrary<FlowGraph> = fc
  .uniqueArray(nodeIdArb, { minLength: 1, maxLength: 8, selector: (id) => id.toLowerCase() })
  .chain((ids) =>
    fc.record({
      flow: fc.record(
        {
          id: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
          version: fc.integer({ min: 1, max: 1000 }),
          title: fc.string({ minLength: 1, maxLength: 20 }),
          description: fc.string({ maxLength: 20 }),
          facts: fc.constant({
            type: 'object' as const,
            properties: { amount: { type: 'number' as const, 'x-phi': 'none' as const } },
          }),
          roles: fc.dictionary(
            fc.stringMatching(/^[a-z]{1,6}$/),
            fc.record({ phi: fc.subarray(['demographic', 'coverage'] as const).map((a) => [...a]) }),
            { maxKeys: 2 },
          ),
        },
        { requiredKeys: ['id', 'version', 'title', 'facts', 'roles'] },
      ),
      start: fc.option(fc.constantFrom(...ids), { nil: undefined }),
      nodes: fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            position: fc.record({ x: coordinate, y: coordinate }),
            data: fc.record(
              {
                nodeType: fc.constantFrom('test.trigger', 'test.decide', 'acme.thing'),
                typeVersion: fc.integer({ min: 1, max: 4 }),
                config: configArb,
                title: fc.string({ maxLength: 10 }),
                description: fc.string({ maxLength: 10 }),
                maxVisits: fc.integer({ min: 1, max: 10 }),
                retry: fc.record(
                  {
                    attempts: fc.integer({ min: 1, max: 10 }),
                    backoffMs: fc.integer({ min: 0, max: 60_000 }),
                    factor: fc.integer({ min: 1, max: 4 }),
                  },
                  { requiredKeys: ['attempts', 'backoffMs'] },
                ),
              },
              { requiredKeys: ['nodeType', 'typeVersion', 'config'] },
            ),
          }),
        ),
      ),
      // Each (source, port) at most once; targets may be missing nodes (validation reports those).
      edges: fc.uniqueArray(fc.tuple(fc.constantFrom(...ids), portArb, fc.oneof(fc.constantFrom(...ids), nodeIdArb)), {
        maxLength: 12,
        selector: ([source, port]) => `${source} ${port}`,
      }),
    }),
  )
  .map(({ flow, start, nodes, edges }) =>
    sorted({
      flow,
      nodes: nodes.map((n): GraphNode => ({ ...n, type: 'carepath', data: { ...n.data, isStart: n.id === start } })),
      edges: edges.map(([source, port, target]): GraphEdge => ({
        id: edgeId(source, port, target),
        source,
        sourceHandle: port,
        target,
      })),
    }),
  )

describe('graph ⇄ DSL compiler', () => {
  it('graph → DSL → graph gives the same graph', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        expect(flowToGraph(graphToFlow(graph))).toEqual(graph)
      }),
      { numRuns: 120 },
    )
  })

  it('DSL → graph → DSL gives the same document, byte for byte', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const document = graphToFlow(graph)
        expect(JSON.stringify(graphToFlow(flowToGraph(document)))).toBe(JSON.stringify(document))
        expect(flowDocumentSchema.safeParse(document).success).toBe(true)
      }),
      { numRuns: 120 },
    )
  })

  it('does not depend on the canvas order of nodes and edges', () => {
    fc.assert(
      fc.property(graphArb, fc.func(fc.integer()), (graph, rank) => {
        const shuffled = {
          ...graph,
          nodes: [...graph.nodes].reverse(),
          edges: [...graph.edges].sort((a, b) => rank(a.id) - rank(b.id)),
        }
        expect(JSON.stringify(graphToFlow(shuffled))).toBe(JSON.stringify(graphToFlow(graph)))
      }),
      { numRuns: 60 },
    )
  })

  it('round-trips the sample flow, keeping its layout, titles and start', () => {
    const doc = flowDocumentSchema.parse(sampleFlow())
    const graph = flowToGraph(doc)
    expect(graph.nodes.find((n) => n.id === 'check')).toEqual({
      id: 'check',
      type: 'carepath',
      position: { x: 200, y: 0 },
      data: {
        nodeType: 'test.decide',
        typeVersion: 1,
        config: doc.nodes['check']?.config,
        title: 'Check amount',
        isStart: false,
      },
    })
    expect(graph.edges).toContainEqual({ id: 'check:high->ask', source: 'check', sourceHandle: 'high', target: 'ask' })
    expect(graphToFlow(graph)).toEqual(doc)
  })

  it('places nodes without a saved position in a row', () => {
    const doc = flowDocumentSchema.parse({ ...sampleFlow(), layout: undefined })
    expect(flowToGraph(doc).nodes.map((n) => n.position.x)).toEqual([0, 280, 560, 840])
  })

  it('refuses what a document cannot say: two edges from one port, two starts, an edge from nowhere', () => {
    const graph = flowToGraph(flowDocumentSchema.parse(sampleFlow()))
    const twice = {
      ...graph,
      edges: [
        ...graph.edges,
        { id: edgeId('check', 'high', 'done'), source: 'check', sourceHandle: 'high', target: 'done' },
      ],
    }
    expect(() => graphToFlow(twice)).toThrow(GraphCompileError)
    try {
      graphToFlow(twice)
    } catch (error) {
      expect((error as GraphCompileError).problems).toMatchObject([
        { code: 'duplicate-port', nodeId: 'check', path: 'nodes.check.next.high' },
      ])
    }
    const twoStarts = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, data: { ...n.data, isStart: true } })) }
    expect(() => graphToFlow(twoStarts)).toThrow(/Only one node can be the start/)
    const fromNowhere = { ...graph, edges: [{ id: 'x:a->done', source: 'x', sourceHandle: 'a', target: 'done' }] }
    expect(() => graphToFlow(fromNowhere)).toThrow(/not on the canvas/)
  })

  it('does not share objects with its input', () => {
    const doc = flowDocumentSchema.parse(sampleFlow())
    const graph = flowToGraph(doc)
    ;(graph.nodes[1]?.data.config as Record<string, unknown>)['threshold'] = 1
    expect(doc.nodes['check']?.config['threshold']).toBe(100)
  })
})
