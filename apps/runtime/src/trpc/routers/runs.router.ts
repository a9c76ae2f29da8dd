import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import type { UserRole } from '../../db/schema.ts'
import { runSummary } from '../../runs/run-view.ts'
import { flowIdInput as flowId } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

const jsonObject = z
  .record(z.string(), z.unknown())
  .transform((v) => JSON.parse(JSON.stringify(v)) as { [key: string]: JsonValue })

/** Who may start a run, and what a start takes: shared with the REST run-start lane (http/run-start-lane.ts). */
export const START_RUN_ROLES = ['agent', 'developer'] as const satisfies readonly UserRole[]
export const startRunInput = z
  .object({ flowId, input: jsonObject, idempotencyKey: z.string().min(1).max(200) })
  .strict()

export const runsRouter = router({
  start: procedureFor(...START_RUN_ROLES)
    .input(startRunInput)
    .mutation(async ({ ctx, input }) => runSummary(await ctx.runtime.runs.start(input, ctx.principal))),
  list: procedureFor('agent', 'developer', 'reviewer', 'auditor', 'analyst', 'operator')
    .input(
      z
        .object({ flowId: flowId.optional(), limit: z.number().int().min(1).max(500).default(100) })
        .strict()
        .optional(),
    )
    .query(({ ctx, input }) => ctx.runtime.runViews.list(input?.flowId, input?.limit ?? 100)),
  get: procedureFor('agent', 'developer', 'reviewer', 'auditor', 'analyst', 'operator')
    .input(z.object({ id: z.string().min(1).max(100) }).strict())
    .query(({ ctx, input }) => ctx.runtime.runViews.get(input.id, ctx.principal)),
  /** Auditors: re-execute a stored run from its log and say whether the trace is byte-identical. */
  replay: procedureFor('auditor', 'admin')
    .input(z.object({ id: z.string().min(1).max(100) }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.replays.replay(input.id)),
})
