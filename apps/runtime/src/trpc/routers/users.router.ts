import { z } from 'zod'
import { USER_ROLES } from '../../db/schema.ts'
import { flowRoleInput, usernameInput as username } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'
import { createTokenInput } from './tokens.router.ts'

const admin = procedureFor('admin')
const flowRoles = z.array(flowRoleInput).max(50)

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
    .mutation(({ ctx, input }) =>
      ctx.runtime.auth.addUser(input, { who: ctx.principal.username, role: ctx.principal.role }),
    ),
  setFlowRoles: admin.input(z.object({ username, flowRoles }).strict()).mutation(async ({ ctx, input }) => {
    await ctx.runtime.auth.setFlowRoles(input.username, input.flowRoles, {
      who: ctx.principal.username,
      role: ctx.principal.role,
    })
    return { ok: true as const }
  }),
  set: admin
    .input(z.object({ username, role: z.enum(USER_ROLES), active: z.boolean() }).strict())
    .mutation(async ({ ctx, input }) => {
      await ctx.runtime.auth.setUser(
        input.username,
        { role: input.role, active: input.active },
        { who: ctx.principal.username, role: ctx.principal.role },
      )
      return { ok: true as const }
    }),
  /** Kept for existing callers; `tokens.create` is the same procedure next to `tokens.list` and `tokens.revoke`. */
  createToken: admin
    .input(createTokenInput)
    .mutation(({ ctx, input }) =>
      ctx.runtime.auth.createApiToken(input, { who: ctx.principal.username, role: ctx.principal.role }),
    ),
})
