// The FHIR write nodes against a real FHIR server (Medplum's router on loopback): versions are
// the server's, conflicts are the server's 412s, transactions are applied all or nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { JsonValue, NodeOutcome } from '@carepath/dsl'
import { fhirCreate, fhirPatch, fhirRead, fhirTransaction, fhirUpdate } from '@carepath/nodes'
import { startFhirTestServer, type FhirTestServer } from '../testing/fhir-test-server.ts'
import { runNode } from '../testing/node-harness.ts'
import { TEST_CONNECTOR_TIMEOUT_MS } from '../../testing/wait-until.ts'
import { createFhirAdapter } from './fhir.adapter.ts'

let server: FhirTestServer
beforeAll(async () => {
  server = await startFhirTestServer()
})
afterAll(() => server.close())

const fhir = () => ({
  fhir: createFhirAdapter({ baseUrl: server.baseUrl, headers: {}, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS }),
})
const MRN = 'urn:oid:1.2.3|'

/** The facts a node set, failing the test when it set none. */
function setOf(result: { outcome?: NodeOutcome | undefined }): Record<string, JsonValue> {
  const outcome = result.outcome
  if (outcome?.kind !== 'next' || !outcome.set) throw new Error(`The node set no facts: ${JSON.stringify(outcome)}`)
  return outcome.set
}

async function newPatient(mrn: string): Promise<{ id: string; version: string }> {
  const created = await runNode(
    fhirCreate,
    {
      resourceType: 'Patient',
      resource: { resourceType: 'Patient', gender: 'female', identifier: [{ system: 'urn:oid:1.2.3', value: mrn }] },
      idInto: 'id',
    },
    { connectors: fhir() },
  )
  const id = String(setOf(created)['id'])
  return { id, version: await versionOf('Patient', id) }
}

async function versionOf(resourceType: string, id: string): Promise<string> {
  const read = await runNode(
    fhirRead,
    { resourceType, idFrom: 'id', into: 'r', extract: { version: 'meta.versionId' } },
    { facts: { id }, connectors: fhir() },
  )
  return String(setOf(read)['r.version'])
}

async function current(resourceType: string, id: string): Promise<JsonValue | undefined> {
  const read = await runNode(fhirRead, { resourceType, idFrom: 'id', into: 'r' }, { facts: { id }, connectors: fhir() })
  return setOf(read)['r']
}

describe('fhir.update', () => {
  it('replaces a resource when its version is the one the flow read, and routes a stale version to conflict', async () => {
    const patient = await newPatient('u-1')
    const config = {
      resourceType: 'Patient',
      resource: {
        resourceType: 'Patient',
        gender: { $fact: 'gender' },
        identifier: [{ system: 'urn:oid:1.2.3', value: 'u-1' }],
      },
      idFrom: 'patient.id',
      versionFrom: 'patient.version',
      versionInto: 'patient.newVersion',
    }
    const first = await runNode(fhirUpdate, config, {
      facts: { patient: { id: `Patient/${patient.id}`, version: `W/"${patient.version}"` }, gender: 'male' },
      connectors: fhir(),
    })
    expect(first.error?.message).toBeUndefined()
    const newVersion = await versionOf('Patient', patient.id)
    expect(first.outcome).toEqual({ kind: 'next', port: 'updated', set: { 'patient.newVersion': newVersion } })
    expect(newVersion).not.toBe(patient.version)

    // A second writer still holding the first version loses: 412 → conflict, nothing written.
    const stale = await runNode(fhirUpdate, config, {
      facts: { patient: { id: patient.id, version: patient.version }, gender: 'other' },
      connectors: fhir(),
    })
    expect(stale.outcome).toEqual({ kind: 'next', port: 'conflict' })
    expect(stale.calls[0]!.response).toMatchObject({ status: 412 })
    expect(await current('Patient', patient.id)).toMatchObject({ gender: 'male', meta: { versionId: newVersion } })
  })

  it('updates conditionally: creates when nothing matches, then replaces the one match', async () => {
    const config = {
      resourceType: 'Patient',
      resource: {
        resourceType: 'Patient',
        birthDate: { $fact: 'birthDate' },
        identifier: [{ system: 'urn:oid:1.2.3', value: 'c-1' }],
      },
      match: [{ name: 'identifier', value: `${MRN}c-1` }],
      idInto: 'id',
    }
    const created = await runNode(fhirUpdate, config, { facts: { birthDate: '1990-01-01' }, connectors: fhir() })
    expect(created.outcome).toMatchObject({ port: 'created', set: { id: expect.any(String) } })
    const id = String(setOf(created)['id'])
    const updated = await runNode(fhirUpdate, config, { facts: { birthDate: '1990-02-02' }, connectors: fhir() })
    expect(updated.outcome).toEqual({ kind: 'next', port: 'updated', set: { id } })
    expect(await current('Patient', id)).toMatchObject({ birthDate: '1990-02-02' })
  })

  it('refuses an invalid resource without sending it and needs a version when it checks one', async () => {
    const patient = await newPatient('u-2')
    const before = server.requests.length
    const invalid = await runNode(
      fhirUpdate,
      { resourceType: 'Patient', resource: { resourceType: 'Patient', birthDate: 'yesterday' }, idFrom: 'id' },
      { facts: { id: patient.id }, connectors: fhir() },
    )
    expect(invalid.error?.message).toBe('The FHIR server refused the updated Patient as invalid.')
    const unversioned = await runNode(
      fhirUpdate,
      { resourceType: 'Patient', resource: { resourceType: 'Patient' }, idFrom: 'id', versionFrom: 'v' },
      { facts: { id: patient.id }, connectors: fhir() },
    )
    expect(unversioned.error?.message).toBe('The fact v holds no resource version to check against.')
    expect(server.requests.length).toBe(before)
  })
})

