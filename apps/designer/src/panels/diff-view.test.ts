import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { newFlowDocument } from '../screens/new-flow-template.ts'
import { buildDiffView } from './diff-view.ts'

function flow(nodes: FlowDocument['nodes']): FlowDocument {
  return { ...newFlowDocument('diff-test', 'Diff test', 'visit-scheduling'), start: 'start', nodes }
}

describe('buildDiffView', () => {
  it('keeps removed nodes on the canvas and marks added, removed and changed nodes and edges', () => {
    const before = flow({
      start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'old-end' } },
      'old-end': { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
      keep: { type: 'end', typeVersion: 1, config: { outcome: 'a' }, next: {} },
    })
    const after = flow({
      start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'new-end' } },
      'new-end': { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
      keep: { type: 'end', typeVersion: 1, config: { outcome: 'b' }, next: {} },
    })
    const view = buildDiffView(before, after)
    expect(view.nodes).toEqual({ 'old-end': 'removed', 'new-end': 'added', keep: 'changed' })
    expect(Object.keys(view.document.nodes).sort()).toEqual(['keep', 'new-end', 'old-end', 'start'])
    expect(Object.values(view.edges).sort()).toEqual(['added', 'removed'])
    expect(view.diff.changed[0]?.changes[0]).toMatchObject({ path: 'config.outcome', before: 'a', after: 'b' })
  })
})
