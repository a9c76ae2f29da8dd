// The "fhir" connector: fhir.read / fhir.search / fhir.create (and notify's Communication)
// against the environment's FHIR R4 base URL. Answers {status, resource?}; transport faults and
// non-FHIR answers become NodeErrors with plain messages.
import { z } from 'zod'
import { NodeError, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import { exchange, statusFailure, type FetchLike } from '../http/fetch-with-timeout.ts'
import type { FhirSettings } from '../settings.schema.ts'
import { fhirValidationErrors, prepareFhirValidationSoon } from './fhir-validate.ts'

const resourceType = z.string().regex(/^[A-Z][A-Za-z]{1,63}$/)
const requestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('read'), resourceType, id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) }),
  z.object({ op: z.literal('search'), resourceType, params: z.array(z.tuple([z.string().min(1), z.string()])) }),
  z.object({ op: z.literal('create'), resource: z.looseObject({ resourceType }) }),
])

export function createFhirAdapter(settings: FhirSettings | undefined, fetchImpl: FetchLike = fetch): ConnectorAdapter {
  if (settings) prepareFhirValidationSoon()
  return async (raw) => {
    if (!settings)
      throw new NodeError('No FHIR server is configured for this environment.', {
        code: 'not-configured',
        retryable: false,
      })
    const parsed = requestSchema.safeParse(raw)
    if (!parsed.success)
      throw new NodeError('The FHIR request is malformed.', { code: 'invalid-request', retryable: false })
    const request = parsed.data
    const base = settings.baseUrl.replace(/\/+$/, '')
    const headers: Record<string, string> = { accept: 'application/fhir+json', ...settings.headers }
    let url: string
    const init: RequestInit = { method: 'GET', headers }
    if (request.op === 'read') url = `${base}/${request.resourceType}/${encodeURIComponent(request.id)}`
    else if (request.op === 'search')
      url = `${base}/${request.resourceType}?${new URLSearchParams(request.params).toString()}`
    else {
      const errors = fhirValidationErrors(request.resource)
      if (errors.length > 0) {
        // Answered like a server would (422 + OperationOutcome naming the elements), without sending.
        const issue = errors.map((expression) => ({ severity: 'error', code: 'invalid', expression: [expression] }))
        return { status: 422, resource: { resourceType: 'OperationOutcome', issue } }
      }
      url = `${base}/${request.resource.resourceType}`
      init.method = 'POST'
      headers['content-type'] = 'application/fhir+json'
      init.body = JSON.stringify(request.resource)
    }
    const answer = await exchange(fetchImpl, url, init, settings.timeoutMs, 'the FHIR server')
    // A server that is down or overloaded is the connector's failure (retried per the node's
    // policy); every other status is the server's answer, for the node to route.
    if (answer.status === 429 || answer.status >= 500) throw statusFailure('the FHIR server', 'fhir', answer)
    let body: unknown
    try {
      body = answer.text ? JSON.parse(answer.text) : undefined
    } catch {
      body = undefined
    }
    const isResource =
      body !== null &&
      typeof body === 'object' &&
      !Array.isArray(body) &&
      typeof (body as { resourceType?: unknown }).resourceType === 'string'
    if (answer.status >= 200 && answer.status < 300 && !isResource) {
      throw new NodeError('The FHIR server answered with something that is not a FHIR resource.', {
        code: 'invalid-response',
        retryable: false,
      })
    }
    const result: { [key: string]: JsonValue } = { status: answer.status }
    if (isResource) result['resource'] = body as JsonValue
    return result
  }
}
