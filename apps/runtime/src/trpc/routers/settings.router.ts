import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import { AppError } from '../../errors.ts'
import { keepStoredSecrets, maskSecrets } from '../../integrations/settings-secrets.ts'
import { procedureFor, router } from '../trpc.ts'

const developer = procedureFor('developer')

export const settingsRouter = router({
  /** Connector settings per environment (FHIR base URL, payer endpoints, ...); credentials read as "set" or null, never their value. */
  integrations: developer.query(({ ctx }) => maskSecrets(ctx.runtime.integrations.get() as Record<string, JsonValue>)),
  /** Save connector settings, credentials included; a credential sent back as "set" keeps the stored one. */
  setIntegrations: developer
    .input(
      z.record(z.string(), z.unknown()).transform((v) => JSON.parse(JSON.stringify(v)) as Record<string, JsonValue>),
    )
    .mutation(({ ctx, input }) => {
      const merged = keepStoredSecrets(input, ctx.runtime.integrations.get() as Record<string, JsonValue>)
      if (!merged.ok)
        throw new AppError('bad-input', `No secret is stored at "${merged.path}" to keep; enter its value.`, {
          path: merged.path,
        })
      ctx.runtime.integrations.set(merged.value, { who: ctx.principal.username, role: ctx.principal.role })
      return { ok: true as const }
    }),
})
