import { z } from 'zod'
import { auditActor } from '../../auth/auth.service.ts'
import { authedProcedure, procedureFor, router } from '../trpc.ts'

const operators = procedureFor('operator', 'admin')

/** Alerts, and the owners and rules that open and route them. */
export const alertsRouter = router({
  list: operators
    .input(z.object({ status: z.enum(['open', 'closed']).default('open') }).strict())
    .query(({ ctx, input }) => ctx.runtime.alerts.list(input)),
  /** The open alerts addressed to the caller (an owner's in-app inbox), whatever their role. */
  mine: authedProcedure.query(({ ctx }) => ctx.runtime.alerts.mine(ctx.principal)),
  /** Look at every rule now (the server also does so on an interval). */
  evaluate: operators.mutation(({ ctx }) => ctx.runtime.alerts.evaluate()),
  settings: operators.query(({ ctx }) => ctx.runtime.alerts.config()),
  /** Owners per flow and alert rules; a malformed rule (a window of "5m", say) is refused whole. Audited. */
  setSettings: operators
    .input(z.object({ settings: z.record(z.string(), z.unknown()) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.alerts.configure(input.settings, auditActor(ctx.principal))),
  /** Who and what owners can be named for: the flows (ids, titles) and the active people (names, roles). */
  candidates: operators.query(async ({ ctx }) => ({
    flows: (await ctx.runtime.flowService.list()).map((f) => ({ id: f.id, title: f.title })),
    users: (await ctx.runtime.auth.listUsers())
      .filter((u) => !u.disabled)
      .map((u) => ({ username: u.username, role: u.role })),
  })),
})
