import { z } from 'zod'
import { bulkReprocess, reprocessDeadLetters } from '../../operations/dead-letter-reprocess.ts'
import { deadLetterFilterSchema } from '../../operations/dead-letters.service.ts'
import { procedureFor, router } from '../trpc.ts'

const operators = procedureFor('operator', 'admin')

/** Dead letters: inbound messages that started no run, searched and reprocessed by operators. */
export const deadLettersRouter = router({
  list: operators
    .input(
      z
        .object({
          filter: deadLetterFilterSchema.default({ status: 'open' }),
          limit: z.number().int().min(1).max(500).default(200),
        })
        .strict(),
    )
    .query(async ({ ctx, input }) => ({
      total: await ctx.runtime.deadLetters.count(input.filter),
      deadLetters: await ctx.runtime.deadLetters.list(input.filter, input.limit),
    })),
  reprocess: operators
    .input(z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(100) }).strict())
    .mutation(async ({ ctx, input }) => ({
      results: await reprocessDeadLetters(ctx.runtime, [...new Set(input.ids)], ctx.principal),
    })),
  bulkReprocess: operators
    .input(z.object({ filter: deadLetterFilterSchema, expectedCount: z.number().int().min(1) }).strict())
    .mutation(({ ctx, input }) => bulkReprocess(ctx.runtime, input.filter, input.expectedCount, ctx.principal)),
})
