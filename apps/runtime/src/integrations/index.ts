// Connectors and inbound listeners (HL7 over MLLP/HTTP, signed webhooks). The runtime builds
// its connector adapters from the installed packages' connectors (the built-in ones are
// `builtinConnectors`) and the stored per-environment settings with `createConnectorAdapters`;
// listeners are started by `carepath serve` (see hl7-runtime.ts).
import { NodeError, type ConnectorAdapter, type ConnectorContribution } from '@carepath/dsl'
import { builtinConnectors } from './builtin-connectors.ts'
import type { FetchLike } from './http/fetch-with-timeout.ts'
import { fetchTrusting, trustedCas } from './http/trusted-fetch.ts'
import { composeSettingsSchema, settingsKeyOf, tlsSettingsSchema } from './settings.schema.ts'

/** Settings for outside systems, per environment (set by a developer or admin; never in flows). */
export interface IntegrationSettings {
  [key: string]: unknown
}

/** What cannot be stored as JSON settings: I/O seams for tests. */
export interface IntegrationDeps {
  fetch?: FetchLike
  sleep?: (ms: number) => Promise<void>
  /** The notify log channel's sink (default: standard error). */
  logSink?: (line: string) => void
  now?: () => Date
}

/**
 * The connector adapters the runtime injects into the engine, by connector name: one per
 * installed connector (the built-in ones unless `connectors` says otherwise). Invalid settings do
 * not stop the runtime: every connector then fails with a plain message naming the setting at
 * fault, so a developer sees what to fix and no run silently does nothing.
 */
export function createConnectorAdapters(
  settings: IntegrationSettings = {},
  deps: IntegrationDeps = {},
  connectors: readonly ConnectorContribution[] = builtinConnectors,
): Record<string, ConnectorAdapter> {
  const parsed = composeSettingsSchema(connectors, 'loose').safeParse(settings)
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'settings'
    const refuse: ConnectorAdapter = async () => {
      throw new NodeError(`The integration settings are invalid at "${where}"; a developer must correct them.`, {
        code: 'not-configured',
        retryable: false,
      })
    }
    return Object.fromEntries(connectors.map((c) => [c.name, refuse]))
  }
  const privateCa = tlsSettingsSchema.parse(settings['tls']).privateCa
  const connectorDeps = {
    fetch: deps.fetch ?? fetchTrusting(privateCa),
    ...(privateCa.length > 0 ? { trustedCa: trustedCas(privateCa) } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.logSink ? { logSink: deps.logSink } : {}),
  }
  const values = new Map(Object.entries(parsed.data))
  return Object.fromEntries(
    connectors.map((c) => [c.name, c.createAdapter(values.get(settingsKeyOf(c)), connectorDeps)]),
  )
}

/**
 * Whether the stored settings configure `connector`: its settings parse and, where the connector
 * says what "configured" means (a payer stored, a host allowed), they meet it.
 */
export function isConnectorConfigured(connector: ConnectorContribution, settings: IntegrationSettings): boolean {
  const stored = Object.hasOwn(settings, settingsKeyOf(connector)) ? settings[settingsKeyOf(connector)] : undefined
  const parsed = connector.settingsSchema.safeParse(stored)
  if (!parsed.success) return false
  return connector.isConfigured ? connector.isConfigured(parsed.data) : stored !== undefined
}

export { builtinConnectors, builtinPlugin } from './builtin-connectors.ts'
export { composeSettingsSchema, settingsKeyOf } from './settings.schema.ts'
export { integrationSettingsSchema, type IntegrationConfig } from './settings.schema.ts'
export { MllpFramer, mllpFrame } from './hl7/mllp-framer.ts'
export { startMllpListener, sendMllp, type MllpListener, type MllpListenerOptions } from './hl7/mllp-listener.ts'
export {
  createHl7Intake,
  type Hl7Inbound,
  type Hl7Intake,
  type AcceptResult,
  type IntakeResult,
} from './hl7/hl7-intake.ts'
export { createMemoryHl7Store, createFileHl7Store, type Hl7MessageStore } from './hl7/hl7-store.ts'
export { createHl7HttpHandler } from './hl7/hl7-http.handler.ts'
export { createHl7Routing, type Hl7RoutingDeps } from './hl7/hl7-routing.ts'
export { startRuntimeHl7Listener, runtimeHl7Routing, startInbound } from './hl7/hl7-runtime.ts'
export {
  createWebhookVerifier,
  signWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type WebhookVerifier,
  type WebhookVerdict,
} from './webhook/webhook-verify.ts'
export { createWebhookHandler, type WebhookTarget } from './webhook/webhook.handler.ts'
export { createRuntimeWebhookHandler } from './webhook/webhook-runtime.ts'
export { createRuntimeHl7HttpHandler } from './hl7/hl7-runtime.ts'
export { createInboundHttpHandler, type InboundHttpOptions } from './inbound-http.ts'
