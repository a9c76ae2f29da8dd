// The installation's security settings and reviews: which roles must log in with a second factor
// (admin), how long each flow's run data is kept (admin), break-glass reveals (asked for by
// whoever reads runs, reviewed and signed off by compliance: the auditor role).
import { z } from 'zod'
import { phiClassSchema } from '@carepath/dsl'
import { mfaPolicySchema } from '../../auth/mfa.service.ts'
import { REVEAL_MAX_MINUTES } from '../../phi/break-glass.service.ts'
import { flowIdInput } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'
import { auditActor } from '../../auth/auth.service.ts'

const admin = procedureFor('admin')
const auditor = procedureFor('auditor')

export const securityRouter = router({
  mfaPolicy: admin.query(({ ctx }) => ctx.runtime.mfa.policy()),
  setMfaPolicy: admin
    .input(mfaPolicySchema)
    .mutation(({ ctx, input }) => ctx.runtime.mfa.setPolicy(input, auditActor(ctx.principal))),
  /** Rotate the key-encryption key, live: every data key and TOTP secret is re-wrapped under a new one. */
  rotateKeys: admin.mutation(({ ctx }) => ctx.runtime.rotateKeys(auditActor(ctx.principal))),
  retention: admin.query(async ({ ctx }) => ({
    runsDays: await ctx.runtime.retention.periods(),
    hl7InboundDays: await ctx.runtime.retention.inboundPeriod(),
    auditYears: ctx.runtime.retention.auditYears,
  })),
  /** How many days inbound HL7 messages are kept (null: no limit). */
  setInboundRetention: admin
    .input(z.object({ days: z.number().int().min(1).max(36_500).nullable() }).strict())
    .mutation(async ({ ctx, input }) => ({
      hl7InboundDays: await ctx.runtime.retention.setInboundPeriod(input.days, auditActor(ctx.principal)),
    })),
  setRetention: admin
    .input(z.object({ flowId: flowIdInput, days: z.number().int().min(1).max(36_500).nullable() }).strict())
    .mutation(async ({ ctx, input }) => ({
      runsDays: await ctx.runtime.retention.setPeriod(input.flowId, input.days, auditActor(ctx.principal)),
    })),
  /** Break the glass: see PHI classes your role may not, for one run, for a few minutes, with a reason. */
  requestReveal: procedureFor('agent', 'developer', 'reviewer', 'auditor', 'analyst')
    .input(
      z
        .object({
          runId: z.string().min(1).max(100),
          classes: z.array(phiClassSchema).min(1).max(10),
          reason: z.string().trim().min(20, 'say why in at least 20 characters').max(1000),
          minutes: z.number().int().min(1).max(REVEAL_MAX_MINUTES).default(15),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) => ctx.runtime.breakGlass.request(input, ctx.principal)),
  reveals: auditor
    .input(
      z
        .object({ pendingOnly: z.boolean().default(false) })
        .strict()
        .optional(),
    )
    .query(({ ctx, input }) => ctx.runtime.breakGlass.list({ pendingOnly: input?.pendingOnly ?? false })),
  signOffReveal: auditor
    .input(z.object({ id: z.string().min(1).max(100), note: z.string().trim().min(1).max(1000) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.breakGlass.signOff(input.id, input.note, ctx.principal)),
})
