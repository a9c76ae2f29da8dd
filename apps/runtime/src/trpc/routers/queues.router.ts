import { z } from 'zod'
import { flowRoleInput } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

// A queue is named like a flow role (kebab-case); `*` (every queue) is a membership, not a queue.
const queueName = flowRoleInput.refine((name) => name !== '*', 'name one queue, not *')

export const queuesRouter = router({
  /** Every work queue: description, members and the flows sending work to it (no patient data). */
  list: procedureFor('admin', 'analyst', 'developer', 'reviewer').query(({ ctx }) => ctx.runtime.queues.list()),
  save: procedureFor('admin')
    .input(z.object({ name: queueName, description: z.string().trim().max(500) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.queues.save(input.name, input.description, ctx.principal)),
})
