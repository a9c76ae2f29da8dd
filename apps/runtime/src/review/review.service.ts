// The review service composes its parts, each in a file beside it: the reads (review-reads.ts),
// the publish gate (publish-gate.ts), submission (review-submission.ts), reviewers' decisions
// (review-decisions.ts) and publishing (review-publishing.ts). It keeps `get`, the review screen's
// whole view, because that view reads from every part.
import type { FlowDeps, Flows } from '../flows/flows.service.ts'
import type { SimulationPort } from './simulation-port.ts'
import { simulationReportSchema } from './simulation-report.schema.ts'
import type { QueuesService } from '../queues/queues.service.ts'
import type { ApprovalPolicyService } from './approval-policy.ts'
import { flowOwners } from './flow-owners.ts'
import { signOffView } from './sign-offs.ts'
import { createPublishGate } from './publish-gate.ts'
import { createReviewReads } from './review-reads.ts'
import { createReviewDecisions } from './review-decisions.ts'
import { createReviewPublishing } from './review-publishing.ts'
import { createReviewSubmission } from './review-submission.ts'

/**
 * Review and publishing: submit (runs the simulator, computes the change's footprint and the
 * sign-offs the approval policy asks for), approve per required sign-off by people who did not
 * write the draft, reject, publish through one gate, rollback through the same gate. A review is
 * bound to the content hash and the document hash of the revision submitted.
 */
export function createReviewService(
  deps: FlowDeps & {
    flows: Flows
    simulation: SimulationPort
    approvalPolicy: Pick<ApprovalPolicyService, 'current'>
    queues?: Pick<QueuesService, 'warnings'>
    /** Inside the publishing transaction: what else a published version records (its settings revision). */
    onPublished?: (flowId: string, hash: string) => Promise<void>
  },
) {
  const { store, registry, flows: flowsService, simulation, queues } = deps
  const reads = createReviewReads(store, flowsService)
  const { reviewFor, authorsOf } = reads
  const gate = createPublishGate({
    registry,
    flows: flowsService,
    queues,
    reads: { reviewFor, authorsOf },
  })
  const { publishBlockers, publishWarnings } = gate
  const { submit } = createReviewSubmission(deps)
  const { approve, signOffsFor, reject, override } = createReviewDecisions(deps, reads)
  const { publishAsSystem, publish, rollback } = createReviewPublishing(deps, { submit, reads, gate })

  async function get(flowId: string) {
    const flow = await flowsService.requireFlow(flowId)
    const hash = flow.draftHash
    const review = await reviewFor(flowId, hash)
    const submitted = review && review.status !== 'voided' && review.status !== 'rejected'
    return {
      status: flow.status,
      hash,
      documentHash: (await flowsService.revisionRow(flowId, flow.draftRevision)).documentHash,
      // What the change touches and, per required sign-off, why and who gave it (null: not submitted).
      footprint: review?.footprint ?? null,
      signOffs: review && submitted ? signOffView(review) : [],
      owners: await flowOwners(store, flowId),
      // Stored by `submit` from the simulator's report; read back by its schema.
      report: review?.report == null ? null : simulationReportSchema.parse(review.report),
      reportHash: review?.reportHash ?? null,
      override: review?.override ?? null,
      reviewStatus: review?.status ?? null,
      submittedBy: review?.submittedBy ?? null,
      approvals: review?.approvals ?? [],
      comments: review?.comments ?? [],
      publishBlockers:
        flow.publishedHash === hash && flow.status === 'published' ? [] : await publishBlockers(flowId, hash),
      publishWarnings: await publishWarnings(flowId, hash),
    }
  }

  return {
    submit,
    publishAsSystem,
    /** Run the simulator without storing anything (the designer's simulator panel). */
    simulate: (request: Parameters<SimulationPort['run']>[0]) => simulation.run(request),
    get,
    publishBlockers,
    publishWarnings,
    approve,
    signOffsFor,
    reject,
    override,
    publish,
    rollback,
  }
}
/** The review service as the runtime, its routers and the review screen's redaction policy use it. */
export type ReviewService = ReturnType<typeof createReviewService>
