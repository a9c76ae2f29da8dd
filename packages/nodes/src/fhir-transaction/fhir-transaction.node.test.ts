import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { fhirTransaction } from './fhir-transaction.node.ts'
import { entryResults } from './bundle-entries.ts'

describe('fhir.transaction', () => {
  it('builds the Bundle entries (conditional create, versioned update, delete) from facts', async () => {
    const config = fhirTransaction.config.parse({
      entries: [
        {
          method: 'POST',
          resource: {
            resourceType: 'Task',
            status: 'requested',
            intent: 'order',
            for: { reference: { $fact: 'ref' } },
          },
          ifNoneExist: [{ name: 'identifier', valueFrom: 'key', prefix: 'urn:x|' }],
        },
        { method: 'PUT', resource: { resourceType: 'Patient', gender: 'male' }, idFrom: 'pid', versionFrom: 'v' },
        { method: 'DELETE', resourceType: 'Flag', idFrom: 'flag' },
      ],
      into: 'written',
    })
    const ctx = createFakeContext({
      facts: { ref: 'Patient/p1', key: 'k 1', pid: 'p1', v: '3', flag: 'f1' },
      connectors: { fhir: async () => ({ status: 412 }) },
    })
    expect(await fhirTransaction.execute(ctx, config)).toEqual({ kind: 'next', port: 'conflict' })
    expect(ctx.calls[0]!.request).toEqual({
      op: 'bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: 'Patient/p1' } },
          request: { method: 'POST', url: 'Task', ifNoneExist: 'identifier=urn%3Ax%7Ck+1' },
        },
        {
          resource: { resourceType: 'Patient', gender: 'male', id: 'p1' },
          request: { method: 'PUT', url: 'Patient/p1', ifMatch: 'W/"3"' },
        },
        { request: { method: 'DELETE', url: 'Flag/f1' } },
      ],
    })
    expect(fhirTransaction.reads(config)).toEqual(['ref', 'key', 'pid', 'v', 'flag'])
  })

  it('reads each entry status, id and version from the response, and nothing else', () => {
    expect(
      entryResults({
        entry: [
          { response: { status: '201 Created', location: 'Task/t1/_history/2' }, resource: { note: 'private' } },
          { response: { status: '200', etag: 'W/"5"', location: 'https://x/fhir/Patient/p1' } },
          { response: { status: '412' } },
        ],
      }),
    ).toEqual([{ status: 201, id: 't1', version: '2' }, { status: 200, id: 'p1', version: '5' }, { status: 412 }])
  })
})
