import { describe, expect, it } from 'vitest'
import type { FlowDocument } from './flow.schema.ts'
import { createFlowChecker } from './flow-checker.ts'
import { sampleFlow } from './testing/sample-flow.ts'
import { testRegistry } from './testing/test-registry.ts'
import { validateFlow } from './validate.ts'

/** A series of edits an analyst might make, each on the result of the one before. */
const edits: [string, (doc: FlowDocument) => void][] = [
  ['nothing changed', () => {}],
  ['a node moved', (doc) => (doc.layout!['check'] = { x: 250, y: 40 })],
  ['a threshold changed', (doc) => (doc.nodes['check']!.config['threshold'] = 50)],
  ['a config broken', (doc) => (doc.nodes['check']!.config['threshold'] = 'many')],
  ['a config fixed', (doc) => (doc.nodes['check']!.config['threshold'] = 75)],
  ['a port left unconnected', (doc) => delete doc.nodes['ask']!.next['done']],
  ['an unknown fact read', (doc) => (doc.nodes['check']!.config['fact'] = 'patient.weight')],
  [
    'the fact added to the facts schema',
    (doc) => (doc.facts.properties!['patient']!.properties!['weight'] = { type: 'number', 'x-phi': 'none' }),
  ],
  ['a role removed', (doc) => delete doc.roles['agent']],
  ['the role back with less access', (doc) => (doc.roles['agent'] = { phi: [] })],
  [
    'a node of an unknown type added',
    (doc) => (doc.nodes['mystery'] = { type: 'test.nothing', typeVersion: 1, config: {}, next: {} }),
  ],
  ['a node with a bad id', (doc) => (doc.nodes['9bad'] = { type: 'test.end', typeVersion: 1, config: {}, next: {} })],
  ['the odd nodes removed', (doc) => (delete doc.nodes['mystery'], delete doc.nodes['9bad'])],
  ['the start node removed', (doc) => delete doc.nodes['intake']],
  ['a node of the wrong shape', (doc) => Object.assign(doc.nodes['done']!, { colour: 'red' })],
  ['the shape fixed', (doc) => delete (doc.nodes['done'] as Record<string, unknown>)['colour']],
  ['a document field of the wrong shape', (doc) => (doc.version = 0)],
  ['the version fixed', (doc) => (doc.version = 2)],
  ['a node id reused as the start', (doc) => (doc.start = 'check')],
  [
    'a node at an older typeVersion (upgraded first)',
    (doc) => (doc.nodes['old'] = { type: 'test.legacy', typeVersion: 1, config: { limit: 3 }, next: {} }),
  ],
  ['the old node removed', (doc) => delete doc.nodes['old']],
]

describe('createFlowChecker', () => {
  it('finds what validateFlow finds, byte for byte, through a series of edits', () => {
    const checker = createFlowChecker(testRegistry)
    const doc = sampleFlow()
    for (const [what, edit] of edits) {
      edit(doc)
      const expected = JSON.stringify(validateFlow(structuredClone(doc), testRegistry))
      expect(JSON.stringify(checker.check(structuredClone(doc))), what).toBe(expected)
    }
  })

  it('re-checks only the nodes an edit changed while the facts and roles stay the same', () => {
    const checker = createFlowChecker(testRegistry)
    const doc = sampleFlow()
    const first = checker.check(structuredClone(doc)).document!
    doc.nodes['check']!.config['threshold'] = 20
    const second = checker.check(structuredClone(doc)).document!
    expect(second.nodes['ask']).toBe(first.nodes['ask'])
    expect(second.nodes['check']).not.toBe(first.nodes['check'])
    expect(second.nodes['check']!.config['threshold']).toBe(20)
    doc.roles['agent'] = { phi: [] }
    const third = checker.check(structuredClone(doc)).document!
    expect(third.nodes['ask']).not.toBe(second.nodes['ask'])
  })

  it('sends what it cannot take the quick way through validateFlow (not an object, another format)', () => {
    const checker = createFlowChecker(testRegistry)
    for (const raw of [null, [], 'flow', { ...sampleFlow(), dsl: 'carepath.flow/9' }, { ...sampleFlow(), nodes: [] }]) {
      expect(JSON.stringify(checker.check(raw))).toBe(JSON.stringify(validateFlow(raw, testRegistry)))
    }
  })
})
