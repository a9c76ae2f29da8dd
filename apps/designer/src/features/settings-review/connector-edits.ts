// The connector settings people change most (the FHIR server, its credential, the outbound
// HTTP allow-list, the SMS gateway) as form fields, and how a form's values become the whole
// settings object a proposal carries. Pure, so it is tested without a browser. A credential
// left empty keeps the stored one: the masked "set" is sent back and the runtime keeps its value.
import type { JsonValue } from '@carepath/dsl'
import type { MaskedSettings } from './settings-review.api.ts'

/** What the form edits. */
export interface ConnectorEdits {
  fhirBaseUrl: string
  /** A new Authorization header value for the FHIR server; empty keeps the stored one. */
  fhirCredential: string
  /** One host per line. */
  allowHosts: string
  smsUrl: string
}

type JsonObject = { [key: string]: JsonValue }
const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const objectAt = (value: JsonValue | undefined, key: string): JsonObject => {
  const inner = isObject(value) ? value[key] : undefined
  return isObject(inner) ? inner : {}
}
const textAt = (value: JsonObject, key: string): string => {
  const inner = value[key]
  return typeof inner === 'string' ? inner : ''
}

/** The form's starting values, from the current (masked) settings. */
export function editsFrom(settings: MaskedSettings): ConnectorEdits {
  const hosts = objectAt(settings, 'http')['allowHosts']
  return {
    fhirBaseUrl: textAt(objectAt(settings, 'fhir'), 'baseUrl'),
    fhirCredential: '',
    allowHosts: Array.isArray(hosts) ? hosts.filter((h) => typeof h === 'string').join('\n') : '',
    smsUrl: textAt(objectAt(objectAt(settings, 'notify'), 'sms'), 'url'),
  }
}

/** The whole settings object with the form's values in place; everything else as it was. */
export function applyEdits(settings: MaskedSettings, edits: ConnectorEdits): JsonObject {
  const next: JsonObject = { ...settings }
  const fhir = objectAt(settings, 'fhir')
  const headers = objectAt(fhir, 'headers')
  if (edits.fhirBaseUrl.trim() || Object.keys(fhir).length > 0) {
    next['fhir'] = {
      ...fhir,
      baseUrl: edits.fhirBaseUrl.trim(),
      ...(edits.fhirCredential ? { headers: { ...headers, Authorization: edits.fhirCredential } } : {}),
    }
  }
  const hosts = edits.allowHosts
    .split('\n')
    .map((h) => h.trim())
    .filter(Boolean)
  if (hosts.length > 0 || isObject(settings['http']))
    next['http'] = { ...objectAt(settings, 'http'), allowHosts: hosts }
  const notify = objectAt(settings, 'notify')
  const sms = objectAt(notify, 'sms')
  if (edits.smsUrl.trim() || Object.keys(sms).length > 0)
    next['notify'] = { ...notify, sms: { ...sms, url: edits.smsUrl.trim() } }
  return next
}
