import { beforeEach, describe, expect, it } from 'vitest'
import { newFlowDocument } from '../screens/new-flow-template.ts'
import { useEditor } from './editor.store.ts'
import { sameContent, subscribeToContent } from './same-content.ts'

const editor = () => useEditor.getState()

describe('sameContent', () => {
  beforeEach(() => editor().load(newFlowDocument('refill', 'Refill'), 0, null))

  it('holds across a move (positions only) and breaks on an edit, an added node or a new edge', () => {
    const trigger = editor().addNode('trigger.api', { x: 0, y: 0 })!
    const end = editor().addNode('end', { x: 300, y: 0 })!
    const before = editor()
    editor().onNodesChange([{ type: 'position', id: end, position: { x: 320, y: 40 }, dragging: true }])
    expect(editor().nodes).not.toBe(before.nodes)
    expect(sameContent(before, editor())).toBe(true)

    const moved = editor()
    editor().updateNode(end, { title: 'Refill sent' })
    expect(sameContent(moved, editor())).toBe(false)

    const edited = editor()
    editor().connect({ source: trigger, sourceHandle: 'next', target: end, targetHandle: 'in' })
    expect(sameContent(edited, editor())).toBe(false)

    const connected = editor()
    editor().addNode('end', { x: 600, y: 0 })
    expect(sameContent(connected, editor())).toBe(false)
  })

  it('tells a content subscriber of edits, not of moves', () => {
    const end = editor().addNode('end', { x: 300, y: 0 })!
    let calls = 0
    const unsubscribe = subscribeToContent(() => calls++)
    editor().onNodesChange([{ type: 'position', id: end, position: { x: 340, y: 20 }, dragging: true }])
    expect(calls).toBe(0)
    editor().updateNode(end, { title: 'Refill sent' })
    expect(calls).toBe(1)
    unsubscribe()
    editor().updateNode(end, { title: 'Refill done' })
    expect(calls).toBe(1)
  })
})
