import { z } from 'zod'
import { procedureFor, router } from '../trpc.ts'

const auditor = procedureFor('auditor')

export const auditRouter = router({
  // Records hold no patient values (only references), so they need no redaction beyond their own making.
  list: auditor
    .input(
      z
        .object({ limit: z.number().int().min(1).max(1000).default(100), cursor: z.number().int().min(0).optional() })
        .strict()
        .optional(),
    )
    .query(({ ctx, input }) => ctx.runtime.audit.list({ limit: input?.limit ?? 100, cursor: input?.cursor })),
  verify: auditor.query(({ ctx }) => ctx.runtime.audit.verify()),
})
