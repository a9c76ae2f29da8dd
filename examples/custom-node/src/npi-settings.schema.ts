// The `npi` connector that npi.lookup calls, and the settings an installation stores for it
// through the settings API (`settings.setIntegrations`, key `npi`). The node type declares it;
// the adapter in npi-registry.adapter.ts is built from these settings by the host.
import { z } from 'zod'
import { defineConnector } from '@carepath/dsl'

/** The public NPPES NPI Registry API (no key needed), version 2.1. */
export const NPPES_API = 'https://npiregistry.cms.hhs.gov/api/'

/** Where the registry is: NPPES itself, or a hospital's mirror or proxy of it. */
export const npiSettingsSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .default(NPPES_API)
      .describe('The NPI registry API (default: the public NPPES registry).'),
  })
  .strict()
/** Settings of the `npi` connector. */
export type NpiSettings = z.infer<typeof npiSettingsSchema>

/**
 * Unconfigured (no `npi` key stored) the connector refuses every call: an installation decides
 * to send provider numbers to an outside registry, it does not happen by default.
 */
export const npiConnector = defineConnector({
  name: 'npi',
  description: 'The NPI registry (NPPES or a mirror of it): provider lookups by NPI.',
  settingsSchema: npiSettingsSchema.optional(),
})
