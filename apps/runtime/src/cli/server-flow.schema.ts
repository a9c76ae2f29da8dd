// The parts of the REST API's answers that `carepath pull` and `push` read, checked on arrival so
// a server of another version fails with a plain line instead of a crash halfway through writing.
import { z } from 'zod'
import { CliError } from './cli-io.ts'

export const serverFlowSchema = z.object({
  id: z.string(),
  status: z.string(),
  draft: z.object({ document: z.record(z.string(), z.unknown()), revision: z.number().int(), hash: z.string() }),
})
export type ServerFlow = z.infer<typeof serverFlowSchema>

export const savedDraftSchema = z.object({ revision: z.number().int(), hash: z.string() })

export const reviewSummarySchema = z.object({
  report: z
    .object({
      summary: z.object({ cases: z.number(), changed: z.number(), failed: z.number() }),
    })
    .nullable(),
  reportHash: z.string().nullable(),
  publishBlockers: z.array(z.string()),
})

/** `value` read by `schema`, or one line saying the server answered something else. */
export function readAnswer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new CliError(`the server's answer for ${what} is not what this carepath expects`, 1)
  return parsed.data
}
