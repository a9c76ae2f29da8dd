// A reviewer's decisions on a submitted version: approve as one of the sign-offs still needed,
// reject, or let failing test cases through with a written reason. Four eyes: no one who wrote or
// submitted the version decides on it. Each check runs under the flow's lock, in the transaction
// that records the decision and its audit record; a refused approval or rejection is audited too.
import { eq } from 'drizzle-orm'
import { failingCasesOverridden, reviewDecided, reviewRefused } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { flows, reviews } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { flowKey, type FlowDeps, type Flows } from '../flows/flows.service.ts'
import type { SignOffKind } from './approval-policy.schema.ts'
import { failingTestCases } from './failing-cases.ts'
import { flowOwners } from './flow-owners.ts'
import type { ReviewReads } from './review-reads.ts'
import { chooseSignOff, signOffsOf, stillNeeded } from './sign-offs.ts'
import { simulationReportSchema } from './simulation-report.schema.ts'

/** Approving, rejecting and overriding failing cases on a flow's review, by someone other than its authors. */
export function createReviewDecisions(
  deps: Pick<FlowDeps, 'store' | 'audit' | 'now'> & { flows: Pick<Flows, 'requireFlow' | 'revisionRow'> },
  { reviewFor, authorsOf }: Pick<ReviewReads, 'reviewFor' | 'authorsOf'>,
) {
  const { store, audit, now, flows: flowsService } = deps
  const db = store.db

  /** The sign-offs `principal` could give on this flow (by role and ownership), needed or not. */
  const mayGive = async (flowId: string, principal: Principal) => signOffsOf(principal, await flowOwners(store, flowId))

  async function decide(
    kind: 'approve' | 'reject',
    flowId: string,
    hash: string,
    comment: string,
    principal: Principal,
    binding: { documentHash?: string | undefined; as?: SignOffKind | undefined } = {},
  ) {
    // A refusal is audited after the transaction rolls back, so the trail keeps it.
    let refused: string | undefined
    const refuse = (reason: string, message: string) => {
      refused = reason
      return new AppError('forbidden', message)
    }
    try {
      return await decideInTransaction(kind, flowId, hash, comment, principal, binding, refuse)
    } catch (error) {
      if (refused) await audit.record(reviewRefused(kind, auditActor(principal), { flow: flowId, hash }, refused))
      throw error
    }
  }

  function decideInTransaction(
    kind: 'approve' | 'reject',
    flowId: string,
    hash: string,
    comment: string,
    principal: Principal,
    binding: { documentHash?: string | undefined; as?: SignOffKind | undefined },
    refuse: (reason: string, message: string) => AppError,
  ) {
    return store.transaction(async () => {
      // The approvals read here are the last committed: two approvals at once both count.
      await store.sql.serialize(flowKey(flowId))
      const flow = await flowsService.requireFlow(flowId)
      const documentHash = (await flowsService.revisionRow(flowId, flow.draftRevision)).documentHash
      if (flow.draftHash !== hash || (binding.documentHash !== undefined && binding.documentHash !== documentHash))
        throw new AppError('conflict', 'The draft changed since you looked at it; review the current version.', {
          path: 'hash',
        })
      const review = await reviewFor(flowId, hash)
      if (!review || review.status !== 'open' || flow.status !== 'in-review')
        throw new AppError('conflict', 'This version is not waiting for review.', { path: 'hash' })
      if ((await authorsOf(flowId, hash)).has(principal.username) || review.submittedBy === principal.username)
        throw refuse(
          'four eyes: the author may not review',
          'You wrote or submitted this version; another reviewer must decide (four eyes).',
        )
      const at = now().toISOString()
      const comments = [...review.comments, { by: principal.username, at, kind, comment }]
      let approvals = review.approvals
      if (kind === 'approve') {
        // One sign-off per person per review: "compliance and security" takes two people.
        const refusal = review.approvals.some((a) => a.by === principal.username)
          ? 'You have already approved this version; another person gives the next sign-off.'
          : undefined
        const chosen = refusal ? undefined : chooseSignOff(review, await mayGive(flowId, principal), binding.as)
        if (!chosen?.ok) {
          const reason = refusal ?? (chosen && !chosen.ok ? chosen.reason : 'not allowed')
          throw refuse(reason, reason)
        }
        approvals = [...review.approvals, { by: principal.username, at, comment, as: chosen.kind }]
      }
      const complete = kind === 'approve' && stillNeeded({ ...review, approvals }).length === 0
      const reviewStatus = kind === 'reject' ? 'rejected' : complete ? 'approved' : 'open'
      await db.update(reviews).set({ status: reviewStatus, approvals, comments }).where(eq(reviews.id, review.id))
      const flowStatus = kind === 'reject' ? 'draft' : complete ? 'approved' : 'in-review'
      await db
        .update(flows)
        .set({ status: flowStatus, updatedAt: at, updatedBy: principal.username })
        .where(eq(flows.id, flowId))
      const given = approvals.at(-1)?.as
      await audit.record(
        reviewDecided(
          kind,
          auditActor(principal),
          { flow: flowId, hash },
          comment,
          kind === 'approve' ? given : undefined,
        ),
      )
      return { status: flowStatus, hash, signOff: kind === 'approve' ? (given ?? null) : null }
    })
  }

  /**
   * A reviewer who is not the author lets the version through although test cases fail their
   * expectations, with a written reason (audited; the reason stays with the review).
   */
  function override(flowId: string, hash: string, reason: string, principal: Principal) {
    return store.transaction(async () => {
      await store.sql.serialize(flowKey(flowId))
      const flow = await flowsService.requireFlow(flowId)
      if (flow.draftHash !== hash)
        throw new AppError('conflict', 'The draft changed since you looked at it; review the current version.', {
          path: 'hash',
        })
      const review = await reviewFor(flowId, hash)
      if (!review || (review.status !== 'open' && review.status !== 'approved'))
        throw new AppError('conflict', 'This version is not waiting for review.', { path: 'hash' })
      if ((await authorsOf(flowId, hash)).has(principal.username) || review.submittedBy === principal.username)
        throw new AppError(
          'forbidden',
          'You wrote or submitted this version; another reviewer must decide (four eyes).',
        )
      const failing = review.report == null ? [] : failingTestCases(simulationReportSchema.parse(review.report))
      if (failing.length === 0)
        throw new AppError('conflict', 'No test case fails in this version’s report; there is nothing to override.', {
          path: 'hash',
        })
      const record = { by: principal.username, at: now().toISOString(), reason, cases: failing.map((c) => c.id) }
      await db.update(reviews).set({ override: record }).where(eq(reviews.id, review.id))
      await audit.record(
        failingCasesOverridden(auditActor(principal), { flow: flowId, hash }, { reason, cases: record.cases }),
      )
      return { hash, override: record }
    })
  }

  /** Approve as one of the sign-offs still needed (`as`, else the first the person may give). */
  const approve = (
    flowId: string,
    hash: string,
    comment: string,
    p: Principal,
    binding?: { documentHash?: string | undefined; as?: SignOffKind | undefined },
  ) => decide('approve', flowId, hash, comment, p, binding)

  /** The sign-offs `p` could give on this flow's review, of those it still needs. */
  const signOffsFor = async (flowId: string, p: Principal): Promise<SignOffKind[]> => {
    const flow = await flowsService.requireFlow(flowId)
    const review = await reviewFor(flowId, flow.draftHash)
    if (!review || review.status !== 'open' || review.approvals.some((a) => a.by === p.username)) return []
    if ((await authorsOf(flowId, flow.draftHash)).has(p.username) || review.submittedBy === p.username) return []
    const needed = new Set(stillNeeded(review).map((r) => r.kind))
    return (await mayGive(flowId, p)).filter((k) => needed.has(k))
  }

  const reject = (flowId: string, hash: string, comment: string, p: Principal) =>
    decide('reject', flowId, hash, comment, p)

  return { approve, signOffsFor, reject, override }
}
