import { z } from 'zod'
import { redactionContext } from '../../phi/redaction-gate.ts'
import { redact } from '../../phi/redaction-policy.ts'
import { reviewPolicy } from '../../phi/review.policy.ts'
import { casesPatientData, reportPatientValues, testDataCaseIds } from '../../phi/simulation-report.policy.ts'
import { signOffKindSchema } from '../../review/approval-policy.schema.ts'
import { flowIdInput as flowId } from '../inputs.ts'
import { withChangeNotice } from './with-change-notice.ts'
import { procedureFor, router } from '../trpc.ts'
import { SUITE_READERS } from './flows.router.ts'

const hash = z.string().min(8).max(128)
const comment = z.string().max(4000)
const reviewer = procedureFor('reviewer')
// Compliance officers decide too: they give the sign-offs a change's footprint asks of them.
const approver = procedureFor('reviewer', 'compliance')

export const reviewRouter = router({
  submit: procedureFor('analyst', 'developer')
    .input(z.object({ id: flowId }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.review.submit(input.id, ctx.principal)),
  get: procedureFor('analyst', 'developer', 'reviewer', 'auditor', 'compliance')
    .input(z.object({ id: flowId }).strict())
    .query(async ({ ctx, input }) => {
      const review = {
        ...(await ctx.runtime.review.get(input.id)),
        // The sign-offs the caller could give now (their buttons in the review panel).
        yourSignOffs: await ctx.runtime.review.signOffsFor(input.id, ctx.principal),
      }
      const doc = await ctx.runtime.flowService.version(input.id, review.hash)
      // Simulation reports carry case facts: they leave through their policy like run data.
      const suites = (await ctx.runtime.flowService.get(input.id)).suites
      const patientData = review.report ? reportPatientValues(review.report, casesPatientData(suites)) : []
      return redact(reviewPolicy, review, {
        ...redactionContext(ctx.principal, doc, patientData),
        ...(SUITE_READERS.includes(ctx.principal.role) ? { testDataCases: testDataCaseIds(suites) } : {}),
      })
    }),
  /** Approve as one required sign-off (`as`; else the first still needed the caller may give), bound to both hashes. */
  approve: approver
    .input(
      z
        .object({
          id: flowId,
          hash,
          documentHash: hash.optional(),
          as: signOffKindSchema.optional(),
          comment: comment.default(''),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) =>
      ctx.runtime.review.approve(input.id, input.hash, input.comment, ctx.principal, {
        documentHash: input.documentHash,
        as: input.as,
      }),
    ),
  reject: approver
    .input(z.object({ id: flowId, hash, comment: comment.min(1, 'say why the version is rejected') }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.review.reject(input.id, input.hash, input.comment, ctx.principal)),
  override: reviewer
    .input(
      z
        .object({
          id: flowId,
          hash,
          reason: z.string().trim().min(10, 'write, in a sentence, why the failing cases may be published').max(4000),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) => ctx.runtime.review.override(input.id, input.hash, input.reason, ctx.principal)),
  publish: reviewer
    .input(z.object({ id: flowId, hash }).strict())
    .mutation(({ ctx, input }) =>
      withChangeNotice(ctx, input.id, 'published', () =>
        ctx.runtime.review.publish(input.id, input.hash, ctx.principal),
      ),
    ),
  rollback: reviewer
    .input(z.object({ id: flowId, hash }).strict())
    .mutation(({ ctx, input }) =>
      withChangeNotice(ctx, input.id, 'rolled-back', () =>
        ctx.runtime.review.rollback(input.id, input.hash, ctx.principal),
      ),
    ),
})
