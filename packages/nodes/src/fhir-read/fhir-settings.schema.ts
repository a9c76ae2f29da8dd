// The `fhir` connector that fhir.read, fhir.search and fhir.create call, and the settings an
// installation stores for it. The adapter (HTTP to the FHIR server) is the host's.
import { z } from 'zod'
import { defineConnector } from '@carepath/dsl'
import { connectorHeadersSchema, connectorTimeoutMsSchema } from '../connector-settings.schema.ts'

/** One FHIR R4 server per environment. */
export const fhirSettingsSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    headers: connectorHeadersSchema,
    timeoutMs: connectorTimeoutMsSchema,
  })
  .strict()
/** Settings of the `fhir` connector. */
export type FhirSettings = z.infer<typeof fhirSettingsSchema>

/** The EHR's FHIR API: without settings every call fails plainly ("No FHIR server is configured"). */
export const fhirConnector = defineConnector({
  name: 'fhir',
  description: "The EHR's FHIR R4 API (read, search, create).",
  settingsSchema: fhirSettingsSchema.optional(),
})
