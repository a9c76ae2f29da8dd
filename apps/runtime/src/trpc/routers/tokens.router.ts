// API tokens for outside systems, managed by admins. The secret leaves the server once, in the
// answer to `create`; `list` shows what a token is and who made it, never the secret or its hash.
import { z } from 'zod'
import { auditActor } from '../../auth/auth.service.ts'
import { API_TOKEN_MAX_DAYS, API_TOKEN_SCOPES } from '../../auth/auth.service.ts'
import { usernameInput as username } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

const admin = procedureFor('admin')
export const createTokenInput = z
  .object({
    username,
    name: z.string().min(1).max(100),
    scopes: z.array(z.enum(API_TOKEN_SCOPES)).min(1),
    /** Days until the token is refused (default 90). */
    expiresInDays: z.number().int().min(1).max(API_TOKEN_MAX_DAYS).optional(),
  })
  .strict()

export const tokensRouter = router({
  create: admin
    .input(createTokenInput)
    .mutation(({ ctx, input }) => ctx.runtime.auth.createApiToken(input, auditActor(ctx.principal))),
  list: admin.query(({ ctx }) => ctx.runtime.auth.listApiTokens()),
  revoke: admin
    .input(z.object({ id: z.string().min(1).max(100) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.auth.revokeApiToken(input.id, auditActor(ctx.principal))),
})
