import { TRPCError } from '@trpc/server'
import { z } from 'zod'
import type { Context } from '../trpc.ts'
import { authedProcedure, publicProcedure, router } from '../trpc.ts'
import { authenticationResponseSchema, registrationResponseSchema, relyingPartyFor } from '../../auth/webauthn.ts'
import { auditActor } from '../../auth/auth.service.ts'

const challenge = z.string().startsWith('cpc_').max(200)
const totpCode = z.string().trim().max(20)

/** The person enrolling: the one a log-in challenge names, or the one signed in. */
async function enrollee(ctx: Context, input: { challenge?: string | undefined }) {
  if (input.challenge) return (await ctx.runtime.auth.challenged(input.challenge, 'enrol')).user
  const p = ctx.principal
  if (!p || p.scopes)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first (your session may have expired).' })
  return { id: p.userId, username: p.username, role: p.role }
}

export const authRouter = router({
  /** Step one: the password. Answers a session, or a challenge for the second factor (or its enrolment). */
  login: publicProcedure
    .input(z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.auth.login(input.username, input.password, ctx.address)),
  /** How people may log in here: with a password, and through single sign-on when it is set up. */
  methods: publicProcedure.query(({ ctx }) => ({ sso: ctx.runtime.oidc ? { label: ctx.runtime.oidc.label } : null })),
  /** After single sign-on: the one-time code the callback gave the browser, for the log-in's answer. */
  ssoExchange: publicProcedure
    .input(z.object({ handoff: z.string().min(10).max(100) }).strict())
    .mutation(({ ctx, input }) => {
      if (!ctx.runtime.oidc) throw new TRPCError({ code: 'NOT_FOUND', message: 'Single sign-on is not configured.' })
      return ctx.runtime.oidc.exchange(input.handoff)
    }),
  /** Step two: a code from the authenticator app, or one of the recovery codes. */
  mfaVerify: publicProcedure
    .input(
      z.union([
        z.object({ challenge, code: totpCode }).strict(),
        z.object({ challenge, recoveryCode: z.string().trim().min(1).max(40) }).strict(),
      ]),
    )
    .mutation(({ ctx, input }) => {
      const { challenge: c, ...factor } = input
      return ctx.runtime.auth.verifySecondFactor(c, factor, ctx.address)
    }),
  /** Step two with a passkey: the options for the browser's navigator.credentials.get … */
  passkeyOptions: publicProcedure
    .input(z.object({ challenge }).strict())
    .mutation(({ ctx, input }) =>
      ctx.runtime.auth.passkeyOptions(input.challenge, relyingPartyFor(ctx.runtime.options.webauthn, ctx.origin)),
    ),
  /** … and the authenticator's signed answer: a session when it verifies. */
  passkeyVerify: publicProcedure
    .input(z.object({ challenge, response: authenticationResponseSchema }).strict())
    .mutation(({ ctx, input }) =>
      ctx.runtime.auth.verifyPasskey(
        input.challenge,
        input.response,
        relyingPartyFor(ctx.runtime.options.webauthn, ctx.origin),
        ctx.address,
      ),
    ),
  /** Begin registering a passkey: during a log-in the policy holds up, or from a session. */
  passkeyEnrolStart: publicProcedure
    .input(z.object({ challenge: challenge.optional() }).strict())
    .mutation(async ({ ctx, input }) =>
      ctx.runtime.auth.passkeyEnrolOptions(
        await enrollee(ctx, input),
        relyingPartyFor(ctx.runtime.options.webauthn, ctx.origin),
      ),
    ),
  /** Finish it with the authenticator's answer: recovery codes for a first factor (and a session, during a log-in). */
  passkeyEnrolFinish: publicProcedure
    .input(
      z
        .object({
          challenge: challenge.optional(),
          response: registrationResponseSchema,
          label: z.string().trim().max(60).optional(),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) =>
      ctx.runtime.auth.passkeyEnrolFinish(
        await enrollee(ctx, input),
        input.response,
        relyingPartyFor(ctx.runtime.options.webauthn, ctx.origin),
        { challenge: input.challenge, label: input.label },
      ),
    ),
  /** Begin enrolling an authenticator app: during a log-in the policy holds up, or from a session. */
  mfaEnrolStart: publicProcedure
    .input(z.object({ challenge: challenge.optional() }).strict())
    .mutation(async ({ ctx, input }) => ctx.runtime.mfa.startTotp(await enrollee(ctx, input))),
  /** Confirm it with a code from the app: recovery codes are answered once (and a session, during a log-in). */
  mfaEnrolConfirm: publicProcedure
    .input(z.object({ challenge: challenge.optional(), code: totpCode }).strict())
    .mutation(async ({ ctx, input }) => {
      if (input.challenge) return ctx.runtime.auth.enrolConfirm(input.challenge, input.code)
      const user = await enrollee(ctx, input)
      return {
        status: 'enrolled' as const,
        ...(await ctx.runtime.mfa.confirmTotp(user, input.code, { who: user.username, role: user.role })),
      }
    }),
  /** The signed-in person's factors and whether their role requires one. */
  mfaStatus: authedProcedure.query(async ({ ctx }) => ({
    required: await ctx.runtime.mfa.requiredFor(ctx.principal),
    factors: await ctx.runtime.mfa.factors(ctx.principal.userId),
    recoveryCodesLeft: await ctx.runtime.mfa.recoveryCodesLeft(ctx.principal.userId),
  })),
  mfaRemove: authedProcedure
    .input(z.object({ factorId: z.string().min(1).max(100) }).strict())
    .mutation(async ({ ctx, input }) => {
      const p = ctx.principal
      await ctx.runtime.mfa.removeFactor(
        { id: p.userId, username: p.username, role: p.role },
        input.factorId,
        auditActor(p),
      )
      return { ok: true as const }
    }),
  /** New recovery codes (the old ones stop working); shown once. */
  mfaRecoveryCodes: authedProcedure.mutation(async ({ ctx }) => {
    const p = ctx.principal
    return {
      recoveryCodes: await ctx.runtime.mfa.regenerateRecoveryCodes(
        { id: p.userId, username: p.username, role: p.role },
        auditActor(p),
      ),
    }
  }),
  logout: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.token) await ctx.runtime.auth.logout(ctx.token, ctx.principal)
    return { ok: true as const }
  }),
  me: authedProcedure.query(({ ctx }) => ({
    id: ctx.principal.userId,
    username: ctx.principal.username,
    role: ctx.principal.role,
    flowRoles: ctx.principal.flowRoles,
  })),
})
