import { z } from 'zod'
import { redactionContext } from '../../phi/redaction-gate.ts'
import { redact } from '../../phi/redaction-policy.ts'
import { reviewPolicy } from '../../phi/review.policy.ts'
import { casesPatientData, reportPatientValues } from '../../phi/simulation-report.policy.ts'
import { flowIdInput as flowId } from '../inputs.ts'
import { withChangeNotice } from './with-change-notice.ts'
import { procedureFor, router } from '../trpc.ts'

const hash = z.string().min(8).max(128)
const comment = z.string().max(4000)
const reviewer = procedureFor('reviewer')

export const reviewRouter = router({
  submit: procedureFor('analyst', 'developer')
    .input(z.object({ id: flowId }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.review.submit(input.id, ctx.principal)),
  get: procedureFor('analyst', 'developer', 'reviewer', 'auditor')
    .input(z.object({ id: flowId }).strict())
    .query(({ ctx, input }) => {
      const review = ctx.runtime.review.get(input.id)
      const doc = ctx.runtime.flows.version(input.id, review.hash)
      // Simulation reports carry case facts: they leave through their policy like run data.
      const patientData = review.report
        ? reportPatientValues(review.report, casesPatientData(ctx.runtime.flows.get(input.id).suites))
        : []
      return redact(reviewPolicy, review, redactionContext(ctx.principal, doc, patientData))
    }),
  approve: reviewer
    .input(z.object({ id: flowId, hash, comment: comment.default('') }).strict())
    .mutation(({ ctx, input }) => ctx.runtime.review.approve(input.id, input.hash, input.comment, ctx.principal)),
  reject: reviewer
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
