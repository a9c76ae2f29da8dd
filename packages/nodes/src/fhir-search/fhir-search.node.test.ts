import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { fhirSearch } from './fhir-search.node.ts'

const bundle = (...resources: JsonValue[]) => ({
  status: 200,
  resource: {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [
      ...resources.map((resource) => ({ resource, search: { mode: 'match' } })),
      { resource: { resourceType: 'Patient', id: 'included' }, search: { mode: 'include' } },
    ],
  },
})
const coverage = (id: string, status: string) => ({ resourceType: 'Coverage', id, status, subscriberId: `M-${id}` })

describe('fhir.search', () => {
  const config = fhirSearch.config.parse({
    resourceType: 'Coverage',
    params: [
      { name: 'beneficiary', valueFrom: 'patient.id', prefix: 'Patient/' },
      { name: 'status', value: 'active' },
    ],
    into: 'coverage',
    extract: { memberId: 'subscriberId', status: 'status' },
  })

  it('builds the query from facts and literals and extracts the first match', async () => {
    const ctx = createFakeContext({
      facts: { patient: { id: 'p1' } },
      connectors: { fhir: async () => bundle(coverage('c1', 'active'), coverage('c2', 'active')) },
    })
    expect(await fhirSearch.execute(ctx, config)).toEqual({
      kind: 'next',
      port: 'found',
      set: { 'coverage.memberId': 'M-c1', 'coverage.status': 'active' },
    })
    expect(ctx.calls[0]!.request).toEqual({
      op: 'search',
      resourceType: 'Coverage',
      params: [
        ['beneficiary', 'Patient/p1'],
        ['status', 'active'],
        ['_count', '20'],
      ],
    })
    expect(fhirSearch.reads(config)).toEqual(['patient.id'])
  })

  it('keeps every match in all mode and ignores included resources', async () => {
    const all = fhirSearch.config.parse({
      resourceType: 'Coverage',
      params: [{ name: 'status', value: 'active' }],
      mode: 'all',
      into: 'coverages',
      extract: { id: 'id' },
    })
    const ctx = createFakeContext({
      connectors: { fhir: async () => bundle(coverage('c1', 'active'), coverage('c2', 'active')) },
    })
    expect(await fhirSearch.execute(ctx, all)).toEqual({
      kind: 'next',
      port: 'found',
      set: { coverages: [{ id: 'c1' }, { id: 'c2' }] },
    })
    expect(fhirSearch.writes(all)).toEqual(['coverages'])
  })

  it('goes to notFound on an empty bundle and fails plainly on a non-Bundle answer', async () => {
    const ctx = () =>
      createFakeContext({ facts: { patient: { id: 'p1' } }, connectors: { fhir: async () => answers.shift()! } })
    const answers: JsonValue[] = [
      bundle(),
      { status: 200, resource: { resourceType: 'Patient', id: 'x' } },
      { status: 503 },
    ]
    expect(await fhirSearch.execute(ctx(), config)).toEqual({ kind: 'next', port: 'notFound' })
    await expect(fhirSearch.execute(ctx(), config)).rejects.toThrow('did not answer the search with a Bundle')
    await expect(fhirSearch.execute(ctx(), config)).rejects.toMatchObject({ options: { retryable: true } })
  })
})
