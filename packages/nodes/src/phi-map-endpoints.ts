// Which outside system each built-in connector node sends to, and whether the channel is
// encrypted, read from the installation's connector settings when the host has them (the
// runtime) and honestly `unknown` when it does not (the designer, the CLI without settings).
// Only the scheme and host of a URL are shown: paths, headers and credentials never are.
import type { DescribeEndpoints, Encryption, PhiEndpoint, PhiEndpointUse, PhiMapNode } from '@carepath/dsl'
import { describeByConnectorName } from '@carepath/dsl'
import { crmConnector } from './crm-contact-find/crm-connector.ts'
import { fhirConnector } from './fhir-read/fhir-settings.schema.ts'
import { hl7OutConnector } from './hl7-send/hl7-out-settings.schema.ts'
import { hl7Send } from './hl7-send/hl7-send.node.ts'
import { httpRequest } from './http-request/http-request.node.ts'
import { notify } from './notify/notify.node.ts'
import { notifyConnector } from './notify/notify-settings.schema.ts'
import { placeholders } from './notify/notify-content.ts'
import { payerConnector } from './payer-eligibility/payer-settings.schema.ts'
import { payerEligibility } from './payer-eligibility/payer-eligibility.node.ts'

/** The stored settings under a key, unparsed; undefined when the host does not know them. */
export type SettingsLookup = (key: string) => unknown

const FHIR_TYPES = new Set(['fhir.read', 'fhir.search', 'fhir.create', 'fhir.update', 'fhir.patch', 'fhir.transaction'])
const CRM_TYPES = new Set(['crm.contact.find', 'crm.case.upsert'])

type Protection = Pick<PhiEndpoint, 'encrypted' | 'encryptionNote' | 'endpoint'>

const UNKNOWN_SETTINGS: Protection = { encrypted: 'unknown', encryptionNote: 'settings not available here' }
const NOT_CONFIGURED: Protection = { encrypted: 'unknown', encryptionNote: 'not configured in this installation' }

/** What a URL's scheme says about the channel: https is TLS, http is plain. */
export function urlProtection(url: string | undefined): Protection {
  if (url === undefined) return NOT_CONFIGURED
  try {
    const parsed = new URL(url)
    const encrypted: Encryption = parsed.protocol === 'https:' ? 'yes' : parsed.protocol === 'http:' ? 'no' : 'unknown'
    return { encrypted, encryptionNote: `${parsed.protocol.replace(':', '')} URL`, endpoint: parsed.host }
  } catch {
    return NOT_CONFIGURED
  }
}

const endpoint = (system: string, channel: string, protection: Protection, patientFacing = false): PhiEndpoint => ({
  system,
  channel,
  outside: true,
  patientFacing,
  ...protection,
})

function fhirEndpoint(settings: SettingsLookup | undefined): PhiEndpoint {
  if (!settings) return endpoint('FHIR server', 'fhir', UNKNOWN_SETTINGS)
  const parsed = fhirConnector.settingsSchema.safeParse(settings('fhir'))
  return endpoint('FHIR server', 'fhir', parsed.success ? urlProtection(parsed.data?.baseUrl) : NOT_CONFIGURED)
}

// The message (subject, text, recipient) goes to the channel; the FHIR Communication that records
// it holds the text and the patient reference, not the recipient's address.
function notifyEndpoints(node: PhiMapNode, settings: SettingsLookup | undefined): PhiEndpointUse[] {
  const config = notify.config.safeParse(node.config)
  if (!config.success) return describeByConnectorName(node).slice()
  const { channel, record, subject, message, toFrom, patientFrom } = config.data
  const stored = settings ? notifyConnector.settingsSchema.safeParse(settings('notify')) : undefined
  const notifySettings = stored?.success ? stored.data : undefined
  const inMessage = [...placeholders(subject), ...placeholders(message), ...(toFrom ? [toFrom] : [])]
  const inRecord = [...placeholders(message), ...(patientFrom ? [patientFrom] : [])]
  const recorded = record ? [{ ...fhirEndpoint(settings), carries: inRecord }] : []
  if (channel === 'log') {
    const log = { encrypted: 'unknown', encryptionNote: 'written to the server log' } satisfies Protection
    return [{ ...endpoint('Carepath log', 'log', log), outside: false, carries: inMessage }, ...recorded]
  }
  if (channel === 'sms') {
    const protection = !settings ? UNKNOWN_SETTINGS : urlProtection(notifySettings?.sms?.url)
    return [{ ...endpoint('SMS gateway', 'sms', protection, true), carries: inMessage }, ...recorded]
  }
  const smtp = notifySettings?.smtp
  const protection: Protection = !settings
    ? UNKNOWN_SETTINGS
    : !smtp
      ? NOT_CONFIGURED
      : smtp.secure
        ? { encrypted: 'yes', encryptionNote: 'SMTP over TLS', endpoint: `${smtp.host}:${smtp.port}` }
        : {
            encrypted: 'unknown',
            encryptionNote: 'STARTTLS only if the relay offers it',
            endpoint: `${smtp.host}:${smtp.port}`,
          }
  return [{ ...endpoint('Email (SMTP relay)', 'email', protection, true), carries: inMessage }, ...recorded]
}

