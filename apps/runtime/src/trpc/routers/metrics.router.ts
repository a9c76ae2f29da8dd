import { z } from 'zod'
import { flowIdInput as flowId } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

const readers = procedureFor('operator', 'admin', 'reviewer', 'auditor')
const hash = z.string().min(8).max(128)

/** Completion metrics from the rollups: per flow version, per connector, and version against version. */
export const metricsRouter = router({
  flows: readers
    .input(z.object({ flowId: flowId.optional() }).strict().optional())
    .query(({ ctx, input }) => ctx.runtime.metrics.flows(input ?? {})),
  connectors: readers.query(({ ctx }) => ctx.runtime.metrics.connectors()),
  compare: readers
    .input(z.object({ flowId, base: hash, candidate: hash }).strict())
    .query(({ ctx, input }) => ctx.runtime.metrics.compare(input.flowId, input.base, input.candidate)),
})
