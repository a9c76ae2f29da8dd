import { createHash } from 'node:crypto'
import { z } from 'zod'
import { canonicalJson } from '@carepath/dsl'

/**
 * One audit record, shaped after FHIR AuditEvent: who (agent), action, what (entity), outcome,
 * when (recorded), why (purpose/explanation). `why` holds decision explanations with patient
 * values replaced by references or hashes — never the values.
 */
export const auditRecordSchema = z.object({
  resourceType: z.literal('AuditEvent'),
  recorded: z.string(),
  action: z.string(),
  outcome: z.enum(['success', 'failure']),
  agent: z.object({ who: z.string(), role: z.string() }),
  entity: z.object({
    flow: z.string().optional(),
    hash: z.string().optional(),
    run: z.string().optional(),
    task: z.string().optional(),
    user: z.string().optional(),
  }),
  why: z.unknown().optional(),
})
export type AuditRecord = z.infer<typeof auditRecordSchema>

export const GENESIS_HASH = '0'.repeat(64)

/** The chain link: sha256 over the previous record's hash and this record's canonical JSON. */
export function chainHash(prevHash: string, recordJson: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(recordJson).digest('hex')
}

export function recordJson(record: AuditRecord): string {
  return canonicalJson(record)
}
