import { z } from 'zod'
import { attachmentListPolicy } from '../../phi/attachment.policy.ts'
import { NO_FACTS, redact } from '../../phi/redaction-policy.ts'
import { flowIdInput } from '../inputs.ts'
import { authedProcedure, procedureFor, router } from '../trpc.ts'

const target = z
  .object({ kind: z.enum(['review', 'task']), flowId: flowIdInput, subject: z.string().min(1).max(200) })
  .strict()

/** Evidence: the list of a review's or a task's attachments, and the size limit. Files go up and down over /api/attachments. */
export const attachmentsRouter = router({
  /** Whom it may concern is checked by the service: review roles for a review, the queue's workers for a task. */
  list: procedureFor('analyst', 'developer', 'reviewer', 'auditor', 'agent')
    .input(target)
    .query(async ({ ctx, input }) =>
      redact(attachmentListPolicy, await ctx.runtime.attachments.list(input, ctx.principal), NO_FACTS),
    ),
  settings: authedProcedure.query(({ ctx }) => ctx.runtime.attachments.config()),
  setSettings: procedureFor('admin')
    .input(z.object({ maxBytes: z.number() }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.attachments.configure(input)),
})
