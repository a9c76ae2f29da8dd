import { z } from 'zod'
import { flowIdInput as flowId } from '../inputs.ts'
import type { UserRole } from '../../db/schema.ts'
import { procedureFor, router } from '../trpc.ts'
import { withChangeNotice } from './with-change-notice.ts'

const readers = procedureFor('analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance')
const editors = procedureFor('analyst', 'developer')
// Test cases are the analyst's and the reviewer's working material, not something an agent, an
// operator or an auditor needs to read a flow.
export const SUITE_READERS: readonly UserRole[] = ['analyst', 'developer', 'reviewer', 'compliance']
const hash = z.string().min(8).max(128)
// Documents are validated in full by the DSL; here only "is it an object".
const document = z.record(z.string(), z.unknown())
const suites = z.array(z.record(z.string(), z.unknown())).max(50)
// One suite in the suite file format; the engine's suite schema checks it in full.
const suite = z.record(z.string(), z.unknown())

export const flowsRouter = router({
  list: readers
    .input(
      z
        .object({ search: z.string().max(100).optional() })
        .strict()
        .optional(),
    )
    .query(({ ctx, input }) => ctx.runtime.flowService.list(input?.search)),
  get: readers.input(z.object({ id: flowId }).strict()).query(async ({ ctx, input }) => {
    const flow = await ctx.runtime.flowService.get(input.id)
    return SUITE_READERS.includes(ctx.principal.role) ? flow : { ...flow, suites: [] }
  }),
  create: editors
    .input(z.object({ document, suites: suites.optional() }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.flowService.create(input.document, ctx.principal, input.suites ?? [])),
  save: editors
    .input(z.object({ id: flowId, document, baseRevision: z.number().int().min(1), suite: suite.optional() }).strict())
    .mutation(({ ctx, input }) =>
      ctx.runtime.flowService.save(input.id, input.document, input.baseRevision, ctx.principal, input.suite),
    ),
  /** The test cases saved with a revision (the draft's by default), as a suite file. */
  suite: procedureFor(...SUITE_READERS)
    .input(z.object({ id: flowId, revision: z.number().int().min(1).optional() }).strict())
    .query(({ ctx, input }) => ctx.runtime.flowService.suite(input.id, input.revision)),
  history: readers
    .input(z.object({ id: flowId }).strict())
    .query(({ ctx, input }) => ctx.runtime.flowService.history(input.id)),
  version: readers
    .input(z.object({ id: flowId, hash }).strict())
    .query(({ ctx, input }) => ctx.runtime.flowService.version(input.id, input.hash)),
  duplicate: editors
    .input(z.object({ id: flowId, newId: flowId }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.flowService.duplicate(input.id, input.newId, ctx.principal)),
  retire: procedureFor('reviewer')
    .input(z.object({ id: flowId }).strict())
    .mutation(({ ctx, input }) =>
      withChangeNotice(ctx, input.id, 'retired', () => ctx.runtime.flowService.retire(input.id, ctx.principal)),
    ),
})
