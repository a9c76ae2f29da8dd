import { z } from 'zod'
import { auditListPolicy } from '../../phi/audit-record.policy.ts'
import { NO_FACTS, redact } from '../../phi/redaction-policy.ts'
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
    .query(({ ctx, input }) =>
      redact(auditListPolicy, ctx.runtime.audit.list({ limit: input?.limit ?? 100, cursor: input?.cursor }), NO_FACTS),
    ),
  verify: auditor.query(({ ctx }) => ctx.runtime.audit.verify()),
})
