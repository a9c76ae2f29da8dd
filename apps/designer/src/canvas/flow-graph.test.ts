import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { documentToGraph, graphToDocument } from './flow-graph.ts'

describe('the canvas model', () => {
  it("keeps a connector node's retry policy through the canvas and back (saving must not drop it)", () => {
    const document: FlowDocument = {
      dsl: 'carepath.flow/1',
      id: 'chart-prep',
      version: 1,
      title: 'Chart prep',
      facts: { type: 'object', properties: {} },
      roles: {},
      start: 'start',
      nodes: {
        start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'read' } },
        read: {
          type: 'fhir.read',
          typeVersion: 1,
          config: {},
          next: { found: 'end' },
          retry: { attempts: 5, backoffMs: 250, factor: 3 },
        },
        end: { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
      },
    }
    const { nodes, edges } = documentToGraph(document)
    const { nodes: _n, layout: _l, start: _s, ...meta } = document
    const back = graphToDocument(meta, 'start', nodes, edges)
    expect(back.nodes['read']?.retry).toEqual({ attempts: 5, backoffMs: 250, factor: 3 })
    expect(back.nodes['start']?.retry).toBeUndefined()
  })
})
