import { describe, expect, it } from 'vitest'
import type { DocumentNodes } from '@carepath/dsl'
import { stepLabels } from './step-labels.ts'

const node = (type: string, title?: string) => ({
  type,
  typeVersion: 1,
  config: {},
  next: {},
  ...(title ? { title } : {}),
})

describe('step labels in a list of steps', () => {
  it('names steps by title, untitled ones by type and number, never by id', () => {
    const document: DocumentNodes = {
      nodes: {
        'decision-rules-1': node('decision.rules', 'Copay above $50?'),
        'end-1': node('end'),
        'notify-2': node('notify'),
      },
    }
    const labels = stepLabels(document, ['decision-rules-1', 'end-1', 'notify-2'])
    expect([...labels.values()]).toEqual(['Copay above $50?', 'End 1', 'Notify 2'])
  })

  it('tells apart two steps with the same title by their type and number', () => {
    const document: DocumentNodes = {
      nodes: {
        'notify-1': node('notify', 'Send reminder'),
        'notify-2': node('notify', 'Send reminder'),
        'end-1': node('end', 'Send reminder'),
        'end-2': node('end', 'Done'),
      },
    }
    const labels = stepLabels(document, ['notify-1', 'notify-2', 'end-1', 'end-2'])
    expect([...labels.values()]).toEqual([
      'Send reminder — Notify 1',
      'Send reminder — Notify 2',
      'Send reminder — End 1',
      'Done',
    ])
    expect(new Set(labels.values()).size).toBe(4)
  })

  it('keeps labels unique when two untitled steps come to the same type and number', () => {
    // `notify-2` is numbered by its id; `reminder` is the second notify step in the flow.
    const document: DocumentNodes = { nodes: { 'notify-2': node('notify'), reminder: node('notify') } }
    const labels = stepLabels(document, ['notify-2', 'reminder'])
    expect([...labels.values()]).toEqual(['Notify 2', 'Notify 2 (2)'])
  })
})
