import { z } from 'zod'
import { defineNodeType, NodeError, type ConfigProblem, type PortSpec } from '@carepath/dsl'
import { factPathSchema, jsonValueSchema } from '../fact-path.schema.ts'
import { fillResource, templateFacts } from '../fhir-create/fhir-template.ts'
import { resourceIdOf } from '../fhir-read/fhir-read.node.ts'
import { callFhir, FHIR_PHI, fhirStatusError, resourceTypeSchema } from '../fhir-read/fhir-connector.ts'
import { fhirConnector } from '../fhir-read/fhir-settings.schema.ts'
import { isConflict, versionAt, writtenIds } from '../fhir-read/fhir-write.ts'
import { resolveSearchParams, searchParamSchema, searchParamsReads } from '../fhir-search/search-params.ts'

export const fhirUpdateConfigSchema = z
  .object({
    resourceType: resourceTypeSchema,
    resource: z
      .record(z.string(), jsonValueSchema)
      .describe(
        'The whole new resource (an update replaces it). A value written as {"$fact": "path"} is replaced by that fact; the id is set by the node.',
      ),
    idFrom: factPathSchema
      .optional()
      .describe('The fact holding the id of the resource to replace (a bare id or a reference).'),
    match: z
      .array(searchParamSchema)
      .min(1)
      .optional()
      .describe(
        'Conditional update instead of an id: the one resource matching these is replaced, or created when none does; more than one match is a conflict.',
      ),
    versionFrom: factPathSchema
      .optional()
      .describe(
        'The fact holding the version the flow read (meta.versionId or the ETag). The update is sent with If-Match; if someone changed the resource since, the node leaves by `conflict` and nothing is written.',
      ),
    idInto: factPathSchema.optional().describe('Where the id of the written resource goes.'),
    versionInto: factPathSchema.optional().describe('Where the new version (meta.versionId) goes.'),
  })
  .strict()
export type FhirUpdateConfig = z.infer<typeof fhirUpdateConfigSchema>

function updatePorts(config: FhirUpdateConfig): PortSpec[] {
  const checked = config.versionFrom !== undefined || config.match !== undefined
  return [
    { name: 'updated', required: true, title: 'Updated' },
    ...(config.match ? [{ name: 'created', required: true, title: 'Created (no match)' }] : []),
    { name: 'conflict', required: checked, title: 'Changed by someone else' },
    ...(config.idFrom ? [{ name: 'notFound', required: false, title: 'Not found' }] : []),
    { name: 'error', required: false, title: 'Failed' },
  ]
}

/** Replaces a resource on the environment's FHIR server, guarded by the version the flow read. */
export const fhirUpdate = defineNodeType({
  type: 'fhir.update',
  typeVersion: 1,
  title: 'Update FHIR resource',
  description:
    'Replaces a FHIR R4 resource (by id, or the one matching a search) on the FHIR server configured for the environment; with a version check, a change made by someone else since the flow read it goes to `conflict`.',
  category: 'Integration',
  icon: '✐',
  keywords: ['fhir', 'update', 'put', 'write', 'if-match', 'version', 'conditional'],
  config: fhirUpdateConfigSchema,
  defaults: {
    resourceType: 'Task',
    resource: { resourceType: 'Task', status: 'completed', intent: 'order' },
    idFrom: 'task.id',
    versionFrom: 'task.version',
  },
  ports: updatePorts,
  reads: (config) => [
    ...templateFacts(config.resource),
    ...(config.idFrom ? [config.idFrom] : []),
    ...searchParamsReads(config.match ?? []),
    ...(config.versionFrom ? [config.versionFrom] : []),
  ],
  writes: (config) => [config.idInto, config.versionInto].filter((path) => path !== undefined),
  phi: FHIR_PHI, // the template may carry any class of fact to the server
  connectors: [fhirConnector], // its settings are stored per environment, never in the flow
  check(config) {
    const problems: ConfigProblem[] = []
    if (config.resource['resourceType'] !== config.resourceType) {
      problems.push({
        code: 'invalid-config',
        path: 'resource.resourceType',
        message: `The resource must have "resourceType": "${config.resourceType}".`,
      })
    }
    if ((config.idFrom === undefined) === (config.match === undefined)) {
      problems.push({
        code: 'invalid-config',
        path: 'idFrom',
        message: 'Say which resource to replace: either idFrom or match, not both.',
      })
    }
    return problems
  },
  async execute(ctx, config) {
    const resource = fillResource(ctx, config.resource)
    if (resource?.['resourceType'] !== config.resourceType) {
      throw new NodeError(`The template does not describe a ${config.resourceType}.`, { code: 'invalid-config' })
    }
    const ifMatch = config.versionFrom ? versionAt(ctx, config.versionFrom) : undefined
    let match: [string, string][] | undefined
    if (config.idFrom) {
      const value = ctx.get(config.idFrom)
      const id = typeof value === 'string' ? resourceIdOf(value, config.resourceType) : undefined
      if (id === undefined) {
        throw new NodeError(`The fact ${config.idFrom} holds no ${config.resourceType} id.`, { code: 'missing-input' })
      }
      resource['id'] = id
    } else {
      match = resolveSearchParams(ctx, config.match ?? [], `find the ${config.resourceType} to update by`)
      delete resource['id'] // the match decides which resource is replaced
    }
    const response = await callFhir(ctx, {
      op: 'update',
      resource,
      ...(ifMatch !== undefined ? { ifMatch } : {}),
      ...(match ? { match } : {}),
    })
    if (isConflict(response.status)) return { kind: 'next', port: 'conflict' }
    if (config.idFrom && (response.status === 404 || response.status === 410)) return { kind: 'next', port: 'notFound' }
    if (response.status === 400 || response.status === 422) {
      throw new NodeError(`The FHIR server refused the updated ${config.resourceType} as invalid.`, {
        code: 'fhir-invalid',
        retryable: false,
      })
    }
    if (response.status !== 200 && response.status !== 201)
      throw fhirStatusError(response.status, `a ${config.resourceType} update`)
    if (response.resource?.resourceType !== config.resourceType) {
      throw new NodeError(`The FHIR server did not return the updated ${config.resourceType}.`, {
        code: 'invalid-response',
      })
    }
    const port = match && response.status === 201 ? 'created' : 'updated'
    return { kind: 'next', port, set: writtenIds(response.resource, config) }
  },
})
