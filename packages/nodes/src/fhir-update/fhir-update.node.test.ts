import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { fhirUpdate } from './fhir-update.node.ts'

const env = { factsSchema: { type: 'object' as const }, roles: {} }

describe('fhir.update', () => {
  it('sends the version the flow read as ifMatch and routes 412 to conflict', async () => {
    const config = fhirUpdate.config.parse({
      resourceType: 'Task',
      resource: { resourceType: 'Task', status: 'completed', intent: 'order' },
      idFrom: 'task.id',
      versionFrom: 'task.version',
    })
    const ctx = createFakeContext({
      facts: { task: { id: 'Task/t1', version: 'W/"4"' } },
      connectors: { fhir: async () => ({ status: 412, resource: { resourceType: 'OperationOutcome' } }) },
    })
    expect(await fhirUpdate.execute(ctx, config)).toEqual({ kind: 'next', port: 'conflict' })
    expect(ctx.calls[0]!.request).toEqual({
      op: 'update',
      resource: { resourceType: 'Task', status: 'completed', intent: 'order', id: 't1' },
      ifMatch: '4',
    })
    expect(
      fhirUpdate
        .ports(config)
        .filter((p) => p.required)
        .map((p) => p.name),
    ).toEqual(['updated', 'conflict'])
  })

  it('asks for exactly one of idFrom and match', () => {
    const both = fhirUpdate.config.parse({
      resourceType: 'Task',
      resource: { resourceType: 'Task' },
      idFrom: 'a',
      match: [{ name: 'identifier', value: 'x' }],
    })
    expect(fhirUpdate.check!(both, env)).toEqual([expect.objectContaining({ path: 'idFrom' })])
    const neither = fhirUpdate.config.parse({ resourceType: 'Task', resource: { resourceType: 'Patient' } })
    expect(fhirUpdate.check!(neither, env)).toHaveLength(2)
  })
})
