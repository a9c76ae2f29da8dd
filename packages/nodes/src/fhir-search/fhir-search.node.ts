import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
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
} from '../fhir-read/fhir-connector.ts'
import { fhirConnector } from '../fhir-read/fhir-settings.schema.ts'
import { resolveSearchParams, searchParamSchema, searchParamsReads } from './search-params.ts'

export { searchParamSchema, searchParamsReads, type SearchParam } from './search-params.ts'

export const fhirSearchConfigSchema = z
  .object({
    resourceType: resourceTypeSchema,
    params: z.array(searchParamSchema).min(1).describe('Search parameters; every one must match.'),
    mode: z
      .enum(['first', 'all'])
      .default('first')
      .describe('first: the first match goes to `into`; all: the list of matches.'),
    max: z.number().int().min(1).max(100).default(20).describe('At most this many matches are asked for.'),
    into: factPathSchema.describe('Where the match (or the list of matches) goes.'),
    extract: extractSchema,
  })
  .strict()
export type FhirSearchConfig = z.infer<typeof fhirSearchConfigSchema>

function bundleMatches(bundle: Record<string, unknown>, resourceType: string): object[] {
  const entries = Array.isArray(bundle['entry']) ? bundle['entry'] : []
  return entries.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return []
    const { resource, search } = entry as { resource?: { resourceType?: unknown }; search?: { mode?: unknown } }
    // `_include`d resources and OperationOutcome warnings are not matches.
    if (search?.mode !== undefined && search.mode !== 'match') return []
    return resource?.resourceType === resourceType ? [resource] : []
  })
}

/** Searches the environment's FHIR server (e.g. a patient by MRN, a patient's active coverage). */
export const fhirSearch = defineNodeType({
  type: 'fhir.search',
  typeVersion: 1,
  title: 'Search FHIR resources',
  description: 'Searches the FHIR server configured for the environment and keeps the first match or all of them.',
  category: 'Integration',
  icon: '⚲',
  keywords: ['fhir', 'search', 'find', 'coverage', 'patient', 'mrn'],
  config: fhirSearchConfigSchema,
  // A search needs one parameter and a fact path cannot be empty, so the default reads a fact
  // named for what it holds rather than one another flow has (patient.mrn): until the analyst
  // picks or declares it, validation reports it as a fact the facts schema lacks.
  defaults: {
    resourceType: 'Patient',
    params: [{ name: 'identifier', valueFrom: 'search.identifier', prefix: '' }],
    mode: 'first',
    max: 20,
    into: 'patient',
    extract: {},
  },
  ports: () => [
    { name: 'found', required: true, title: 'Found' },
    { name: 'notFound', required: true, title: 'None found' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => searchParamsReads(config.params),
  writes: (config) => (config.mode === 'first' ? extractWrites(config.into, config.extract) : [config.into]),
  phi: FHIR_PHI, // any resource type may be searched, so any class may pass through
  connectors: [fhirConnector], // its settings are stored per environment, never in the flow
  check: (config) => extractProblems(config.extract),
  async execute(ctx, config) {
    const params = resolveSearchParams(ctx, config.params, `search ${config.resourceType} by`)
    params.push(['_count', String(config.max)])
    const compiled = ctx.memo(() => compileExtract(config.extract))
    const response = await callFhir(ctx, { op: 'search', resourceType: config.resourceType, params })
    if (response.status !== 200) throw fhirStatusError(response.status, `a ${config.resourceType} search`)
    if (response.resource?.resourceType !== 'Bundle') {
      throw new NodeError('The FHIR server did not answer the search with a Bundle.', { code: 'invalid-response' })
    }
    const matches = bundleMatches(response.resource, config.resourceType).slice(0, config.max)
    if (matches.length === 0) return { kind: 'next', port: 'notFound' }
    if (config.mode === 'first') {
      const facts = extractFacts(matches[0]!, compiled, ctx.now())
      return { kind: 'next', port: 'found', set: extractSet(config.into, facts, config.extract) }
    }
    const list: JsonValue[] = matches.map((match) => extractFacts(match, compiled, ctx.now()))
    return { kind: 'next', port: 'found', set: { [config.into]: list } }
  },
})
