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
