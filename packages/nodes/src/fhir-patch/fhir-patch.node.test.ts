import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { fhirPatch } from './fhir-patch.node.ts'

describe('fhir.patch', () => {
  const config = fhirPatch.config.parse({
    resourceType: 'Task',
    idFrom: 'task.id',
    operations: [
      { op: 'replace', path: '/status', value: { $fact: 'outcome' } },
      { op: 'remove', path: '/note' },
    ],
    versionFrom: 'task.version',
  })

  it('fills values from facts, sends the version, and routes 409/412 to conflict', async () => {
    const ctx = createFakeContext({
      facts: { task: { id: 't1', version: '7' }, outcome: 'completed' },
      connectors: { fhir: async () => ({ status: 409 }) },
    })
    expect(await fhirPatch.execute(ctx, config)).toEqual({ kind: 'next', port: 'conflict' })
    expect(ctx.calls[0]!.request).toEqual({
      op: 'patch',
      resourceType: 'Task',
      id: 't1',
      patch: [
        { op: 'replace', path: '/status', value: 'completed' },
        { op: 'remove', path: '/note' },
      ],
      ifMatch: '7',
    })
    expect(fhirPatch.reads(config)).toEqual(['task.id', 'outcome', 'task.version'])
  })

  it('refuses a value whose fact is absent without calling the server, and a path that is not a pointer', async () => {
    const ctx = createFakeContext({ facts: { task: { id: 't1', version: '7' } }, connectors: {} })
    await expect(fhirPatch.execute(ctx, config)).rejects.toThrow('Patch operation 1 (/status) has no value')
    expect(ctx.calls).toHaveLength(0)
    expect(
      fhirPatch.config.safeParse({ resourceType: 'Task', idFrom: 'a', operations: [{ op: 'remove', path: 'status' }] })
        .success,
    ).toBe(false)
  })
})
