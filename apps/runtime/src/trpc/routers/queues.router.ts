import { z } from 'zod'
import { phiClassSchema } from '@carepath/dsl'
import { flowRoleInput } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

// A queue is named like a flow role (kebab-case); `*` (every queue) is a membership, not a queue.
const queueName = flowRoleInput.refine((name) => name !== '*', 'name one queue, not *')
// A clearance: the PHI classes the queue's people may see, each once (what is not PHI, `none`, is
// always seen); null sets none, and each flow's role decides alone.
const clearance = z
  .array(phiClassSchema.exclude(['none']))
  .refine((classes) => new Set(classes).size === classes.length, 'name each PHI class once')
  .nullable()
// The version the admin's edit started from (`list`'s `version`), or null for a queue never saved.
const baseVersion = z.iso.datetime().nullable()

export const queuesRouter = router({
  /** Every work queue: description, version, members and the flows sending work to it (no patient data). */
  list: procedureFor('admin', 'analyst', 'developer', 'reviewer').query(({ ctx }) => ctx.runtime.queues.list()),
  /** Name a queue or change it; refused (`CONFLICT`) when it was saved since `baseVersion`. */
  save: procedureFor('admin')
    .input(z.object({ name: queueName, description: z.string().trim().max(500), phi: clearance, baseVersion }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.queues.save(input, ctx.principal)),
})
