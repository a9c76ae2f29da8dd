import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { fhirCreate, templateFacts } from './fhir-create.node.ts'

const config = fhirCreate.config.parse({
  resourceType: 'Task',
  resource: {
    resourceType: 'Task',
    id: 'ignored',
    status: 'requested',
    intent: 'order',
    for: { reference: { $fact: 'patient.ref' } },
    note: [{ text: { $fact: 'task.note' } }],
    description: { $fact: 'absent.fact' },
  },
  idInto: 'task.id',
})

describe('fhir.create', () => {
  it('fills {$fact} values (dropping absent ones), lets the server assign the id, and stores it', async () => {
    const ctx = createFakeContext({
      facts: { patient: { ref: 'Patient/p1' }, task: { note: 'call back' } },
      connectors: {
        fhir: async (request) => ({
          status: 201,
          resource: { ...(request as { resource: Record<string, JsonValue> }).resource, id: 't9' },
        }),
      },
    })
    expect(await fhirCreate.execute(ctx, config)).toEqual({ kind: 'next', port: 'created', set: { 'task.id': 't9' } })
    expect(ctx.calls[0]!.request).toEqual({
      op: 'create',
      resource: {
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        for: { reference: 'Patient/p1' },
        note: [{ text: 'call back' }],
      },
    })
    expect(templateFacts(config.resource)).toEqual(['patient.ref', 'task.note', 'absent.fact'])
  })

  it('reports a template of the wrong type and an invalid resource refused by the server', async () => {
    const wrong = fhirCreate.config.parse({ resourceType: 'Task', resource: { resourceType: 'Patient' } })
    expect(fhirCreate.check!(wrong, { factsSchema: { type: 'object' }, roles: {} })).toHaveLength(1)
    const ctx = createFakeContext({
      facts: {},
      connectors: { fhir: async () => ({ status: 400, resource: { resourceType: 'OperationOutcome' } }) },
    })
    await expect(fhirCreate.execute(ctx, config)).rejects.toThrow('refused the new Task as invalid')
  })
})
