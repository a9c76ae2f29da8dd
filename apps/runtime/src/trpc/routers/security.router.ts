// The installation's security settings an admin keeps: which roles must log in with a second factor.
import { mfaPolicySchema } from '../../auth/mfa.service.ts'
import { procedureFor, router } from '../trpc.ts'

const admin = procedureFor('admin')

export const securityRouter = router({
  mfaPolicy: admin.query(({ ctx }) => ctx.runtime.mfa.policy()),
  setMfaPolicy: admin
    .input(mfaPolicySchema)
    .mutation(({ ctx, input }) =>
      ctx.runtime.mfa.setPolicy(input, { who: ctx.principal.username, role: ctx.principal.role }),
    ),
})
