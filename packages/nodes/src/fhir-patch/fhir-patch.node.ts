import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
import { factPathSchema, jsonValueSchema } from '../fact-path.schema.ts'
import { fillTemplate, templateFacts } from '../fhir-create/fhir-template.ts'
import { resourceIdOf } from '../fhir-read/fhir-read.node.ts'
import {
  callFhir,
  FHIR_PHI,
  fhirStatusError,
  resourceTypeSchema,
  type JsonPatchOperation,
} from '../fhir-read/fhir-connector.ts'
import { fhirConnector } from '../fhir-read/fhir-settings.schema.ts'
import { isConflict, versionAt, writtenIds } from '../fhir-read/fhir-write.ts'
import { fhirPathOperationSchema, toFhirPathPatch, type FhirPathOperation } from './fhirpath-patch.ts'

/** An RFC 6901 JSON Pointer into the resource (`/status`, `/note/-`). */
const pointerSchema = z
  .string()
  .regex(/^(\/[^/]*)+$/, 'a JSON Pointer, like /status or /note/-')
  .describe('A JSON Pointer into the resource, e.g. /status or /note/- (append to a list).')

/** One JSON Patch operation; values may be {"$fact": "path"} templates. */
export const patchOperationSchema = z.discriminatedUnion('op', [
  z
    .object({
      op: z.enum(['add', 'replace', 'test']).describe('add, replace or test a value.'),
      path: pointerSchema,
      value: jsonValueSchema.describe('The value; {"$fact": "path"} takes it from a fact.'),
    })
    .strict(),
  z.object({ op: z.literal('remove').describe('Remove the element.'), path: pointerSchema }).strict(),
  z
    .object({
      op: z.enum(['move', 'copy']).describe('Move or copy an element.'),
      from: pointerSchema,
      path: pointerSchema,
    })
    .strict(),
])

export const fhirPatchConfigSchema = z
  .object({
    resourceType: resourceTypeSchema,
    idFrom: factPathSchema.describe('The fact holding the id of the resource to patch (a bare id or a reference).'),
    operations: z
      .array(patchOperationSchema)
      .min(1)
      .max(50)
      .optional()
      .describe('JSON Patch (RFC 6902) operations, applied in order and all or nothing.'),
    fhirPathOperations: z
      .array(fhirPathOperationSchema)
      .min(1)
      .max(50)
      .optional()
      .describe(
        'FHIRPath Patch operations (add, insert, delete, replace, move), applied in order and all or nothing. Use these or JSON Patch operations, not both.',
      ),
    versionFrom: factPathSchema
      .optional()
      .describe(
        'The fact holding the version the flow read. If the resource changed since, the node leaves by `conflict` and nothing is written.',
      ),
    versionInto: factPathSchema.optional().describe('Where the new version (meta.versionId) goes.'),
  })
  .strict()
  .refine((config) => (config.operations === undefined) !== (config.fhirPathOperations === undefined), {
    message: 'Give either JSON Patch operations or FHIRPath Patch operations (one of the two).',
    path: ['operations'],
  })
export type FhirPatchConfig = z.infer<typeof fhirPatchConfigSchema>

/** Changes part of a resource (a status, a note added) without sending the whole of it. */
export const fhirPatch = defineNodeType({
  type: 'fhir.patch',
  typeVersion: 1,
  title: 'Patch FHIR resource',
  description:
    'Changes parts of a FHIR R4 resource with JSON Patch or FHIRPath Patch on the FHIR server configured for the environment; with a version check, a change made by someone else since the flow read it goes to `conflict`.',
  category: 'Integration',
  icon: '◐',
  keywords: ['fhir', 'patch', 'json patch', 'fhirpath patch', 'write', 'status', 'version'],
  config: fhirPatchConfigSchema,
  defaults: {
    resourceType: 'Task',
    idFrom: 'task.id',
    operations: [{ op: 'replace', path: '/status', value: 'completed' }],
    versionFrom: 'task.version',
  },
  ports: (config) => [
    { name: 'patched', required: true, title: 'Patched' },
    { name: 'conflict', required: config.versionFrom !== undefined, title: 'Changed by someone else' },
    { name: 'notFound', required: false, title: 'Not found' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => [
    config.idFrom,
    ...[...(config.operations ?? []), ...(config.fhirPathOperations ?? [])].flatMap((operation) =>
      'value' in operation ? templateFacts(operation.value) : [],
    ),
    ...(config.versionFrom ? [config.versionFrom] : []),
  ],
  writes: (config) => (config.versionInto ? [config.versionInto] : []),
  phi: FHIR_PHI, // values may carry any class of fact to the server
  connectors: [fhirConnector], // its settings are stored per environment, never in the flow
  async execute(ctx, config) {
    const value = ctx.get(config.idFrom)
    const id = typeof value === 'string' ? resourceIdOf(value, config.resourceType) : undefined
    if (id === undefined) {
      throw new NodeError(`The fact ${config.idFrom} holds no ${config.resourceType} id.`, { code: 'missing-input' })
    }
    const filledValue = (value: JsonValue, index: number, path: string): JsonValue => {
      const filled: JsonValue | undefined = fillTemplate(ctx, value)
      if (filled === undefined || filled === null) {
        throw new NodeError(`Patch operation ${index + 1} (${path}) has no value: its fact is absent.`, {
          code: 'missing-input',
        })
      }
      return filled
    }
    const ifMatch = config.versionFrom ? versionAt(ctx, config.versionFrom) : undefined
    const version = ifMatch !== undefined ? { ifMatch } : {}
    const response = config.fhirPathOperations
      ? await callFhir(ctx, {
          op: 'fhirpathPatch',
          resourceType: config.resourceType,
          id,
          parameters: toFhirPathPatch(
            config.fhirPathOperations.map((operation, index): FhirPathOperation =>
              'value' in operation
                ? { ...operation, value: filledValue(operation.value, index, operation.path) }
                : operation,
            ),
          ),
          ...version,
        })
      : await callFhir(ctx, {
          op: 'patch',
          resourceType: config.resourceType,
          id,
          patch: (config.operations ?? []).map((operation, index): JsonPatchOperation =>
            'value' in operation
              ? { ...operation, value: filledValue(operation.value, index, operation.path) }
              : { ...operation },
          ),
          ...version,
        })
    if (isConflict(response.status)) return { kind: 'next', port: 'conflict' }
    if (response.status === 404 || response.status === 410) return { kind: 'next', port: 'notFound' }
    if (response.status === 400 || response.status === 422) {
      throw new NodeError(`The FHIR server refused the patch of the ${config.resourceType}.`, {
        code: 'fhir-invalid',
        retryable: false,
      })
    }
    if (response.status !== 200) throw fhirStatusError(response.status, `a ${config.resourceType} patch`)
    if (response.resource?.resourceType !== config.resourceType) {
      throw new NodeError(`The FHIR server did not return the patched ${config.resourceType}.`, {
        code: 'invalid-response',
      })
    }
    return { kind: 'next', port: 'patched', set: writtenIds(response.resource, config) }
  },
})
