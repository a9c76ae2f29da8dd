import { describe, expect, it } from 'vitest'
import { NodeError, type JsonValue } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { fhirRead, resourceIdOf } from './fhir-read.node.ts'

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  birthDate: '1984-07-02',
  name: [{ use: 'official', family: 'Kreiger', given: ['Clemente'] }],
}
const fhirAnswering = (answer: JsonValue) => ({ fhir: async () => answer })

describe('fhir.read', () => {
  it('reads by id from a bare id or a reference and keeps the whole resource', async () => {
    const ctx = createFakeContext({
      facts: { patient: { id: 'Patient/p1' } },
      connectors: fhirAnswering({ status: 200, resource: patient }),
    })
    const outcome = await fhirRead.execute(
      ctx,
      fhirRead.config.parse({ resourceType: 'Patient', idFrom: 'patient.id', into: 'record' }),
    )
    expect(ctx.calls[0]!.request).toEqual({ op: 'read', resourceType: 'Patient', id: 'p1' })
    expect(outcome).toEqual({ kind: 'next', port: 'found', set: { record: patient } })
    expect(resourceIdOf('Coverage/c1', 'Patient')).toBeUndefined()
  })

  it('extracts named facts with FHIRPath and declares exactly those writes', async () => {
    const config = fhirRead.config.parse({
      resourceType: 'Patient',
      idFrom: 'pid',
      into: 'patient',
      extract: {
        family: "name.where(use = 'official').family",
        birthDate: 'birthDate',
        phone: "telecom.where(system='phone').value",
      },
    })
    const ctx = createFakeContext({
      facts: { pid: 'p1' },
      connectors: fhirAnswering({ status: 200, resource: patient }),
    })
    expect(await fhirRead.execute(ctx, config)).toEqual({
      kind: 'next',
      port: 'found',
      set: { 'patient.family': 'Kreiger', 'patient.birthDate': '1984-07-02', 'patient.phone': null },
    })
    expect(fhirRead.writes(config)).toEqual(['patient.family', 'patient.birthDate', 'patient.phone'])
  })

  it('goes to notFound on 404 and to the error port with a plain message on 500 or a non-FHIR answer', async () => {
    const config = fhirRead.config.parse({ resourceType: 'Patient', idFrom: 'pid', into: 'patient' })
    const run = (answer: JsonValue) =>
      fhirRead.execute(createFakeContext({ facts: { pid: 'p1' }, connectors: fhirAnswering(answer) }), config)
    expect(await run({ status: 404, resource: { resourceType: 'OperationOutcome' } })).toEqual({
      kind: 'next',
      port: 'notFound',
    })
    await expect(run({ status: 500 })).rejects.toThrow('The FHIR server answered 500 to a Patient read.')
    await expect(run({ status: 200, resource: { resourceType: 'Coverage', id: 'x' } })).rejects.toThrow(
      'did not return a Patient',
    )
    await expect(run('<html>oops</html>')).rejects.toThrow('not a FHIR resource')
    await expect(run({ status: 200, resource: { id: 'x' } })).rejects.toBeInstanceOf(NodeError)
  })

  it('refuses a missing id without calling the server, and bad FHIRPath at check time', async () => {
    const ctx = createFakeContext({ facts: {}, connectors: fhirAnswering({ status: 200, resource: patient }) })
    await expect(
      fhirRead.execute(ctx, fhirRead.config.parse({ resourceType: 'Patient', idFrom: 'pid', into: 'p' })),
    ).rejects.toThrow('holds no Patient id')
    expect(ctx.calls).toHaveLength(0)
    const problems = fhirRead.check!(
      fhirRead.config.parse({ resourceType: 'Patient', idFrom: 'pid', into: 'p', extract: { x: 'name.(' } }),
      { factsSchema: { type: 'object' }, roles: {} },
    )
    expect(problems).toEqual([expect.objectContaining({ code: 'invalid-config', path: 'extract.x' })])
  })
})
