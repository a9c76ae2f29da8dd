import { z } from 'zod'
import { auditActor } from '../../auth/auth.service.ts'
import { USER_ROLES } from '../../db/schema.ts'
import { flowRoleInput, usernameInput as username } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'
import { createTokenInput } from './tokens.router.ts'

const admin = procedureFor('admin')
const flowRoles = z.array(flowRoleInput).max(50)
// The version of the person the admin's change started from (`list`'s `version`): a save from a
// screen says what it was based on, so it cannot silently undo another admin's change.
const baseVersion = z.iso.datetime()

export const usersRouter = router({
  list: admin.query(({ ctx }) => ctx.runtime.auth.listUsers()),
  add: admin
    .input(
      z
        .object({
          username,
          password: z.string().min(12, 'a password has at least 12 characters').max(1000),
          role: z.enum(USER_ROLES),
          flowRoles: flowRoles.optional(),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) => ctx.runtime.auth.addUser(input, auditActor(ctx.principal))),
  /** A person's whole list of queues; refused (`CONFLICT`) when they were changed since `baseVersion`. */
  setFlowRoles: admin
    .input(z.object({ username, flowRoles, baseVersion }).strict())
    .mutation(async ({ ctx, input }) => {
      const { version } = await ctx.runtime.auth.setFlowRoles(
        input.username,
        input.flowRoles,
        auditActor(ctx.principal),
        input.baseVersion,
      )
      return { ok: true as const, version }
    }),
  /**
   * A person's product role and log-in, and with `flowRoles` their queues in the same write;
   * refused (`CONFLICT`) when they were changed since `baseVersion`.
   */
  set: admin
    .input(
      z
        .object({
          username,
          role: z.enum(USER_ROLES),
          active: z.boolean(),
          flowRoles: flowRoles.optional(),
          baseVersion,
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const { version } = await ctx.runtime.auth.setUser(
        input.username,
        { role: input.role, active: input.active, flowRoles: input.flowRoles },
        auditActor(ctx.principal),
        input.baseVersion,
      )
      return { ok: true as const, version }
    }),
  /** Kept for existing callers; `tokens.create` is the same procedure next to `tokens.list` and `tokens.revoke`. */
  createToken: admin
    .input(createTokenInput)
    .mutation(({ ctx, input }) => ctx.runtime.auth.createApiToken(input, auditActor(ctx.principal))),
})
