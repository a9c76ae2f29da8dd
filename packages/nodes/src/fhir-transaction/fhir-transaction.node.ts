import { z } from 'zod'
import { defineNodeType, NodeError, type JsonValue } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { callFhir, FHIR_PHI, fhirStatusError } from '../fhir-read/fhir-connector.ts'
import { fhirConnector } from '../fhir-read/fhir-settings.schema.ts'
import { isConflict } from '../fhir-read/fhir-write.ts'
import { buildEntry, bundleEntrySchema, entryReads, entryResults, type EntryResult } from './bundle-entries.ts'

export { bundleEntrySchema, type BundleEntryConfig, type EntryResult } from './bundle-entries.ts'

export const fhirTransactionConfigSchema = z
  .object({
    type: z
      .enum(['transaction', 'batch'])
      .default('transaction')
      .describe(
        'transaction: all entries are written or none (a version conflict in any goes to `conflict`); batch: each entry on its own (any failure goes to `partial`).',
      ),
    entries: z.array(bundleEntrySchema).min(1).max(100).describe('The writes, in order.'),
    into: factPathSchema
      .optional()
      .describe('Where the result of each entry goes: a list of {status, id, version}, in entry order.'),
  })
  .strict()
export type FhirTransactionConfig = z.infer<typeof fhirTransactionConfigSchema>

const resultJson = (results: EntryResult[]): JsonValue =>
  results.map((r) => ({
    status: r.status,
    ...(r.id ? { id: r.id } : {}),
    ...(r.version ? { version: r.version } : {}),
  }))

/** Writes several resources in one Bundle: all or nothing (transaction) or each on its own (batch). */
export const fhirTransaction = defineNodeType({
  type: 'fhir.transaction',
  typeVersion: 1,
  title: 'FHIR transaction / batch',
  description:
    'Sends several creates, updates and deletes to the FHIR server configured for the environment in one transaction (all or nothing) or batch Bundle.',
  category: 'Integration',
  icon: '▥',
  keywords: ['fhir', 'transaction', 'batch', 'bundle', 'write', 'atomic'],
  config: fhirTransactionConfigSchema,
  defaults: {
    type: 'transaction',
    entries: [{ method: 'POST', resource: { resourceType: 'Task', status: 'requested', intent: 'order' } }],
  },
  ports: (config) => [
    { name: 'done', required: true, title: config.type === 'transaction' ? 'Committed' : 'All written' },
    config.type === 'transaction'
      ? { name: 'conflict', required: true, title: 'Changed by someone else (nothing written)' }
      : { name: 'partial', required: true, title: 'Some entries failed' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => config.entries.flatMap(entryReads),
  writes: (config) => (config.into ? [config.into] : []),
  phi: FHIR_PHI, // the entries may carry any class of fact to the server
  connectors: [fhirConnector], // its settings are stored per environment, never in the flow
  async execute(ctx, config) {
    const entry = config.entries.map((item, index) => buildEntry(ctx, item, index))
    const response = await callFhir(ctx, { op: 'bundle', type: config.type, entry })
    if (config.type === 'transaction' && isConflict(response.status)) return { kind: 'next', port: 'conflict' }
    if (response.status === 400 || response.status === 422) {
      throw new NodeError(`The FHIR server refused the ${config.type} as invalid.`, {
        code: 'fhir-invalid',
        retryable: false,
      })
    }
    if (response.status !== 200) throw fhirStatusError(response.status, `a ${config.type}`)
    if (response.resource?.resourceType !== 'Bundle' || response.resource['type'] !== `${config.type}-response`) {
      throw new NodeError(`The FHIR server did not answer the ${config.type} with a ${config.type}-response.`, {
        code: 'invalid-response',
      })
    }
    const results = entryResults(response.resource)
    if (results.length !== entry.length) {
      throw new NodeError(`The FHIR server answered ${results.length} of ${entry.length} entries.`, {
        code: 'invalid-response',
      })
    }
    const set = config.into ? { [config.into]: resultJson(results) } : {}
    const failed = results.some((r) => r.status < 200 || r.status >= 300)
    if (!failed) return { kind: 'next', port: 'done', set }
    if (config.type === 'batch') return { kind: 'next', port: 'partial', set }
    // A transaction-response holding a failed entry means the server did not apply it atomically.
    throw new NodeError('The FHIR server reported a failed entry inside a committed transaction.', {
      code: 'invalid-response',
    })
  },
})
