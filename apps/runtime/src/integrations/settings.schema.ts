// Connector settings per environment, as a developer or admin stores them (settings router).
// Base URLs, hosts and credentials live here, never in flow documents. Each connector's schema
// comes from the node package that declares it; the installation's settings object is composed
// from the installed connectors, so a key that no installed connector uses is refused.
import { X509Certificate } from 'node:crypto'
import { z } from 'zod'
import type { AnyConnectorDeclaration } from '@carepath/dsl'
import { fhirConnector, httpConnector, notifyConnector, payerConnector, settingsSlugSchema } from '@carepath/nodes'
import { eventsSettingsSchema } from '../events/event-routes.ts'

export {
  fhirSettingsSchema,
  payerSettingsSchema,
  smtpSettingsSchema,
  type FhirSettings,
  type PayerSettings,
  type SmtpSettings,
} from '@carepath/nodes'

const isCertificate = (pem: string) => {
  try {
    new X509Certificate(pem)
    return true
  } catch {
    return false
  }
}
/** One PEM certificate. */
const pemCertificate = z.string().max(20_000).refine(isCertificate, 'This is not a PEM certificate.')

/** Outbound TLS: certificates are always verified; a private CA is added here, never "ignore". */
export const tlsSettingsSchema = z
  .object({
    /** CA certificates (PEM) trusted besides the public roots, for systems with private certificates. */
    privateCa: z.array(pemCertificate).max(10).default([]),
  })
  .strict()
  .default({ privateCa: [] })

/** Settings the host itself reads: inbound webhooks are not a connector any node calls. */
export const hostSettingsShape = {
  tls: tlsSettingsSchema,
  webhooks: z
    .object({
      /** Signing secrets by name (trigger.webhook's `secret`). */
      secrets: z.record(settingsSlugSchema, z.string().min(16)).default({}),
    })
    .strict()
    .default({ secrets: {} }),
  /** Which inbound HL7 messages and webhooks are messages for runs waiting at wait.event. */
  events: eventsSettingsSchema,
}

/** The key a connector's settings are stored under. */
export const settingsKeyOf = (connector: AnyConnectorDeclaration) => connector.settingsKey ?? connector.name

/**
 * The installation's settings object: the host's keys plus one per installed connector. `strict`
 * refuses keys nothing uses (what a save checks); stored settings are read loosely, so settings
 * left by an uninstalled package do not stop the other connectors.
 */
export function composeSettingsSchema(connectors: readonly AnyConnectorDeclaration[], mode: 'strict' | 'loose') {
  const shape: Record<string, z.ZodType> = { ...hostSettingsShape }
  for (const connector of connectors) shape[settingsKeyOf(connector)] = connector.settingsSchema
  const schema = z.object(shape)
  return mode === 'strict' ? schema.strict() : schema.loose()
}

/** The built-in connectors' settings, read loosely (what webhooks and tests parse stored settings with). */
export const integrationSettingsSchema = z
  .object({
    fhir: fhirConnector.settingsSchema,
    payers: payerConnector.settingsSchema,
    http: httpConnector.settingsSchema,
    notify: notifyConnector.settingsSchema,
    ...hostSettingsShape,
  })
  .loose()
export type IntegrationConfig = z.infer<typeof integrationSettingsSchema>
