import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import { flowRoleInput, usernameInput } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

const agent = procedureFor('agent')
const taskId = z.string().min(1).max(200)
const json = z.unknown().transform((v) => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue)))

export const tasksRouter = router({
  inbox: agent.query(({ ctx }) => ctx.runtime.tasks.inbox(ctx.principal)),
  claim: agent
    .input(z.object({ id: taskId }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.tasks.claim(input.id, ctx.principal)),
  answer: agent.input(z.object({ id: taskId, answer: json }).strict()).mutation(async ({ ctx, input }) => {
    await ctx.runtime.attachments.checkTaskAnswer(input.id, input.answer, ctx.principal)
    return ctx.runtime.tasks.answer(input.id, input.answer, ctx.principal)
  }),
  release: agent
    .input(z.object({ id: taskId }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.tasks.release(input.id, ctx.principal)),
  reassign: agent
    .input(z.object({ id: taskId, to: usernameInput }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.tasks.reassign(input.id, input.to, ctx.principal)),
  escalate: agent
    .input(z.object({ id: taskId, to: flowRoleInput, reason: z.string().trim().min(1).max(500) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.tasks.escalate(input.id, input.to, input.reason, ctx.principal)),
  /** Overdue tasks across every queue, for operators and alerts: ids, queues and times, no patient data. */
  overdue: procedureFor('agent', 'developer', 'admin').query(({ ctx }) => ctx.runtime.tasks.overdue()),
})
