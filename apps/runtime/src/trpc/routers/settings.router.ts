import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import { procedureFor, router } from '../trpc.ts'

const developer = procedureFor('developer')

export const settingsRouter = router({
  /** Connector settings per environment (FHIR base URL, payer endpoints, ...). */
  integrations: developer.query(({ ctx }) => ctx.runtime.integrations.get()),
  setIntegrations: developer
    .input(z.record(z.string(), z.unknown()).transform((v) => JSON.parse(JSON.stringify(v)) as Record<string, JsonValue>))
    .mutation(({ ctx, input }) => {
      ctx.runtime.integrations.set(input, { who: ctx.principal.username, role: ctx.principal.role })
      return { ok: true as const }
    }),
})
