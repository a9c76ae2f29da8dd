import { z } from 'zod'
import { incidentFilterSchema } from '../../operations/incident-store.ts'
import { procedureFor, router } from '../trpc.ts'

const operators = procedureFor('operator', 'admin')
const runId = z.string().min(1).max(100)
/** Why an operator skipped or cancelled: their words, audited. */
const reason = z.string().trim().min(3, 'say why, in a few words').max(500)

/** Incidents: runs held at a failed step, and what an operator does about them. */
export const incidentsRouter = router({
  list: operators
    .input(
      z
        .object({
          filter: incidentFilterSchema.default({ status: 'open' }),
          limit: z.number().int().min(1).max(500).default(200),
        })
        .strict(),
    )
    .query(async ({ ctx, input }) => ({
      total: await ctx.runtime.incidents.count(input.filter),
      incidents: await ctx.runtime.incidents.list(input.filter, input.limit),
    })),
  retry: operators
    .input(z.object({ runId }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.incidents.retry(input.runId, ctx.principal)),
  /** Retries what the filter matches, once the operator has confirmed how many that is. */
  bulkRetry: operators
    .input(z.object({ filter: incidentFilterSchema, expectedCount: z.number().int().min(1) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.incidents.bulkRetry(input.filter, input.expectedCount, ctx.principal)),
  skip: operators
    .input(z.object({ runId, port: z.string().min(1).max(100), reason }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.incidents.skip(input.runId, input.port, input.reason, ctx.principal)),
  cancel: operators
    .input(z.object({ runId, reason }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.incidents.cancel(input.runId, input.reason, ctx.principal)),
})
