import { z } from 'zod'
import { defineNodeType, NodeError, type ConfigProblem } from '@carepath/dsl'
import { factPathSchema, jsonValueSchema } from '../fact-path.schema.ts'
import { callFhir, FHIR_PHI, fhirStatusError, resourceTypeSchema } from '../fhir-read/fhir-connector.ts'
import { fhirConnector } from '../fhir-read/fhir-settings.schema.ts'
import { resolveSearchParams, searchParamSchema, searchParamsReads } from '../fhir-search/search-params.ts'
import { fillResource, templateFacts } from './fhir-template.ts'

export { templateFacts } from './fhir-template.ts'

export const fhirCreateConfigSchema = z
  .object({
    resourceType: resourceTypeSchema,
    resource: z
      .record(z.string(), jsonValueSchema)
      .describe(
        'The resource to create. A value written as {"$fact": "path"} is replaced by that fact (the whole value, never spliced into text).',
      ),
    idInto: factPathSchema.optional().describe('Where the id the server gave the new resource goes.'),
    ifNoneExist: z
      .array(searchParamSchema)
      .min(1)
      .optional()
      .describe(
        'Conditional create: when a resource already matches these search parameters nothing is created and the node leaves by `exists` (its id goes to idInto).',
      ),
  })
  .strict()
export type FhirCreateConfig = z.infer<typeof fhirCreateConfigSchema>

/** Creates a resource (a Task, Communication, ServiceRequest ...) on the environment's FHIR server. */
export const fhirCreate = defineNodeType({
  type: 'fhir.create',
  typeVersion: 1,
  title: 'Create FHIR resource',
  description:
    'Creates a FHIR R4 resource from a template filled with facts on the FHIR server configured for the environment.',
  category: 'Integration',
  icon: '⊕',
  keywords: ['fhir', 'create', 'write', 'task', 'servicerequest'],
  config: fhirCreateConfigSchema,
  defaults: { resourceType: 'Task', resource: { resourceType: 'Task', status: 'requested', intent: 'order' } },
  ports: (config) => [
    { name: 'created', required: true, title: 'Created' },
    ...(config.ifNoneExist ? [{ name: 'exists', required: true, title: 'Already there' }] : []),
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => [...templateFacts(config.resource), ...searchParamsReads(config.ifNoneExist ?? [])],
  writes: (config) => (config.idInto ? [config.idInto] : []),
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
    return problems
  },
  async execute(ctx, config) {
    const resource = fillResource(ctx, config.resource)
    if (resource?.['resourceType'] !== config.resourceType) {
      throw new NodeError(`The template does not describe a ${config.resourceType}.`, { code: 'invalid-config' })
    }
    delete resource['id'] // the server assigns ids on create
    const ifNoneExist = config.ifNoneExist
      ? resolveSearchParams(ctx, config.ifNoneExist, `look for an existing ${config.resourceType} by`)
      : undefined
    const response = await callFhir(ctx, { op: 'create', resource, ...(ifNoneExist ? { ifNoneExist } : {}) })
    if (response.status === 400 || response.status === 422) {
      throw new NodeError(`The FHIR server refused the new ${config.resourceType} as invalid.`, {
        code: 'fhir-invalid',
        retryable: false,
      })
    }
    if (ifNoneExist && response.status === 412) {
      throw new NodeError(`More than one ${config.resourceType} matches, so none was created.`, {
        code: 'fhir-412',
        retryable: false,
      })
    }
    if (response.status !== 201 && response.status !== 200)
      throw fhirStatusError(response.status, `a ${config.resourceType} create`)
    const id = response.resource?.['id']
    if (response.resource?.resourceType !== config.resourceType || typeof id !== 'string') {
      throw new NodeError(`The FHIR server did not return the new ${config.resourceType}.`, {
        code: 'invalid-response',
      })
    }
    // A conditional create that found its match answers 200 with the existing resource.
    const port = ifNoneExist && response.status === 200 ? 'exists' : 'created'
    return { kind: 'next', port, ...(config.idInto ? { set: { [config.idInto]: id } } : {}) }
  },
})
