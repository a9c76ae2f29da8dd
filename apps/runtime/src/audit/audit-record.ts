import { z } from 'zod'
import { auditEntrySchema } from './audit-why.ts'
import { canonicalJson } from '@carepath/dsl'

const auditRecordBaseSchema = z.object({
  resourceType: z.literal('AuditEvent'),
  recorded: z.string(),
  outcome: z.enum(['success', 'failure']),
  agent: z.object({ who: z.string(), role: z.string() }),
  entity: z.object({
    flow: z.string().optional(),
    hash: z.string().optional(),
    run: z.string().optional(),
    task: z.string().optional(),
    user: z.string().optional(),
  }),
})

/**
 * One audit record, shaped after FHIR AuditEvent: who (agent), action, what (entity), outcome,
 * when (recorded), why (purpose/explanation). `why` is typed per action (audit-why.ts); decision
 * explanations in it hold references in place of patient values — never the values.
 */
export const auditRecordSchema = z.intersection(auditRecordBaseSchema, auditEntrySchema)
/** What every record has, whatever its action. */
export type AuditRecordBase = z.infer<typeof auditRecordBaseSchema>
export type AuditRecord = z.infer<typeof auditRecordSchema>

export { chainHash, GENESIS_HASH, keyedChainHash, keyedGenesis } from './chain-hash.ts'

export function recordJson(record: AuditRecord): string {
  return canonicalJson(record)
}
