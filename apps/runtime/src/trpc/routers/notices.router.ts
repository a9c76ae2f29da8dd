import { z } from 'zod'
import { noticeListPolicy } from '../../phi/change-notice.policy.ts'
import { NO_FACTS, redact } from '../../phi/redaction-policy.ts'
import { flowIdInput } from '../inputs.ts'
import { authedProcedure, procedureFor, router } from '../trpc.ts'

/** The roles that see flows (flows.get) may follow one. */
const flowReaders = procedureFor('analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance')

/** Change notices in the caller's inbox, and following a flow's changes. */
export const noticesRouter = router({
  /** The caller's notices, newest first, read or not. */
  mine: authedProcedure.query(async ({ ctx }) =>
    redact(noticeListPolicy, await ctx.runtime.notices.mine(ctx.principal), NO_FACTS),
  ),
  markRead: authedProcedure
    .input(z.object({ id: z.string().min(1).max(100), read: z.boolean().default(true) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.notices.markRead(input.id, input.read, ctx.principal)),
  subscription: flowReaders
    .input(z.object({ flowId: flowIdInput }).strict())
    .query(({ ctx, input }) => ctx.runtime.notices.subscribed(input.flowId, ctx.principal)),
  subscribe: flowReaders
    .input(z.object({ flowId: flowIdInput, subscribed: z.boolean() }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.notices.subscribe(input.flowId, input.subscribed, ctx.principal)),
})
