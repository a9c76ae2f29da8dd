import { z } from 'zod'
import { defineNodeType, NodeError } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import {
  callFhir,
  compileExtract,
  extractFacts,
  extractProblems,
  extractSchema,
  extractSet,
  extractWrites,
  FHIR_PHI,
  fhirStatusError,
  resourceTypeSchema,
} from './fhir-connector.ts'
import { fhirConnector } from './fhir-settings.schema.ts'

export const fhirReadConfigSchema = z
  .object({
    resourceType: resourceTypeSchema,
    idFrom: factPathSchema.describe('The fact holding the resource id (a bare id or a reference such as Patient/123).'),
    into: factPathSchema.describe('Where the resource (or the extracted facts) goes.'),
    extract: extractSchema,
  })
  .strict()
export type FhirReadConfig = z.infer<typeof fhirReadConfigSchema>

/** The id part of `Patient/123`, `https://x/fhir/Patient/123` or `123`, when it names this type. */
export function resourceIdOf(value: string, resourceType: string): string | undefined {
  const parts = value.trim().split('/')
  const id = parts.at(-1) ?? ''
  if (parts.length > 1 && parts.at(-2) !== resourceType) return undefined
  return /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? id : undefined
}

/** Reads one resource by id from the environment's FHIR server. */
export const fhirRead = defineNodeType({
  type: 'fhir.read',
  typeVersion: 1,
  title: 'Read FHIR resource',
  description: 'Reads one FHIR R4 resource by id from the FHIR server configured for the environment.',
  category: 'Integration',
  icon: '⇩',
  keywords: ['fhir', 'read', 'patient', 'coverage', 'ehr'],
  config: fhirReadConfigSchema,
  defaults: { resourceType: 'Patient', idFrom: 'patient.id', into: 'patient', extract: {} },
  ports: () => [
    { name: 'found', required: true, title: 'Found' },
    { name: 'notFound', required: true, title: 'Not found' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => [config.idFrom],
  writes: (config) => extractWrites(config.into, config.extract),
  phi: FHIR_PHI, // any resource type may be read, so any class may pass through
  connectors: [fhirConnector], // its settings are stored per environment, never in the flow
  check: (config) => extractProblems(config.extract),
  async execute(ctx, config) {
    const value = ctx.get(config.idFrom)
    const id = typeof value === 'string' ? resourceIdOf(value, config.resourceType) : undefined
    if (id === undefined) {
      throw new NodeError(`The fact ${config.idFrom} holds no ${config.resourceType} id.`, { code: 'missing-input' })
    }
    const compiled = ctx.memo(() => compileExtract(config.extract))
    const response = await callFhir(ctx, { op: 'read', resourceType: config.resourceType, id })
    if (response.status === 404 || response.status === 410) return { kind: 'next', port: 'notFound' }
    if (response.status !== 200) throw fhirStatusError(response.status, `a ${config.resourceType} read`)
    if (response.resource?.resourceType !== config.resourceType) {
      throw new NodeError(`The FHIR server did not return a ${config.resourceType}.`, { code: 'invalid-response' })
    }
    const facts = extractFacts(response.resource, compiled, ctx.now())
    return { kind: 'next', port: 'found', set: extractSet(config.into, facts, config.extract) }
  },
})
