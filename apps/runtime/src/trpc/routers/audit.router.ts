import { z } from 'zod'
import { auditActor } from '../../auth/auth.service.ts'
import { auditListPolicy } from '../../phi/audit-record.policy.ts'
import { NO_FACTS, redact } from '../../phi/redaction-policy.ts'
import { accessRowsCsv, auditSearchSchema } from '../../audit/audit-search.ts'
import { procedureFor, router } from '../trpc.ts'

const auditor = procedureFor('auditor')

export const auditRouter = router({
  // Records hold no patient values (only references); their policy declares it part by part.
  list: auditor
    .input(
      z
        .object({ limit: z.number().int().min(1).max(1000).default(100), cursor: z.number().int().min(0).optional() })
        .strict()
        .optional(),
    )
    .query(async ({ ctx, input }) =>
      redact(
        auditListPolicy,
        await ctx.runtime.audit.list({ limit: input?.limit ?? 100, cursor: input?.cursor }),
        NO_FACTS,
      ),
    ),
  verify: auditor.query(({ ctx }) => ctx.runtime.audit.verifyOnThreads()),
  /**
   * Search the trail by user, run, patient (an MRN or FHIR id, looked up by its keyed hash),
   * action and time; `accessOnly` gives the accounting of access. The search is audited.
   */
  search: auditor
    .input(auditSearchSchema)
    .query(({ ctx, input }) => ctx.runtime.auditSearch.search(input, auditActor(ctx.principal))),
  /** The same search as a CSV file (up to 1,000 rows a file), audited as an export. */
  exportCsv: auditor.input(auditSearchSchema).mutation(async ({ ctx, input }) => {
    const result = await ctx.runtime.auditSearch.search(input, auditActor(ctx.principal), true)
    return { csv: accessRowsCsv(result.rows), rows: result.rows.length, nextBefore: result.nextBefore }
  }),
})
