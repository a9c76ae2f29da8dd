import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { requireValidDocument } from '../../flows/flows.service.ts'
import { redactionContext } from '../../phi/redaction-gate.ts'
import { redact } from '../../phi/redaction-policy.ts'
import { redactAppError } from '../../phi/app-error.policy.ts'
import {
  casesPatientData,
  reportPatientValues,
  simulationRunPolicy,
  testDataCaseIds,
} from '../../phi/simulation-report.policy.ts'
import { reportHash } from '../../review/simulation-port.ts'
import { flowIdInput } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'
import { SUITE_READERS } from './flows.router.ts'

export const simulateRouter = router({
  /**
   * Simulate the draft (or a given document) against the published version, without storing
   * anything: the draft's saved test cases (or the ones given) plus generated cases, exactly as
   * submitting does, with the report's hash to compare with the one the review stores.
   */
  run: procedureFor('analyst', 'developer', 'reviewer')
    .input(
      z
        .object({
          flowId: flowIdInput,
          document: z.record(z.string(), z.unknown()).optional(),
          suite: z
            .object({ cases: z.array(z.record(z.string(), z.unknown())).max(10_000) })
            .passthrough()
            .optional(),
          generate: z.boolean().default(true),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const { flowService: flows, review } = ctx.runtime
      const flow = await flows.get(input.flowId)
      const suites = input.suite ? [JSON.parse(JSON.stringify(input.suite))] : [await flows.suite(input.flowId)]
      try {
        const candidate = input.document
          ? requireValidDocument(input.document, ctx.runtime.registry)
          : await flows.version(input.flowId, flow.draft.hash)
        if (candidate.id !== input.flowId)
          throw new AppError('bad-input', 'The document belongs to another flow.', { path: 'document.id' })
        const base = flow.published ? await flows.version(input.flowId, flow.published.hash) : null
        const report = await review.simulate({ base, candidate, suites, generate: input.generate })
        // Case inputs, mocks and answers are patient data: the report's free text must not quote them.
        const patientData = reportPatientValues(report, casesPatientData(suites))
        return redact(
          simulationRunPolicy,
          { hash: reportHash(report), report },
          {
            ...redactionContext(ctx.principal, candidate, patientData),
            ...(SUITE_READERS.includes(ctx.principal.role) ? { testDataCases: testDataCaseIds(suites) } : {}),
          },
        )
      } catch (error) {
        // A refused suite or case may be quoted in the error: it leaves without the cases' data.
        throw error instanceof AppError ? redactAppError(error, casesPatientData(suites)) : error
      }
    }),
})
