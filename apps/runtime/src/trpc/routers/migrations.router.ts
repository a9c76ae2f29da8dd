import { z } from 'zod'
import { flowIdInput as flowId } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'a content hash (64 hex digits)')
const nodeId = z.string().min(1).max(100)
const id = z.string().min(1).max(100)

export const migrationsRouter = router({
  /** Propose moving the waiting runs of an older version to the published one; returns the simulator's report. */
  plan: procedureFor('analyst', 'developer')
    .input(z.object({ flowId, fromHash: hash, mapping: z.record(nodeId, nodeId).default({}) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.migrations.plan(input, ctx.principal)),
  list: procedureFor('analyst', 'developer', 'reviewer', 'auditor')
    .input(z.object({ flowId }).strict())
    .query(({ ctx, input }) => ctx.runtime.migrations.list(input.flowId)),
  /** Four eyes: a reviewer who did not propose it. */
  approve: procedureFor('reviewer')
    .input(z.object({ id }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.migrations.approve(input.id, ctx.principal)),
  /** Move the runs of an approved plan (tRPC reserves the name apply). */
  migrate: procedureFor('reviewer')
    .input(z.object({ id }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.migrations.apply(input.id, ctx.principal)),
})
