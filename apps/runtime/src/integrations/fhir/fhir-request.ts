// The fhir connector's requests (what the fhir.* nodes send) and the HTTP exchange each becomes.
import { z } from 'zod'
import { jsonValueSchema } from '@carepath/dsl'

const resourceType = z.string().regex(/^[A-Z][A-Za-z]{1,63}$/)
const id = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/)
const params = z.array(z.tuple([z.string().min(1), z.string()]))
const resource = z.looseObject({ resourceType })
const patchOperation = z.looseObject({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string().startsWith('/'),
})

export const fhirRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('read'), resourceType, id }),
  z.object({ op: z.literal('search'), resourceType, params }),
  z.object({ op: z.literal('create'), resource, ifNoneExist: params.min(1).optional() }),
  z.object({ op: z.literal('update'), resource, ifMatch: id.optional(), match: params.min(1).optional() }),
  z.object({ op: z.literal('patch'), resourceType, id, patch: z.array(patchOperation).min(1), ifMatch: id.optional() }),
  z.object({
    op: z.literal('fhirpathPatch'),
    resourceType,
    id,
    parameters: z.looseObject({ resourceType: z.literal('Parameters') }),
    ifMatch: id.optional(),
  }),
  z.object({
    op: z.literal('bundle'),
    type: z.enum(['transaction', 'batch']),
    entry: z.array(z.record(z.string(), jsonValueSchema)).min(1),
  }),
])
/** A request the fhir adapter accepts. */
export type FhirRequest = z.infer<typeof fhirRequestSchema>

/** The HTTP request a FHIR request becomes (relative to the base URL). */
export interface FhirHttp {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH'
  path: string
  headers: Record<string, string>
  body?: unknown
}

const query = (pairs: [string, string][]) => new URLSearchParams(pairs).toString()
const FHIR_JSON = 'application/fhir+json'

/**
 * The HTTP exchange for a request. A patch guarded by a version also carries a JSON Patch `test`
 * of /meta/versionId, so a server that ignores If-Match on PATCH still refuses a stale patch.
 */
export function fhirHttpOf(request: FhirRequest): FhirHttp {
  switch (request.op) {
    case 'read':
      return { method: 'GET', path: `/${request.resourceType}/${encodeURIComponent(request.id)}`, headers: {} }
    case 'search':
      return { method: 'GET', path: `/${request.resourceType}?${query(request.params)}`, headers: {} }
    case 'create': {
      const headers: Record<string, string> = { 'content-type': FHIR_JSON }
      if (request.ifNoneExist) headers['if-none-exist'] = query(request.ifNoneExist)
      return { method: 'POST', path: `/${request.resource.resourceType}`, headers, body: request.resource }
    }
    case 'update': {
      const headers: Record<string, string> = { 'content-type': FHIR_JSON }
      if (request.ifMatch !== undefined) headers['if-match'] = `W/"${request.ifMatch}"`
      const target = request.match
        ? `?${query(request.match)}`
        : `/${encodeURIComponent(String(request.resource['id'] ?? ''))}`
      return { method: 'PUT', path: `/${request.resource.resourceType}${target}`, headers, body: request.resource }
    }
    case 'patch': {
      const headers: Record<string, string> = { 'content-type': 'application/json-patch+json' }
      let patch: unknown[] = request.patch
      if (request.ifMatch !== undefined) {
        headers['if-match'] = `W/"${request.ifMatch}"`
        patch = [{ op: 'test', path: '/meta/versionId', value: request.ifMatch }, ...request.patch]
      }
      return {
        method: 'PATCH',
        path: `/${request.resourceType}/${encodeURIComponent(request.id)}`,
        headers,
        body: patch,
      }
    }
    case 'fhirpathPatch': {
      // What a server with FHIRPath Patch would take; the adapter applies it itself for now (see
      // fhirpath-patch.apply.ts).
      const headers: Record<string, string> = { 'content-type': FHIR_JSON }
      if (request.ifMatch !== undefined) headers['if-match'] = `W/"${request.ifMatch}"`
      return {
        method: 'PATCH',
        path: `/${request.resourceType}/${encodeURIComponent(request.id)}`,
        headers,
        body: request.parameters,
      }
    }
    case 'bundle':
      return {
        method: 'POST',
        path: '',
        headers: { 'content-type': FHIR_JSON },
        body: { resourceType: 'Bundle', type: request.type, entry: request.entry },
      }
  }
}
