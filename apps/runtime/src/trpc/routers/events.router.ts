import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import { procedureFor, router } from '../trpc.ts'

const json = z.unknown().transform((v) => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue)))
const messageName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'a message name in lower case, dotted, like sms.reply')

export const eventsRouter = router({
  /** Deliver a message to the runs waiting for its name and key (an outside system, with an API token). */
  deliver: procedureFor('developer', 'agent')
    .input(
      z
        .object({
          name: messageName,
          key: z.string().min(1).max(200),
          messageId: z.string().min(1).max(200),
          payload: json,
        })
        .strict(),
    )
    .mutation(({ ctx, input }) => ctx.runtime.events.deliver({ ...input, source: 'api' })),
  /** Messages by state; `expired` ones matched no waiting run in time (the dead letters). */
  list: procedureFor('developer', 'admin', 'auditor')
    .input(z.object({ status: z.enum(['pending', 'delivered', 'expired']) }).strict())
    .query(({ ctx, input }) => ctx.runtime.events.messages(input.status)),
})
