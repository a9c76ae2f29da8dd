// The review screen's response: the stored simulation report by its own policy, the rest is
// review structure and reviewers' comments.
import type { ReviewService } from '../review/review.service.ts'
import { authored, each, nullable, object, structure } from './redaction-policy.ts'
import { simulationReportPolicy } from './simulation-report.policy.ts'

/** What `review.get` answers: the review and the sign-offs the caller could give. */
export type ReviewView = Awaited<ReturnType<ReviewService['get']>> & {
  yourSignOffs: Awaited<ReturnType<ReviewService['signOffsFor']>>
}

export const reviewPolicy = object<ReviewView>({
  status: structure,
  hash: structure,
  documentHash: structure,
  // Reasons name steps by their titles and PHI classes by name: author text and structure, no values.
  footprint: nullable(each(object({ kind: structure, reason: authored, nodes: structure }))),
  signOffs: each(
    object({
      kind: structure,
      count: structure,
      reasons: authored,
      signedBy: each(object({ by: structure, at: structure })),
      done: structure,
    }),
  ),
  // Usernames of the flow's owners by kind; other addresses only counted.
  owners: each(object({ kind: structure, users: structure, otherRecipients: structure, fallback: structure })),
  yourSignOffs: structure,
  report: nullable(simulationReportPolicy),
  // sha256 of the stored report: what the designer shows beside its own run.
  reportHash: structure,
  // A reviewer's reason about the version (like a comment) and the ids of the cases it lets through.
  override: object({ by: structure, at: structure, reason: authored, cases: structure }),
  reviewStatus: structure,
  submittedBy: structure,
  // Comments are written by reviewers about the flow version, not about a patient.
  approvals: each(object({ by: structure, at: structure, comment: authored, as: structure })),
  comments: each(object({ by: structure, at: structure, kind: structure, comment: authored })),
  // Plain sentences the review service writes from the version's state (no patient data).
  publishBlockers: structure,
  // Sentences naming a node id and a connector the installation has not configured.
  publishWarnings: structure,
})
