import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { changeFootprint, toJson } from '@carepath/dsl'
import {
  failingCasesOverridden,
  publishRefused,
  reviewDecided,
  reviewRefused,
  reviewSubmitted,
  versionPublished,
} from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { flows, flowVersions, reviews } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { flowKey, type FlowDeps, type Flows } from '../flows/flows.service.ts'
import { reportHash, type SimulationPort } from './simulation-port.ts'
import { simulationReportSchema } from './simulation-report.schema.ts'
import { failingTestCases } from './failing-cases.ts'
import type { QueuesService } from '../queues/queues.service.ts'
import type { ApprovalPolicyService } from './approval-policy.ts'
import { requiredSignOffs, type SignOffKind } from './approval-policy.schema.ts'
import { flowOwners } from './flow-owners.ts'
import { chooseSignOff, signOffsOf, signOffView, stillNeeded } from './sign-offs.ts'
import { createPublishGate } from './publish-gate.ts'
import { createReviewReads } from './review-reads.ts'

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
  const { store, audit, now, registry, flows: flowsService, simulation, queues, approvalPolicy } = deps
  const db = store.db
  const { targetRevision, publishedRevision, reviewFor, authorsOf } = createReviewReads(store, flowsService)
  const { publishBlockers, publishWarnings } = createPublishGate({
    registry,
    flows: flowsService,
    queues,
    reads: { reviewFor, authorsOf },
  })

  async function submit(flowId: string, principal: Principal) {
    const flow = await flowsService.requireFlow(flowId)
    if (flow.status === 'retired') throw new AppError('conflict', 'This flow is retired.', { path: 'id' })
    if (flow.status !== 'draft')
      throw new AppError('conflict', `Only a draft can be submitted; this flow is ${flow.status}.`, { path: 'id' })
    const hash = flow.draftHash
    const candidate = await flowsService.version(flowId, hash)
    const base = flow.publishedHash ? await flowsService.version(flowId, flow.publishedHash) : null
    // The same simulation the designer runs (outside the transaction: it is not the store's work):
    // the draft's own test cases plus generated ones.
    const suite = await flowsService.suite(flowId)
    const report = await simulation.run({ base, candidate, suites: [suite], generate: true })
    return store.transaction(async () => {
      await store.sql.serialize(flowKey(flowId))
      const current = await flowsService.requireFlow(flowId)
      if (current.draftHash !== hash || current.status !== 'draft' || current.draftRevision !== flow.draftRevision)
        throw new AppError('conflict', 'The draft changed while it was being simulated; submit again.', { path: 'id' })
      // What the change touches, against the published text (not just behaviour), and what it needs.
      const draft = await flowsService.revisionRow(flowId, current.draftRevision)
      const published = current.publishedHash
        ? await flowsService.versionByHash(flowId, current.publishedHash)
        : undefined
      const footprint = changeFootprint(published?.document ?? null, draft.document, registry)
      const signOffs = requiredSignOffs(await approvalPolicy.current(), footprint, !published)
      const id = randomUUID()
      await db.insert(reviews).values({
        id,
        flowId,
        hash,
        revision: current.draftRevision,
        status: 'open',
        report: toJson(report),
        reportHash: reportHash(report),
        submittedBy: principal.username,
        submittedAt: now().toISOString(),
        documentHash: draft.documentHash,
        footprint,
        signOffs,
      })
      await db
        .update(flows)
        .set({ status: 'in-review', updatedAt: now().toISOString(), updatedBy: principal.username })
        .where(eq(flows.id, flowId))
      await audit.record(
        reviewSubmitted(
          auditActor(principal),
          { flow: flowId, hash },
          {
            review: id,
            summary: report.summary,
            footprint: [...new Set(footprint.map((f) => f.kind))],
            signOffs: signOffs.map((s) => s.kind),
          },
        ),
      )
      return { id, hash, status: 'in-review' as const, signOffs: signOffs.map((s) => s.kind) }
    })
  }

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

  async function publishHash(
    action: 'review.publish' | 'review.rollback',
    flowId: string,
    hash: string,
    principal: Principal,
    reason: string,
    beforePublishing?: () => Promise<void>,
  ) {
    // A refusal is audited after the transaction rolls back, so the trail keeps it.
    let refused: string[] | undefined
    try {
      return await store.transaction(() =>
        publishInTransaction(
          action,
          flowId,
          hash,
          principal,
          reason,
          (blockers) => {
            refused = blockers
          },
          beforePublishing,
        ),
      )
    } catch (error) {
      if (refused) await audit.record(publishRefused(action, auditActor(principal), { flow: flowId, hash }, refused))
      throw error
    }
  }

  async function publishInTransaction(
    action: 'review.publish' | 'review.rollback',
    flowId: string,
    hash: string,
    principal: Principal,
    reason: string,
    refuse: (blockers: string[]) => void,
    beforePublishing?: () => Promise<void>,
  ) {
    await store.sql.serialize(flowKey(flowId))
    const flow = await flowsService.requireFlow(flowId)
    if (flow.status === 'retired') throw new AppError('conflict', 'This flow is retired.', { path: 'id' })
    await beforePublishing?.()
    const blockers = await publishBlockers(flowId, hash, { approvals: !principal.system })
    if (blockers.length > 0) {
      refuse(blockers)
      throw new AppError('publish-blocked', `It cannot be published yet: ${blockers.join(' ')}`, {
        path: 'hash',
        blockers,
      })
    }
    const at = now().toISOString()
    await db
      .update(flowVersions)
      .set({ status: 'superseded' })
      .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.status, 'published')))
    // Only the revision reviewed: a later draft with the same behaviour but new text stays a draft.
    const target = await targetRevision(flowId, hash)
    await db
      .update(flowVersions)
      .set({ status: 'published', publishedAt: at })
      .where(
        and(
          eq(flowVersions.flowId, flowId),
          eq(flowVersions.hash, hash),
          target ? eq(flowVersions.revision, target.revision) : undefined,
        ),
      )
    await db
      .update(reviews)
      .set({ status: 'published' })
      .where(and(eq(reviews.flowId, flowId), eq(reviews.hash, hash), eq(reviews.status, 'approved')))
    const status = flow.draftHash === hash && target?.revision === flow.draftRevision ? 'published' : flow.status
    await db
      .update(flows)
      .set({ publishedHash: hash, status, updatedAt: at, updatedBy: principal.username })
      .where(eq(flows.id, flowId))
    await deps.onPublished?.(flowId, hash)
    await audit.record(
      versionPublished(action, auditActor(principal), { flow: flowId, hash }, { reason, previous: flow.publishedHash }),
    )
    return { id: flowId, publishedHash: hash, warnings: await publishWarnings(flowId, hash) }
  }

  /**
   * The installation publishing its own example flows (`serve --demo`): the same simulation as a
   * submission and the same gate on the document and its test cases, but no person approves, so
   * the trail names the system actor and its note instead of a reviewer who took no action.
   */
  async function publishAsSystem(flowId: string, system: Principal, note: string) {
    if (!system.system) throw new AppError('forbidden', 'Only the installation itself publishes without a review.')
    const { hash } = await submit(flowId, system)
    return publishHash('review.publish', flowId, hash, system, note, async () => {
      await db
        .update(reviews)
        .set({ status: 'approved' })
        .where(and(eq(reviews.flowId, flowId), eq(reviews.hash, hash), eq(reviews.status, 'open')))
    })
  }

  return {
    submit,
    publishAsSystem,
    /** Run the simulator without storing anything (the designer's simulator panel). */
    simulate: (request: Parameters<SimulationPort['run']>[0]) => simulation.run(request),
    get,
    publishBlockers,
    publishWarnings,
    /** Approve as one of the sign-offs still needed (`as`, else the first the person may give). */
    approve: (
      flowId: string,
      hash: string,
      comment: string,
      p: Principal,
      binding?: { documentHash?: string | undefined; as?: SignOffKind | undefined },
    ) => decide('approve', flowId, hash, comment, p, binding),
    /** The sign-offs `p` could give on this flow's review, of those it still needs. */
    signOffsFor: async (flowId: string, p: Principal): Promise<SignOffKind[]> => {
      const flow = await flowsService.requireFlow(flowId)
      const review = await reviewFor(flowId, flow.draftHash)
      if (!review || review.status !== 'open' || review.approvals.some((a) => a.by === p.username)) return []
      if ((await authorsOf(flowId, flow.draftHash)).has(p.username) || review.submittedBy === p.username) return []
      const needed = new Set(stillNeeded(review).map((r) => r.kind))
      return (await mayGive(flowId, p)).filter((k) => needed.has(k))
    },
    reject: (flowId: string, hash: string, comment: string, p: Principal) => decide('reject', flowId, hash, comment, p),
    override,
    publish: async (flowId: string, hash: string, p: Principal) => {
      if ((await flowsService.requireFlow(flowId)).draftHash !== hash)
        throw new AppError('conflict', 'Only the current draft can be published; use rollback for an older version.', {
          path: 'hash',
        })
      return publishHash('review.publish', flowId, hash, p, 'approved draft published')
    },
    rollback: async (flowId: string, hash: string, p: Principal) => {
      if (!(await publishedRevision(flowId, hash)))
        throw new AppError('conflict', 'Only a version that was published before can be rolled back to.', {
          path: 'hash',
        })
      return publishHash('review.rollback', flowId, hash, p, 'rollback to an earlier published version')
    },
  }
}
export type ReviewService = ReturnType<typeof createReviewService>
