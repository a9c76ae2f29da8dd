import { z } from 'zod'
import { flowOwners } from '../../review/flow-owners.ts'
import { flowIdInput as flowId } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'
import { auditActor } from '../../auth/auth.service.ts'

const admin = procedureFor('admin')

/** Governance of change: a flow's owners as the editor and review show them, and the approval policy. */
export const governanceRouter = router({
  /** The flow's owners by kind (people by username, other addresses counted), for everyone who works on flows. */
  owners: procedureFor('analyst', 'developer', 'reviewer', 'auditor', 'compliance', 'operator', 'admin')
    .input(z.object({ id: flowId }).strict())
    .query(async ({ ctx, input }) => {
      await ctx.runtime.flowService.requireFlow(input.id)
      return flowOwners(ctx.runtime.store, input.id)
    }),
  /** The approval policy in effect and the change waiting for a second admin. */
  policy: procedureFor('admin', 'compliance', 'reviewer', 'auditor').query(({ ctx }) =>
    ctx.runtime.approvalPolicy.state(),
  ),
  /** Propose a new policy; it takes effect only when another admin approves it. Audited. */
  proposePolicy: admin
    .input(z.object({ policy: z.record(z.string(), z.unknown()) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.approvalPolicy.propose(input.policy, auditActor(ctx.principal))),
  approvePolicy: admin
    .input(z.object({}).strict())
    .mutation(({ ctx }) => ctx.runtime.approvalPolicy.approve(auditActor(ctx.principal))),
  discardPolicy: admin
    .input(z.object({}).strict())
    .mutation(({ ctx }) => ctx.runtime.approvalPolicy.discard(auditActor(ctx.principal))),
})