describe('fhir.patch', () => {
  it('patches with JSON Patch guarded by the version, and a stale patch goes to conflict unapplied', async () => {
    const patient = await newPatient('p-1')
    const config = {
      resourceType: 'Patient',
      idFrom: 'pid',
      operations: [
        { op: 'replace', path: '/gender', value: 'male' },
        { op: 'add', path: '/birthDate', value: { $fact: 'dob' } },
      ],
      versionFrom: 'version',
      versionInto: 'newVersion',
    }
    const patched = await runNode(fhirPatch, config, {
      facts: { pid: patient.id, version: patient.version, dob: '1970-05-05' },
      connectors: fhir(),
    })
    expect(patched.error?.message).toBeUndefined()
    expect(patched.outcome).toMatchObject({ port: 'patched', set: { newVersion: expect.any(String) } })
    expect(await current('Patient', patient.id)).toMatchObject({ gender: 'male', birthDate: '1970-05-05' })

    const stale = await runNode(fhirPatch, config, {
      facts: { pid: patient.id, version: patient.version, dob: '1999-09-09' },
      connectors: fhir(),
    })
    expect(stale.outcome).toEqual({ kind: 'next', port: 'conflict' })
    expect(await current('Patient', patient.id)).toMatchObject({ birthDate: '1970-05-05' })

    const missing = await runNode(
      fhirPatch,
      { ...config, versionFrom: undefined },
      {
        facts: { pid: 'no-such-patient', dob: '1999-09-09' },
        connectors: fhir(),
      },
    )
    expect(missing.outcome).toEqual({ kind: 'next', port: 'notFound' })
  })
})

describe('fhir.create with If-None-Exist', () => {
  it('creates once and then finds the existing resource instead of a duplicate', async () => {
    const config = {
      resourceType: 'Patient',
      resource: { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.3', value: { $fact: 'mrn' } }] },
      ifNoneExist: [{ name: 'identifier', valueFrom: 'mrn', prefix: MRN }],
      idInto: 'id',
    }
    const first = await runNode(fhirCreate, config, { facts: { mrn: 'cc-1' }, connectors: fhir() })
    const second = await runNode(fhirCreate, config, { facts: { mrn: 'cc-1' }, connectors: fhir() })
    expect(first.outcome).toMatchObject({ port: 'created' })
    expect(second.outcome).toEqual({ kind: 'next', port: 'exists', set: setOf(first) })
  })
})

describe('fhir.transaction', () => {
  const taskFor = (uuid: string) => ({
    method: 'POST',
    resource: { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: uuid } },
  })
  const uuid = 'urn:uuid:6f1c1a52-8f0e-4c1e-9a44-0d1a0e4b7c11'

  it('commits entries that reference each other, and a stale entry rolls the whole transaction back', async () => {
    const done = await runNode(
      fhirTransaction,
      {
        entries: [
          { method: 'POST', fullUrl: uuid, resource: { resourceType: 'Patient', gender: 'male' } },
          taskFor(uuid),
        ],
        into: 'written',
      },
      { connectors: fhir() },
    )
    expect(done.error?.message).toBeUndefined()
    const written = z.array(z.object({ status: z.number(), id: z.string() })).parse(setOf(done)['written'])
    expect(done.outcome).toMatchObject({ port: 'done' })
    expect(written.map((entry) => entry.status)).toEqual([201, 201])
    expect(await current('Task', written[1]!.id)).toMatchObject({ for: { reference: `Patient/${written[0]!.id}` } })

    const patient = await newPatient('t-1')
    await runNode(
      fhirPatch,
      { resourceType: 'Patient', idFrom: 'id', operations: [{ op: 'add', path: '/gender', value: 'male' }] },
      {
        facts: { id: patient.id },
        connectors: fhir(),
      },
    )
    const tasksBefore = await server.repo.searchResources({ resourceType: 'Task' })
    const conflict = await runNode(
      fhirTransaction,
      {
        entries: [
          taskFor(`Patient/${patient.id}`),
          {
            method: 'PUT',
            resource: { resourceType: 'Patient', gender: 'other' },
            idFrom: 'pid',
            versionFrom: 'version',
          },
        ],
      },
      { facts: { pid: patient.id, version: patient.version }, connectors: fhir() },
    )
    expect(conflict.outcome).toEqual({ kind: 'next', port: 'conflict' })
    expect(await server.repo.searchResources({ resourceType: 'Task' })).toHaveLength(tasksBefore.length)
    expect(await current('Patient', patient.id)).toMatchObject({ gender: 'male' })
  })

  it('applies a batch entry by entry and routes a partly failed one to partial with each status', async () => {
    const patient = await newPatient('b-1')
    const batch = await runNode(
      fhirTransaction,
      {
        type: 'batch',
        entries: [
          taskFor(`Patient/${patient.id}`),
          {
            method: 'PUT',
            resource: { resourceType: 'Patient', gender: 'other' },
            idFrom: 'pid',
            versionFrom: 'version',
          },
        ],
        into: 'written',
      },
      { facts: { pid: patient.id, version: 'not-the-version' }, connectors: fhir() },
    )
    expect(batch.outcome).toMatchObject({
      port: 'partial',
      set: { written: [{ status: 201, id: expect.any(String) }, { status: 412 }] },
    })
  })
})
