import { randomUUID } from 'node:crypto'
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import { changeFootprint, connectorProblems, toJson, validateFlow } from '@carepath/dsl'
import {
  failingCasesOverridden,
  publishRefused,
  reviewDecided,
  reviewRefused,
  reviewSubmitted,
  versionPublished,
} from '../audit/audit-entries.ts'
import type { Principal } from '../auth/auth.service.ts'
import { flows, flowVersions, reviews } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { flowKey, type FlowDeps, type Flows } from '../flows/flows.service.ts'
import { reportHash, type SimulationPort } from './simulation-port.ts'
import { simulationReportSchema } from './simulation-report.schema.ts'
import { failingTestCases, parityDifferences } from './failing-cases.ts'
import type { QueuesService } from '../queues/queues.service.ts'
import type { ApprovalPolicyService } from './approval-policy.ts'
import { requiredSignOffs, SIGN_OFF_TITLES, type SignOffKind } from './approval-policy.schema.ts'
import { flowOwners } from './flow-owners.ts'
import { chooseSignOff, signOffsOf, signOffView, stillNeeded } from './sign-offs.ts'
import { newestReviewFirst } from './newest-review.ts'

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
  const actorOf = (p: Principal) => ({ who: p.username, role: p.system ? 'system' : p.role })

  /** The revision a hash is published as: the draft's when it is the draft, else the latest published before. */
  async function targetRevision(flowId: string, hash: string) {
    const flow = await flowsService.requireFlow(flowId)
    if (flow.draftHash === hash) return flowsService.revisionRow(flowId, flow.draftRevision)
    const row = await db
      .select({ revision: flowVersions.revision })
      .from(flowVersions)
      .where(
        and(
          eq(flowVersions.flowId, flowId),
          eq(flowVersions.hash, hash),
          inArray(flowVersions.status, ['published', 'superseded']),
        ),
      )
      .orderBy(desc(sql`${flowVersions.status} = 'published'`), desc(flowVersions.revision))
      .get()
    const version = await flowsService.versionByHash(flowId, hash)
    const revision = row?.revision ?? version?.revision
    return revision === undefined ? undefined : flowsService.revisionRow(flowId, revision)
  }

  /** The document hash a review was submitted with (reviews made before it was stored: their revision's). */
  const reviewedDocument = async (review: typeof reviews.$inferSelect) =>
    review.documentHash ?? (await flowsService.revisionRow(review.flowId, review.revision)).documentHash

  // Newest first (newest-review.ts). Only a review of the same text counts: a new title needs its
  // own review.
  const reviewFor = async (flowId: string, hash: string, statuses?: (typeof reviews.$inferSelect)['status'][]) => {
    const documentHash = (await targetRevision(flowId, hash))?.documentHash
    const rows = await db
      .select()
      .from(reviews)
      .where(
        and(
          eq(reviews.flowId, flowId),
          eq(reviews.hash, hash),
          statuses ? inArray(reviews.status, statuses) : undefined,
        ),
      )
      .orderBy(...newestReviewFirst)
      .all()
    for (const review of rows) if ((await reviewedDocument(review)) === documentHash) return review
    return undefined
  }

  /**
   * Everything that stops `hash` of `flowId` from being published, in plain words (empty:
   * publishable). `approvals: false` leaves out the sign-offs, for the installation's own seeding alone.
   */
  async function publishBlockers(flowId: string, hash: string, { approvals = true } = {}): Promise<string[]> {
    const blockers: string[] = []
    const version = await flowsService.versionByHash(flowId, hash)
    if (!version) return [`There is no version with hash ${hash}.`]
    const validation = validateFlow(version.document, registry)
    if (!validation.valid) blockers.push('The document is not valid with the installed node types.')
    const review = await reviewFor(flowId, hash, ['open', 'approved', 'published'])
    if (!review) blockers.push('It has not been submitted for review (its text and behaviour as they are now).')
    else {
      if (review.report == null) blockers.push('No simulation report is stored for this exact version.')
      else {
        const report = simulationReportSchema.parse(review.report)
        const differing = parityDifferences(report)
        if (differing.length > 0)
          blockers.push(
            `The compiled decisions and json-rules-engine decided differently in ${differing.length === 1 ? 'one case' : `${differing.length} cases`}: ${differing
              .slice(0, 5)
              .map((c) => `“${c.name}”`)
              .join(', ')}. Run this flow's decisions on json-rules-engine, or report the difference.`,
          )
        const failing = review.override ? [] : failingTestCases(report)
        if (failing.length > 0)
          blockers.push(
            `${failing.length === 1 ? 'A test case fails' : `${failing.length} test cases fail`} in the simulation: ${failing
              .map((c) => `“${c.name}”`)
              .join(', ')}. Fix the draft, or a reviewer writes why it may be published anyway.`,
          )
      }
      if (!approvals) return blockers
      for (const missing of stillNeeded(review))
        blockers.push(
          `It still needs the sign-off of ${SIGN_OFF_TITLES[missing.kind]}${missing.count > 1 ? ` (${missing.count} people)` : ''}: ${missing.reasons.join(' ')}`,
        )
      const authors = await authorsOf(flowId, hash)
      if (!review.approvals.some((a) => !authors.has(a.by)))
        blockers.push('It needs the approval of someone who is not its author.')
    }
    return blockers
  }

  /**
   * What does not stop `hash` from being published but will fail its runs here: nodes calling a
   * connector this installation has not configured (plain sentences, no patient data).
   */
  async function publishWarnings(flowId: string, hash: string): Promise<string[]> {
    const version = await flowsService.versionByHash(flowId, hash)
    if (!version) return []
    // Only the connector check: the full validation already ran for the blockers, and a published
    // version was valid when it was published.
    // and human steps whose queue nobody works (their tasks would reach no one).
    return [
      ...connectorProblems(version.document, registry).map((p) => p.message),
      ...((await queues?.warnings(version.document)) ?? []),
    ]
  }

  /** Everyone who wrote a revision with this content (four eyes: none of them may approve it). */
  async function authorsOf(flowId: string, hash: string): Promise<Set<string>> {
    const rows = await db
      .select({ author: flowVersions.author })
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.hash, hash)))
      .all()
    return new Set(rows.map((r) => r.author))
  }

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
          actorOf(principal),
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
      if (refused) await audit.record(reviewRefused(kind, actorOf(principal), { flow: flowId, hash }, refused))
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
          actorOf(principal),
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
        failingCasesOverridden(actorOf(principal), { flow: flowId, hash }, { reason, cases: record.cases }),
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
      if (refused) await audit.record(publishRefused(action, actorOf(principal), { flow: flowId, hash }, refused))
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
      versionPublished(action, actorOf(principal), { flow: flowId, hash }, { reason, previous: flow.publishedHash }),
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
      const published = await db
        .select({ hash: flowVersions.hash })
        .from(flowVersions)
        .where(
          and(
            eq(flowVersions.flowId, flowId),
            eq(flowVersions.hash, hash),
            inArray(flowVersions.status, ['published', 'superseded']),
          ),
        )
        .get()
      if (!published)
        throw new AppError('conflict', 'Only a version that was published before can be rolled back to.', {
          path: 'hash',
        })
      return publishHash('review.rollback', flowId, hash, p, 'rollback to an earlier published version')
    },
  }
}
export type ReviewService = ReturnType<typeof createReviewService>
