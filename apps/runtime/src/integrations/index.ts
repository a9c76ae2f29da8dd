import type { ConnectorAdapter } from '@carepath/dsl'

/** Settings for outside systems, per environment (set by a developer or admin; never in flows). */
export interface IntegrationSettings {
  [key: string]: unknown
}

/**
 * The connector adapters the runtime injects into the engine, by connector name.
 * Filled in by the integrations work (FHIR, HL7, payer, HTTP, notify).
 */
export function createConnectorAdapters(_settings: IntegrationSettings = {}): Record<string, ConnectorAdapter> {
  return {}
}
