// The Synthea record (Clemente Kreiger; provenance in fixtures/THIRD_PARTY.md) that the FHIR
// adapter tests and the eligibility-flow integration test both load into a FHIR test server,
// so the fixture, the load and reading back the patient's server id are written once.
import { readFileSync } from 'node:fs'
import type { FhirTestServer } from './fhir-test-server.ts'

/** The patient's Synthea id, which the bundle also carries as his MRN identifier. */
export const SYNTHEA_PATIENT_MRN = '1484a42d-0eaf-4654-9cbf-6b050a5cd73b'

/** Posts the Synthea bundle as a transaction and resolves to the id the server gave the patient. */
export async function loadSyntheaPatient(server: FhirTestServer): Promise<string> {
  const bundle: unknown = JSON.parse(
    readFileSync(new URL('./fixtures/synthea-clemente-kreiger.json', import.meta.url), 'utf8'),
  )
  const loaded = await server.post('', bundle)
  if (loaded.status !== 200)
    throw new Error(`The FHIR test server did not load the Synthea bundle (status ${loaded.status}).`)
  return String(loaded.body.entry[0].response.location).split('/')[1]!
}
