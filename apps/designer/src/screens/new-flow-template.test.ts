import { describe, expect, it } from 'vitest'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { validateFlow } from '@carepath/dsl'
import { FLOW_TEMPLATES, newFlowDocument } from './new-flow-template.ts'

const { registry } = composeCatalog([builtinPlugin])

describe('new flow templates', () => {
  it('offers blank first, so it stays the default', () => {
    expect(FLOW_TEMPLATES[0].id).toBe('blank')
    const blank = newFlowDocument('refill', 'Refill')
    expect(blank.nodes).toEqual({})
    expect(blank.facts).toEqual({ type: 'object', properties: {} })
  })

  it('starts an integration intake from the shipped example, under the new flow’s id and title, and valid', () => {
    expect(FLOW_TEMPLATES.map((t) => t.id)).toContain('integration-intake')
    const intake = newFlowDocument('lab-interface-intake', 'Lab interface intake', 'integration-intake')
    expect(intake).toMatchObject({ id: 'lab-interface-intake', title: 'Lab interface intake', version: 1 })
    expect(intake.start).toBe('requested')
    expect(Object.values(intake.nodes).map((n) => n.title)).toEqual(
      expect.arrayContaining(['Compliance sign-off', 'Security sign-off', 'Test evidence', 'Go-live approval']),
    )
    expect(validateFlow(intake, registry).problems).toEqual([])
  })

  it('gives each new flow its own copy: editing one does not change the next', () => {
    const first = newFlowDocument('a', 'A', 'integration-intake')
    delete first.nodes['live']
    expect(newFlowDocument('b', 'B', 'integration-intake').nodes['live']).toBeDefined()
  })
})
