import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import { procedureFor, router } from '../trpc.ts'

const agent = procedureFor('agent')
const taskId = z.string().min(1).max(200)
const json = z.unknown().transform((v) => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue)))

export const tasksRouter = router({
  inbox: agent.query(({ ctx }) => ctx.runtime.tasks.inbox(ctx.principal)),
  claim: agent
    .input(z.object({ id: taskId }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.tasks.claim(input.id, ctx.principal)),
  answer: agent
    .input(z.object({ id: taskId, answer: json }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.tasks.answer(input.id, input.answer, ctx.principal)),
})
