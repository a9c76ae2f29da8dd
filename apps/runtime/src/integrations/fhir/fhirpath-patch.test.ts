// FHIRPath Patch: the operations of the specification on plain resources, then fhir.patch with
// FHIRPath operations against the real FHIR server (Medplum's router on loopback), including a
// change made by someone else that goes to `conflict` with nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fhirPatch, fromFhirPathPatch, toFhirPathPatch, type FhirPathOperation } from '@carepath/nodes'
import { startFhirTestServer, type FhirTestServer } from '../testing/fhir-test-server.ts'
import { runNode } from '../testing/node-harness.ts'
import { TEST_CONNECTOR_TIMEOUT_MS } from '../../testing/wait-until.ts'
import { createFhirAdapter } from './fhir.adapter.ts'
import { applyFhirPathPatch } from './fhirpath-patch.apply.ts'

/** The appointment as the server holds it now (the fields these tests look at). */
const storedSchema = z.looseObject({
  comment: z.string().optional(),
  status: z.string(),
  meta: z.object({ versionId: z.string() }),
})

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  active: true,
  birthDate: '1970-01-01',
  name: [{ family: 'Synthetic', given: ['Ann', 'Bea'] }],
  identifier: [
    { system: 'urn:mrn', value: 'M-1' },
    { system: 'urn:member', value: 'X-9' },
  ],
}

function patched(operations: FhirPathOperation[]) {
  // Through the wire format and back, as the adapter receives it.
  const decoded = fromFhirPathPatch(JSON.parse(JSON.stringify(toFhirPathPatch(operations))))
  if ('problem' in decoded) throw new Error(decoded.problem)
  return applyFhirPathPatch(patient, decoded.operations)
}

describe('FHIRPath Patch operations', () => {
  it('adds, inserts, deletes, replaces and moves, and leaves the input alone', () => {
    const result = patched([
      { type: 'add', path: 'Patient', name: 'gender', value: 'female' },
      { type: 'add', path: 'Patient', name: 'telecom', value: { system: 'phone', value: '555-0100' } },
      { type: 'insert', path: 'Patient.name[0].given', index: 0, value: 'Zoe' },
      { type: 'delete', path: 'Patient.active' },
      { type: 'delete', path: 'Patient.deceasedBoolean' },
      { type: 'replace', path: 'Patient.birthDate', value: '1971-02-03' },
      {
        type: 'replace',
        path: "Patient.identifier.where(system='urn:member')",
        value: { system: 'urn:member', value: 'Y-1' },
      },
      { type: 'move', path: 'Patient.identifier', source: 1, destination: 0 },
    ])
    expect(result).toEqual({
      resource: {
        resourceType: 'Patient',
        id: 'p1',
        birthDate: '1971-02-03',
        gender: 'female',
        // telecom repeats (0..*), so add makes a list; gender does not.
        telecom: [{ system: 'phone', value: '555-0100' }],
        name: [{ family: 'Synthetic', given: ['Zoe', 'Ann', 'Bea'] }],
        identifier: [
          { system: 'urn:member', value: 'Y-1' },
          { system: 'urn:mrn', value: 'M-1' },
        ],
      },
    })
    expect(patient.active).toBe(true)
  })

  it('refuses what the specification refuses, naming the operation and never a value', () => {
    expect(patched([{ type: 'replace', path: 'Patient.gender', value: 'x' }])).toEqual({
      problem:
        'Patch operation 1 (replace) cannot be applied: the path Patient.gender must select exactly one element to replace.',
    })
    expect(patched([{ type: 'add', path: 'Patient', name: 'birthDate', value: '2000-01-01' }])).toMatchObject({
      problem: expect.stringContaining('Patient.birthDate already has a value'),
    })
    expect(patched([{ type: 'delete', path: 'Patient.identifier' }])).toMatchObject({
      problem: expect.stringContaining('selects more than one element'),
    })
    expect(patched([{ type: 'insert', path: 'Patient.identifier', index: 5, value: {} }])).toMatchObject({
      problem: expect.stringContaining('past the end'),
    })
    expect(fromFhirPathPatch({ resourceType: 'Parameters', parameter: [{ name: 'operation', part: [] }] })).toEqual({
      problem: 'Patch operation 1 is incomplete or of an unknown type.',
    })
  })
})

describe('fhir.patch with FHIRPath Patch on a real FHIR server', () => {
  let server: FhirTestServer
  beforeAll(async () => {
    server = await startFhirTestServer()
  })
  afterAll(() => server.close())
  const connectors = () => ({
    fhir: createFhirAdapter({ baseUrl: server.baseUrl, headers: {}, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS }),
  })

  it('patches guarded by the version read, and a change made since goes to conflict unapplied', async () => {
    const created = await server.post('/Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      start: '2026-12-01T09:00:00Z',
      end: '2026-12-01T09:30:00Z',
      comment: 'before the call',
      participant: [{ status: 'accepted', actor: { display: 'Clinic' } }],
    })
    expect(created.status).toBe(201)
    const id: string = created.body.id
    const config = {
      resourceType: 'Appointment',
      idFrom: 'appointment.id',
      versionFrom: 'appointment.version',
      versionInto: 'appointment.version',
      fhirPathOperations: [
        { type: 'delete', path: 'Appointment.comment' },
        { type: 'add', path: 'Appointment', name: 'comment', value: { $fact: 'call.outcome' } },
      ] satisfies FhirPathOperation[],
    }
    const facts = {
      appointment: { id, version: created.body.meta.versionId },
      call: { outcome: 'Eligibility: self-pay' },
    }
    const done = await runNode(fhirPatch, config, { facts, connectors: connectors() })
    expect(done.error?.message).toBeUndefined()
    expect(done.outcome).toMatchObject({ port: 'patched', set: { 'appointment.version': expect.any(String) } })
    const after = storedSchema.parse(await (await fetch(`${server.baseUrl}/Appointment/${id}`)).json())
    expect(after.comment).toBe('Eligibility: self-pay')
    expect(after.status).toBe('booked')

    // Someone else changes the appointment; the flow still holds the first version.
    const changed = await fetch(`${server.baseUrl}/Appointment/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...after, status: 'arrived' }),
    })
    expect(changed.status).toBe(200)
    const stale = await runNode(fhirPatch, config, {
      facts: { ...facts, call: { outcome: 'Eligibility: reschedule' } },
      connectors: connectors(),
    })
    expect(stale.outcome).toMatchObject({ port: 'conflict' })
    const final = storedSchema.parse(await (await fetch(`${server.baseUrl}/Appointment/${id}`)).json())
    expect([final.comment, final.status]).toEqual(['Eligibility: self-pay', 'arrived'])
  })

  it('sends an operation that cannot apply to the node as a refusal, with nothing written', async () => {
    const created = await server.post('/Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      start: '2026-12-01T09:00:00Z',
      end: '2026-12-01T09:30:00Z',
      participant: [{ status: 'accepted', actor: { display: 'Clinic' } }],
    })
    const id: string = created.body.id
    const result = await runNode(
      fhirPatch,
      {
        resourceType: 'Appointment',
        idFrom: 'id',
        fhirPathOperations: [{ type: 'replace', path: 'Appointment.comment', value: 'x' }],
      },
      { facts: { id }, connectors: connectors() },
    )
    expect(result.error?.message).toBe('The FHIR server refused the patch of the Appointment.')
    const after = storedSchema.parse(await (await fetch(`${server.baseUrl}/Appointment/${id}`)).json())
    expect(after.meta.versionId).toBe(created.body.meta.versionId)
  })
})
