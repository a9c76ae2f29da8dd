import { describe, expect, it } from 'vitest'
import { diffFlows, diffValues, isEmptyDiff, summarizeDiff } from './diff.ts'
import { sampleFlow } from './testing/sample-flow.ts'

type Doc = ReturnType<typeof sampleFlow>
const after = (change: (doc: Doc) => void) => {
  const doc = sampleFlow()
  change(doc)
  return diffFlows(sampleFlow(), doc)
}

const rules = (...ids: string[]) =>
  ids.map((id) => ({
    id,
    conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: id.length * 100 }] },
    event: { type: id },
  }))

describe('diffFlows', () => {
  it('layout-only and revision-only changes give an empty diff', () => {
    const diff = after((d) => {
      d.layout = { intake: { x: 50, y: 50 } }
      d.version = 2
    })
    expect(isEmptyDiff(diff)).toBe(true)
    expect(summarizeDiff(diff)).toEqual([])
  })

  it('a renamed node is a field change of that node, not a rewire', () => {
    const diff = after((d) => (d.nodes['check']!.title = 'Check the balance'))
    expect(diff.changed).toEqual([
      {
        nodeId: 'check',
        type: 'test.decide',
        title: 'Check the balance',
        changes: [{ path: 'title', kind: 'changed', before: 'Check amount', after: 'Check the balance' }],
      },
    ])
    expect(diff.edges).toEqual({ added: [], removed: [] })
  })

  it('reports a changed threshold down to the config field', () => {
    const diff = after((d) => (d.nodes['check']!.config['threshold'] = 250))
    expect(diff.changed[0]?.changes).toEqual([{ path: 'config.threshold', kind: 'changed', before: 100, after: 250 }])
    expect(summarizeDiff(diff)).toEqual(['Node "check": config.threshold changed from 100 to 250.'])
  })

  it('nodes and edges added and removed, keyed by id; a moved port reads as one rewire', () => {
    const diff = after((d) => {
      delete d.nodes['ask']
      d.nodes['check']!.next['high'] = 'review'
      d.nodes['review'] = { type: 'test.ask', typeVersion: 1, config: { role: 'billing' }, next: { done: 'done' } }
    })
    expect(diff.added.map((n) => n.nodeId)).toEqual(['review'])
    expect(diff.removed.map((n) => n.nodeId)).toEqual(['ask'])
    expect(diff.edges.added.map((e) => e.id)).toEqual(['check:high->review', 'review:done->done'])
    expect(diff.edges.removed.map((e) => e.id)).toEqual(['ask:done->done', 'check:high->ask'])
    expect(summarizeDiff(diff)).toContain('The "high" port of "check" now leads to "review" instead of "ask".')
    expect(summarizeDiff(diff)).toContain('Disconnected the "done" port of "ask" from "done".')
  })

  it('matches rules by id, so a reorder is one change and an edited condition is named precisely', () => {
    const before = sampleFlow()
    before.nodes['check']!.config['rules'] = rules('alpha', 'beta', 'gamma')
    const changed = sampleFlow()
    const reordered = rules('gamma', 'alpha', 'beta')
    reordered[1]!.conditions.all[0]!.value = 999
    changed.nodes['check']!.config['rules'] = reordered
    const diff = diffFlows(before, changed)
    expect(diff.changed[0]?.changes).toEqual([
      {
        path: 'config.rules',
        kind: 'reordered',
        before: ['alpha', 'beta', 'gamma'],
        after: ['gamma', 'alpha', 'beta'],
      },
      { path: 'config.rules.alpha.conditions.all.0.value', kind: 'changed', before: 500, after: 999 },
    ])
  })

  it('arrays without ids are compared by index (table rows and cells)', () => {
    const rows = (v: number) => [{ cells: ['a', 1] }, { cells: ['b', v] }]
    expect(diffValues({ rows: rows(2) }, { rows: rows(3) }, 'config')).toEqual([
      { path: 'config.rows.1.cells.1', kind: 'changed', before: 2, after: 3 },
    ])
    expect(diffValues([1], [1, 2], 'list')).toEqual([{ path: 'list.1', kind: 'added', after: 2 }])
  })

  it('arrays of objects with a unique name are matched by name', () => {
    const fields = [
      { name: 'phone', label: 'Phone' },
      { name: 'email', label: 'Email' },
    ]
    const changes = diffValues(fields, [{ name: 'email', label: 'E-mail' }], 'config.fields')
    expect(changes).toEqual([
      { path: 'config.fields.phone', kind: 'removed', before: { name: 'phone', label: 'Phone' } },
      { path: 'config.fields.email.label', kind: 'changed', before: 'Email', after: 'E-mail' },
    ])
  })

  it('flow-level fields: start, facts schema and roles', () => {
    const diff = after((d) => {
      d.start = 'check'
      d.roles['agent']!.phi = ['demographic', 'contact']
    })
    expect(diff.flow).toEqual([
      { path: 'start', kind: 'changed', before: 'intake', after: 'check' },
      { path: 'roles.agent.phi.1', kind: 'added', after: 'contact' },
    ])
    expect(summarizeDiff(diff)[0]).toBe('Flow: start changed from "intake" to "check".')
  })
})
