import { beforeEach, describe, expect, it } from 'vitest'
import { validateFlow } from '@carepath/dsl'
import { registry } from '../registry.ts'
import { newFlowDocument } from '../screens/new-flow-template.ts'
import { useEditor } from './editor.store.ts'

const editor = () => useEditor.getState()

function connect(source: string, sourceHandle: string, target: string) {
  editor().connect({ source, sourceHandle, target, targetHandle: 'in' })
}

describe('editor store', () => {
  beforeEach(() =>
    editor().load(newFlowDocument('visit-confirmation', 'Visit confirmation', 'visit-scheduling'), 0, null),
  )

  it('builds a valid document from palette drops and port connections', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const end = editor().addNode('end', { x: 300, y: 0 })!
    connect(trigger, 'next', end)
    const document = editor().document()
    expect(document.start).toBe(trigger)
    expect(document.nodes[trigger]?.next).toEqual({ next: end })
    expect(document.layout?.[end]).toEqual({ x: 300, y: 0 })
    expect(validateFlow(document, registry).valid).toBe(true)
  })

  it('lets a port lead to one node: a new edge from the same port replaces the old one', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const a = editor().addNode('end', { x: 300, y: 0 })!
    const b = editor().addNode('end', { x: 300, y: 200 })!
    connect(trigger, 'next', a)
    connect(trigger, 'next', b)
    expect(editor().edges.map((e) => e.target)).toEqual([b])
  })

  it('undoes and redoes edits, and copy/paste gives fresh ids with the inner edges', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const end = editor().addNode('end', { x: 300, y: 0 })!
    connect(trigger, 'next', end)
    editor().undo()
    expect(editor().edges).toHaveLength(0)
    editor().redo()
    expect(editor().edges).toHaveLength(1)

    editor().onNodesChange(editor().nodes.map((n) => ({ type: 'select', id: n.id, selected: true })))
    editor().copySelected()
    editor().paste()
    const ids = editor().nodes.map((n) => n.id)
    expect(new Set(ids).size).toBe(4)
    expect(editor().edges).toHaveLength(2)
    const pastedEdge = editor().edges[1]!
    expect([pastedEdge.source, pastedEdge.target].some((id) => id === trigger || id === end)).toBe(false)
  })

  it('deleting a node removes its edges, and undo brings both back', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const end = editor().addNode('end', { x: 300, y: 0 })!
    connect(trigger, 'next', end)
    editor().selectOnly(end)
    editor().deleteSelected()
    expect(editor().nodes.map((n) => n.id)).toEqual([trigger])
    expect(editor().edges).toHaveLength(0)
    editor().undo()
    expect(editor().nodes).toHaveLength(2)
    expect(editor().edges).toHaveLength(1)
  })

  it('adds a step from a port: the node, its edge and its selection, undone in one step', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const old = editor().addNode('end', { x: 300, y: 0 })!
    connect(trigger, 'next', old)
    const before = editor().past.length
    const added = editor().addNodeFrom(trigger, 'next', 'decision.table', { x: 300, y: 150 })!
    expect(added).toBe('decision-table-1')
    expect(editor().past.length).toBe(before + 1)
    expect(editor().nodes.find((n) => n.id === added)?.position).toEqual({ x: 300, y: 150 })
    // The port leads to one step: the new one, in place of the old edge.
    expect(editor().edges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual([[trigger, 'next', added]])
    expect(
      editor()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual([added])
    expect(editor().document().nodes[trigger]?.next).toEqual({ next: added })

    editor().undo()
    expect(editor().nodes.map((n) => n.id)).toEqual([trigger, old])
    expect(editor().edges.map((e) => e.target)).toEqual([old])
  })

  it('adds no step from a port when nothing could lead into it or nothing may change', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const count = editor().past.length
    expect(editor().addNodeFrom(trigger, 'next', 'trigger.webhook', { x: 300, y: 0 })).toBeNull()
    expect(editor().addNodeFrom(trigger, 'next', 'no.such.type', { x: 300, y: 0 })).toBeNull()
    expect(editor().addNodeFrom('no-such-step', 'next', 'end', { x: 300, y: 0 })).toBeNull()
    editor().setReadOnly(true)
    expect(editor().addNodeFrom(trigger, 'next', 'end', { x: 300, y: 0 })).toBeNull()
    expect(editor().nodes).toHaveLength(1)
    expect(editor().edges).toHaveLength(0)
    expect(editor().past.length).toBe(count)
  })

  it('a read-only view keeps the edits in progress and gives them back', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const other = newFlowDocument('visit-confirmation', 'Older version', 'visit-scheduling')
    editor().enterView('rev 1', other, {}, {})
    expect(editor().readOnly).toBe(true)
    expect(editor().addNode('end', { x: 0, y: 0 })).toBeNull()
    expect(editor().editingDocument().nodes[trigger]).toBeDefined()
    editor().exitView()
    expect(editor().readOnly).toBe(false)
    expect(editor().nodes.map((n) => n.id)).toEqual([trigger])
    expect(editor().dirty).toBe(true)
  })
})