function payerEndpoints(node: PhiMapNode, settings: SettingsLookup | undefined): PhiEndpoint[] {
  const config = payerEligibility.config.safeParse(node.config)
  if (!config.success) return describeByConnectorName(node).slice()
  const { payer, format } = config.data
  if (!settings) return [endpoint(`payer ${payer}`, format, UNKNOWN_SETTINGS)]
  const payers = payerConnector.settingsSchema.safeParse(settings('payers'))
  const stored = payers.success ? payers.data[payer] : undefined
  const url = format === 'fhir' ? stored?.fhir?.baseUrl : stored?.x12?.url
  return [endpoint(`payer ${payer}`, format, urlProtection(url))]
}

function hl7Endpoints(node: PhiMapNode, settings: SettingsLookup | undefined): PhiEndpoint[] {
  const config = hl7Send.config.safeParse(node.config)
  if (!config.success) return describeByConnectorName(node).slice()
  const system = `HL7 destination ${config.data.destination}`
  if (!settings) return [endpoint(system, 'mllp', UNKNOWN_SETTINGS)]
  const stored = hl7OutConnector.settingsSchema.safeParse(settings(hl7OutConnector.settingsKey ?? 'hl7out'))
  const destination = stored.success ? stored.data.destinations[config.data.destination] : undefined
  if (!destination) return [endpoint(system, 'mllp', NOT_CONFIGURED)]
  const where = `${destination.host}:${destination.port}`
  return destination.tls
    ? [endpoint(system, 'mllps', { encrypted: 'yes', encryptionNote: 'MLLP over TLS', endpoint: where })]
    : [endpoint(system, 'mllp', { encrypted: 'no', encryptionNote: 'plain MLLP, no TLS', endpoint: where })]
}

function httpEndpoints(node: PhiMapNode): PhiEndpoint[] {
  const config = httpRequest.config.safeParse(node.config)
  if (!config.success) return describeByConnectorName(node).slice()
  const protection = urlProtection(config.data.url)
  const { channel } = config.data
  const scheme = protection.encrypted === 'yes' ? 'https' : 'http'
  return [
    endpoint(
      protection.endpoint ?? 'HTTP service',
      channel ? `${channel} over ${scheme}` : scheme,
      protection,
      channel !== undefined,
    ),
  ]
}

function crmEndpoints(settings: SettingsLookup | undefined): PhiEndpoint[] {
  if (!settings) return [endpoint('CRM', 'https', UNKNOWN_SETTINGS)]
  const stored = crmConnector.settingsSchema.safeParse(settings(crmConnector.settingsKey ?? crmConnector.name))
  return [
    endpoint('CRM', 'https', stored.success && stored.data ? urlProtection(stored.data.instanceUrl) : NOT_CONFIGURED),
  ]
}

/**
 * The endpoint describer for the built-in node types; others fall back to their connectors'
 * names with encryption `unknown`. Pass `settings` where the installation's settings are known.
 */
export function describeBuiltinEndpoints(settings?: SettingsLookup): DescribeEndpoints {
  return (node) => {
    const type = node.nodeType.type
    if (type === 'notify') return notifyEndpoints(node, settings)
    if (type === 'payer.eligibility') return payerEndpoints(node, settings)
    if (type === 'hl7.send') return hl7Endpoints(node, settings)
    if (type === 'http.request') return httpEndpoints(node)
    if (FHIR_TYPES.has(type)) return [fhirEndpoint(settings)]
    if (CRM_TYPES.has(type)) return crmEndpoints(settings)
    return describeByConnectorName(node)
  }
}
