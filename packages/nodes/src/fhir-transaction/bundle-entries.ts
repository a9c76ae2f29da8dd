// The entries of a transaction/batch Bundle as a flow writes them, and how each becomes a
// Bundle.entry (request) and what comes back of it (status, id, version: no resource content).
import { z } from 'zod'
import { NodeError, type ExecuteContext, type JsonValue } from '@carepath/dsl'
import { factPathSchema, jsonValueSchema } from '../fact-path.schema.ts'
import { fillResource, templateFacts } from '../fhir-create/fhir-template.ts'
import { resourceIdOf } from '../fhir-read/fhir-read.node.ts'
import { resourceTypeSchema } from '../fhir-read/fhir-connector.ts'
import { versionAt } from '../fhir-read/fhir-write.ts'
import { resolveSearchParams, searchParamSchema, searchParamsReads } from '../fhir-search/search-params.ts'

const templateSchema = z
  .record(z.string(), jsonValueSchema)
  .describe('The resource; {"$fact": "path"} values are replaced by facts.')

const fullUrlSchema = z
  .string()
  .regex(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'urn:uuid: and a lower-case UUID')
  .describe('A temporary id (urn:uuid:…) other entries may reference; the server replaces it with the new id.')

/** One entry of the bundle. */
export const bundleEntrySchema = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('POST').describe('Create a resource.'),
      resource: templateSchema,
      fullUrl: fullUrlSchema.optional(),
      ifNoneExist: z
        .array(searchParamSchema)
        .min(1)
        .optional()
        .describe('Create only when nothing matches these search parameters.'),
    })
    .strict(),
  z
    .object({
      method: z.literal('PUT').describe('Replace a resource (by id or the one matching a search).'),
      resource: templateSchema,
      idFrom: factPathSchema.optional().describe('The fact holding the id of the resource to replace.'),
      match: z.array(searchParamSchema).min(1).optional().describe('Conditional update: the resource matching these.'),
      versionFrom: factPathSchema.optional().describe('The version the flow read, sent as If-Match.'),
    })
    .strict(),
  z
    .object({
      method: z.literal('DELETE').describe('Delete a resource.'),
      resourceType: resourceTypeSchema,
      idFrom: factPathSchema.describe('The fact holding the id of the resource to delete.'),
    })
    .strict(),
])
/** One configured entry. */
export type BundleEntryConfig = z.infer<typeof bundleEntrySchema>

/** The facts an entry reads. */
export function entryReads(entry: BundleEntryConfig): string[] {
  if (entry.method === 'DELETE') return [entry.idFrom]
  return [
    ...templateFacts(entry.resource),
    ...searchParamsReads(entry.method === 'POST' ? (entry.ifNoneExist ?? []) : (entry.match ?? [])),
    ...(entry.method === 'PUT' ? [entry.idFrom, entry.versionFrom].filter((p) => p !== undefined) : []),
  ]
}

function idAt(ctx: ExecuteContext, path: string, resourceType: string, index: number): string {
  const value = ctx.get(path)
  const id = typeof value === 'string' ? resourceIdOf(value, resourceType) : undefined
  if (id === undefined)
    throw new NodeError(`Entry ${index + 1}: the fact ${path} holds no ${resourceType} id.`, { code: 'missing-input' })
  return id
}

const query = (params: [string, string][]) => new URLSearchParams(params).toString()

/** The Bundle.entry an entry config becomes with the run's facts. */
export function buildEntry(ctx: ExecuteContext, entry: BundleEntryConfig, index: number): { [key: string]: JsonValue } {
  if (entry.method === 'DELETE') {
    const id = idAt(ctx, entry.idFrom, entry.resourceType, index)
    return { request: { method: 'DELETE', url: `${entry.resourceType}/${id}` } }
  }
  const resource = fillResource(ctx, entry.resource)
  const resourceType = resource?.['resourceType']
  if (!resource || typeof resourceType !== 'string' || !/^[A-Z][A-Za-z]{1,63}$/.test(resourceType)) {
    throw new NodeError(`Entry ${index + 1} does not describe a FHIR resource.`, { code: 'invalid-config' })
  }
  const purpose = `match entry ${index + 1} by`
  if (entry.method === 'POST') {
    delete resource['id']
    const request: { [key: string]: JsonValue } = { method: 'POST', url: resourceType }
    if (entry.ifNoneExist) request['ifNoneExist'] = query(resolveSearchParams(ctx, entry.ifNoneExist, purpose))
    return { ...(entry.fullUrl ? { fullUrl: entry.fullUrl } : {}), resource, request }
  }
  let url: string
  if (entry.idFrom) {
    resource['id'] = idAt(ctx, entry.idFrom, resourceType, index)
    url = `${resourceType}/${resource['id']}`
  } else if (entry.match) {
    delete resource['id']
    url = `${resourceType}?${query(resolveSearchParams(ctx, entry.match, purpose))}`
  } else {
    throw new NodeError(`Entry ${index + 1} says neither idFrom nor match.`, { code: 'invalid-config' })
  }
  const request: { [key: string]: JsonValue } = { method: 'PUT', url }
  if (entry.versionFrom) request['ifMatch'] = `W/"${versionAt(ctx, entry.versionFrom)}"`
  return { resource, request }
}

/** What the flow keeps of one answered entry: its HTTP status and, when written, the id and version. */
export interface EntryResult {
  status: number
  id?: string
  version?: string
}

/** The results of a transaction-response / batch-response, entry by entry. */
export function entryResults(bundle: { [key: string]: unknown }): EntryResult[] {
  const entries: unknown = bundle['entry']
  if (!Array.isArray(entries)) return []
  return entries.map((entry: unknown): EntryResult => {
    const response: unknown = entry !== null && typeof entry === 'object' ? Reflect.get(entry, 'response') : undefined
    const field = (key: string): unknown =>
      response !== null && typeof response === 'object' ? Reflect.get(response, key) : undefined
    const status = Number.parseInt(String(field('status') ?? ''), 10)
    const result: EntryResult = { status: Number.isFinite(status) ? status : 0 }
    // location: Type/id/_history/version (relative or absolute)
    const location = /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?\/?$/.exec(
      String(field('location') ?? ''),
    )
    if (location?.[2]) result.id = location[2]
    const etag = /^(?:W\/)?"?([A-Za-z0-9\-.]{1,64})"?$/.exec(String(field('etag') ?? ''))
    const version = location?.[3] ?? etag?.[1]
    if (version) result.version = version
    return result
  })
}
