// The embedded agent view: admins register the applications that may host it; a host's backend
// (an API token with launch:issue) gets launch tokens; the view exchanges one for a session and,
// when the launch names a script, the run it starts with the caller's context.
import { z } from 'zod'
import { auditActor } from '../../auth/auth.service.ts'
import { jsonValueSchema } from '@carepath/dsl'
import { AppError } from '../../errors.ts'
import { launchContextSchema, MAX_LAUNCH_SECONDS } from '../../embed/launch-token.ts'
import { runSummary } from '../../runs/run-view.ts'
import { flowIdInput, usernameInput } from '../inputs.ts'
import { procedureFor, publicProcedure, router } from '../trpc.ts'

const admin = procedureFor('admin')
const audience = z
  .string()
  .regex(/^[a-z][a-z0-9.-]{1,62}$/, 'an audience is 2–63 lower-case letters, digits, . or -, like crm-desktop')

/** An origin exactly as browsers send it: scheme, host and port, no path. */
const origin = z
  .string()
  .max(200)
  .refine((value) => {
    try {
      const url = new URL(value)
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value
    } catch {
      return false
    }
  }, 'an origin is a scheme, host and optional port, like https://crm.example.org')

export const hostAppInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    audience,
    origins: z.array(origin).min(1).max(10),
  })
  .strict()

export const issueLaunchInput = z
  .object({
    host: audience,
    username: usernameInput,
    patient: z.string().min(1).max(200),
    flowId: flowIdInput.optional(),
    facts: z.record(z.string(), jsonValueSchema).optional(),
    ttlSeconds: z.number().int().min(10).max(MAX_LAUNCH_SECONDS).default(120),
  })
  .strict()

export const embedRouter = router({
  hostApps: admin.query(({ ctx }) => ctx.runtime.launch.listHostApps()),
  saveHostApp: admin
    .input(hostAppInput)
    .mutation(({ ctx, input }) => ctx.runtime.launch.saveHostApp(input, auditActor(ctx.principal))),
  issueLaunch: admin.input(issueLaunchInput).mutation(({ ctx, input }) => {
    const context = launchContextSchema.parse({
      ...(input.flowId ? { flowId: input.flowId } : {}),
      ...(input.facts ? { facts: input.facts } : {}),
    })
    return ctx.runtime.launch.issue(
      { host: input.host, username: input.username, patient: input.patient, context, ttlSeconds: input.ttlSeconds },
      auditActor(ctx.principal),
    )
  }),
  /** Public: the launch token is the credential. A launched script's run starts here, once per launch. */
  launch: publicProcedure
    .input(z.object({ token: z.string().min(1).max(8000), host: audience }).strict())
    .mutation(async ({ ctx, input }) => {
      const launched = await ctx.runtime.launch.exchange(input.token, input.host)
      const answer = {
        token: launched.session.token,
        user: launched.session.user,
        host: launched.host,
        patient: launched.patient,
        flowId: launched.context.flowId ?? null,
        run: null as ReturnType<typeof runSummary> | null,
        runError: null as string | null,
      }
      if (!launched.context.flowId) return answer
      const principal = await ctx.runtime.auth.authenticate(launched.session.token)
      if (!principal) return answer
      try {
        const row = await ctx.runtime.runs.start(
          {
            flowId: launched.context.flowId,
            input: launched.context.facts ?? {},
            idempotencyKey: `launch:${launched.nonce}`,
          },
          principal,
        )
        return { ...answer, run: runSummary(row) }
      } catch (error) {
        // The session stands; the view says why the script did not start (a plain sentence, no facts).
        if (error instanceof AppError) return { ...answer, runError: error.message }
        throw error
      }
    }),
})
