import { z } from 'zod'
import { defineNodeType, NodeError, type ConfigProblem, type ExecuteContext, type JsonValue } from '@carepath/dsl'
import { factPathSchema, jsonValueSchema } from '../fact-path.schema.ts'
import { callFhir, FHIR_PHI, fhirStatusError, resourceTypeSchema } from '../fhir-read/fhir-connector.ts'
import { fhirConnector } from '../fhir-read/fhir-settings.schema.ts'

export const fhirCreateConfigSchema = z
  .object({
    resourceType: resourceTypeSchema,
    resource: z
      .record(z.string(), jsonValueSchema)
      .describe(
        'The resource to create. A value written as {"$fact": "path"} is replaced by that fact (the whole value, never spliced into text).',
      ),
    idInto: factPathSchema.optional().describe('Where the id the server gave the new resource goes.'),
  })
  .strict()
export type FhirCreateConfig = z.infer<typeof fhirCreateConfigSchema>

function factRef(value: JsonValue): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === '$fact' && typeof value['$fact'] === 'string' ? value['$fact'] : undefined
}

/** Every `{"$fact": path}` in a template, in document order. */
export function templateFacts(value: JsonValue): string[] {
  const ref = factRef(value)
  if (ref !== undefined) return [ref]
  if (Array.isArray(value)) return value.flatMap(templateFacts)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(templateFacts)
  return []
}

function fillTemplate(ctx: ExecuteContext, value: JsonValue): JsonValue | undefined {
  const ref = factRef(value)
  if (ref !== undefined) return ctx.get(ref)
  if (Array.isArray(value))
    return value.map((item) => fillTemplate(ctx, item)).filter((item): item is JsonValue => item !== undefined)
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {}
    for (const [key, item] of Object.entries(value)) {
      const filled = fillTemplate(ctx, item)
      // An absent fact leaves the element out rather than writing null, which FHIR refuses.
      if (filled !== undefined && filled !== null) out[key] = filled
    }
    return out
  }
  return value
}

/** Creates a resource (a Task, Communication, ServiceRequest ...) on the environment's FHIR server. */
export const fhirCreate = defineNodeType({
  type: 'fhir.create',
  typeVersion: 1,
  title: 'Create FHIR resource',
  description:
    'Creates a FHIR R4 resource from a template filled with facts on the FHIR server configured for the environment.',
  category: 'Integration',
  icon: '➕',
  keywords: ['fhir', 'create', 'write', 'task', 'servicerequest'],
  config: fhirCreateConfigSchema,
  defaults: { resourceType: 'Task', resource: { resourceType: 'Task', status: 'requested', intent: 'order' } },
  ports: () => [
    { name: 'created', required: true, title: 'Created' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => templateFacts(config.resource),
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
    const resource = fillTemplate(ctx, config.resource) as { [key: string]: JsonValue }
    if (resource['resourceType'] !== config.resourceType) {
      throw new NodeError(`The template does not describe a ${config.resourceType}.`, { code: 'invalid-config' })
    }
    delete resource['id'] // the server assigns ids on create
    const response = await callFhir(ctx, { op: 'create', resource })
    if (response.status === 400 || response.status === 422) {
      throw new NodeError(`The FHIR server refused the new ${config.resourceType} as invalid.`, {
        code: 'fhir-invalid',
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
    return { kind: 'next', port: 'created', ...(config.idInto ? { set: { [config.idInto]: id } } : {}) }
  },
})
