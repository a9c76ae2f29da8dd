import { z } from 'zod'
import { authedProcedure, publicProcedure, router } from '../trpc.ts'

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.auth.login(input.username, input.password)),
  logout: authedProcedure.mutation(({ ctx }) => {
    if (ctx.token) ctx.runtime.auth.logout(ctx.token, ctx.principal)
    return { ok: true as const }
  }),
  me: authedProcedure.query(({ ctx }) => ({
    id: ctx.principal.userId,
    username: ctx.principal.username,
    role: ctx.principal.role,
    flowRoles: ctx.principal.flowRoles,
  })),
})
