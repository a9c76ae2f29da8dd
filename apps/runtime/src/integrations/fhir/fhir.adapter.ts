// The "fhir" connector: the fhir.* nodes (read, search, create, update, patch, transaction/batch)
// and notify's Communication against the environment's FHIR R4 base URL. Answers
// {status, resource?}; transport faults and non-FHIR answers become NodeErrors with plain messages.
import { NodeError, toJson, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import { exchange, statusFailure, type FetchLike } from '../http/fetch-with-timeout.ts'
import type { FhirSettings } from '../settings.schema.ts'
import { fhirHttpOf, fhirRequestSchema, type FhirRequest } from './fhir-request.ts'
import { fhirValidationErrors, prepareFhirValidationSoon } from './fhir-validate.ts'
import { fromFhirPathPatch } from '@carepath/nodes'
import { applyFhirPathPatch } from './fhirpath-patch.apply.ts'

type Answer = { status: number; resource?: { [key: string]: unknown } }

function isResource(body: unknown): body is { resourceType: string; [key: string]: unknown } {
  return (
    body !== null &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    typeof (body as { resourceType?: unknown }).resourceType === 'string'
  )
}

/** What a create or update would send, checked against R4 first; invalid → a 422 answer, nothing sent. */
function invalidWrite(request: FhirRequest): Answer | undefined {
  if (request.op !== 'create' && request.op !== 'update') return undefined
  const errors = fhirValidationErrors(request.resource)
  if (errors.length === 0) return undefined
  const issue = errors.map((expression) => ({ severity: 'error', code: 'invalid', expression: [expression] }))
  return { status: 422, resource: { resourceType: 'OperationOutcome', issue } }
}

/** An answer the server did not give: the request was refused here, plainly, before anything was written. */
const refusedHere = (status: number, text: string): Answer => ({
  status,
  resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text } }] },
})

const conflictOutcome = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'conflict', details: { text: 'The resource changed since it was read.' } }],
}

/** A resource's JSON as a JSON object (it came from JSON.parse, so every value is JSON). */
function toJsonObject(resource: { [key: string]: unknown }): { [key: string]: JsonValue } {
  const json = toJson(resource)
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? json : {}
}

export function createFhirAdapter(settings: FhirSettings | undefined, fetchImpl: FetchLike = fetch): ConnectorAdapter {
  if (settings) prepareFhirValidationSoon()
  return async (raw) => {
    if (!settings)
      throw new NodeError('No FHIR server is configured for this environment.', {
        code: 'not-configured',
        retryable: false,
      })
    const parsed = fhirRequestSchema.safeParse(raw)
    if (!parsed.success || (parsed.data.op === 'update' && !parsed.data.match && !parsed.data.resource['id']))
      throw new NodeError('The FHIR request is malformed.', { code: 'invalid-request', retryable: false })
    const request = parsed.data
    const refused = invalidWrite(request)
    if (refused) return toJson(refused)
    const base = settings.baseUrl.replace(/\/+$/, '')
    const send = async (http: ReturnType<typeof fhirHttpOf>): Promise<Answer> => {
      const init: RequestInit = {
        method: http.method,
        headers: { accept: 'application/fhir+json', ...settings.headers, ...http.headers },
        ...(http.body !== undefined ? { body: JSON.stringify(http.body) } : {}),
      }
      const answer = await exchange(fetchImpl, `${base}${http.path}`, init, settings.timeoutMs, 'the FHIR server')
      // A server that is down or overloaded is the connector's failure (retried per the node's
      // policy); every other status is the server's answer, for the node to route.
      if (answer.status === 429 || answer.status >= 500) throw statusFailure('the FHIR server', 'fhir', answer)
      let body: unknown
      try {
        body = answer.text ? JSON.parse(answer.text) : undefined
      } catch {
        body = undefined
      }
      if (answer.status >= 200 && answer.status < 300 && !isResource(body)) {
        throw new NodeError('The FHIR server answered with something that is not a FHIR resource.', {
          code: 'invalid-response',
          retryable: false,
        })
      }
      return isResource(body) ? { status: answer.status, resource: body } : { status: answer.status }
    }
    if (request.op === 'fhirpathPatch') {
      // Read, apply the FHIRPath Patch here, validate, and update with If-Match on the version read
      // (the test server has no FHIRPath Patch of its own; see fhirpath-patch.apply.ts).
      const read = await send(fhirHttpOf({ op: 'read', resourceType: request.resourceType, id: request.id }))
      if (read.status !== 200 || !read.resource) return toJson(read)
      const version = read.resource['meta']
      const versionRead =
        version !== null && typeof version === 'object' ? Reflect.get(version, 'versionId') : undefined
      if (request.ifMatch !== undefined && versionRead !== request.ifMatch)
        return toJson({ status: 412, resource: conflictOutcome })
      const operations = fromFhirPathPatch(request.parameters)
      if ('problem' in operations) return toJson(refusedHere(400, operations.problem))
      const patched = applyFhirPathPatch(toJsonObject(read.resource), operations.operations)
      if ('problem' in patched) return toJson(refusedHere(422, patched.problem))
      const update = { op: 'update' as const, resource: patched.resource }
      const invalid = invalidWrite({
        ...update,
        resource: { ...patched.resource, resourceType: request.resourceType },
      })
      if (invalid) return toJson(invalid)
      const ifMatch = typeof versionRead === 'string' ? { ifMatch: versionRead } : {}
      const written = await send(
        fhirHttpOf({ ...update, resource: { ...patched.resource, resourceType: request.resourceType }, ...ifMatch }),
      )
      return toJson(
        written.status === 409 || written.status === 412 ? { status: 412, resource: conflictOutcome } : written,
      )
    }
    let answer = await send(fhirHttpOf(request))
    if (request.op === 'patch' && request.ifMatch !== undefined && (answer.status === 400 || answer.status === 422)) {
      // Servers answer a failed JSON Patch `test` as a bad request; if the version moved on, the
      // cause was a concurrent change, which the node routes to `conflict` (412) like an update.
      const current = await send(fhirHttpOf({ op: 'read', resourceType: request.resourceType, id: request.id }))
      const meta = current.resource?.['meta']
      const version = meta !== null && typeof meta === 'object' ? Reflect.get(meta, 'versionId') : undefined
      if (current.status === 200 && version !== request.ifMatch) answer = { status: 412, resource: conflictOutcome }
    }
    return toJson(answer)
  }
}
