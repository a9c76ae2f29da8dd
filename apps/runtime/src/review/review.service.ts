import { randomUUID } from 'node:crypto'
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import { connectorProblems, toJson, validateFlow } from '@carepath/dsl'
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
import type { FlowDeps, FlowsService } from '../flows/flows.service.ts'
import { reportHash, type SimulationPort } from './simulation-port.ts'
import { simulationReportSchema } from './simulation-report.schema.ts'
import { failingTestCases, parityDifferences } from './failing-cases.ts'
import type { QueuesService } from '../queues/queues.service.ts'

/**
 * Review and publishing: submit (runs the simulator and stores its report), approve or reject
 * by a reviewer who did not write the draft, publish through one gate, rollback through the same gate.
 */
export function createReviewService(
  deps: FlowDeps & {
    flows: FlowsService
    simulation: SimulationPort
    queues?: Pick<QueuesService, 'warnings'>
    /** Inside the publishing transaction: what else a published version records (its settings revision). */
    onPublished?: (flowId: string, hash: string) => void
  },
) {
  const { db, audit, now, registry, flows: flowsService, simulation, queues } = deps
  const actorOf = (p: Principal) => ({ who: p.username, role: p.role })

  // Newest first by insertion order: two submissions can carry the same timestamp.
  const reviewFor = (flowId: string, hash: string) =>
    db
      .select()
      .from(reviews)
      .where(and(eq(reviews.flowId, flowId), eq(reviews.hash, hash)))
      .orderBy(desc(sql`${reviews}.rowid`))
      .get()

  /** Everything that stops `hash` of `flowId` from being published, in plain words (empty: publishable). */
  function publishBlockers(flowId: string, hash: string): string[] {
    const blockers: string[] = []
    const version = flowsService.versionByHash(flowId, hash)
    if (!version) return [`There is no version with hash ${hash}.`]
    const validation = validateFlow(version.document, registry)
    if (!validation.valid) blockers.push('The document is not valid with the installed node types.')
    const review = db
      .select()
      .from(reviews)
      .where(
        and(
          eq(reviews.flowId, flowId),
          eq(reviews.hash, hash),
          inArray(reviews.status, ['open', 'approved', 'published']),
        ),
      )
      .orderBy(desc(sql`${reviews}.rowid`))
      .get()
    if (!review) blockers.push('It has not been submitted for review.')
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
      if (review.status === 'open') blockers.push('No reviewer has approved it yet.')
      const authors = authorsOf(flowId, hash)
      if (!review.approvals.some((a) => !authors.has(a.by)))
        blockers.push('It needs the approval of a reviewer who is not its author.')
    }
    return blockers
  }

  /**
   * What does not stop `hash` from being published but will fail its runs here: nodes calling a
   * connector this installation has not configured (plain sentences, no patient data).
   */
  function publishWarnings(flowId: string, hash: string): string[] {
    const version = flowsService.versionByHash(flowId, hash)
    if (!version) return []
    // Only the connector check: the full validation already ran for the blockers, and a published
    // version was valid when it was published.
    // and human steps whose queue nobody works (their tasks would reach no one).
    return [
      ...connectorProblems(version.document, registry).map((p) => p.message),
      ...(queues?.warnings(version.document) ?? []),
    ]
  }

  /** Everyone who wrote a revision with this content (four eyes: none of them may approve it). */
  function authorsOf(flowId: string, hash: string): Set<string> {
    const rows = db
      .select({ author: flowVersions.author })
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.hash, hash)))
      .all()
    return new Set(rows.map((r) => r.author))
  }

  async function submit(flowId: string, principal: Principal) {
    const flow = flowsService.requireFlow(flowId)
    if (flow.status === 'retired') throw new AppError('conflict', 'This flow is retired.', { path: 'id' })
    if (flow.status !== 'draft')
      throw new AppError('conflict', `Only a draft can be submitted; this flow is ${flow.status}.`, { path: 'id' })
    const hash = flow.draftHash
    const candidate = flowsService.version(flowId, hash)
    const base = flow.publishedHash ? flowsService.version(flowId, flow.publishedHash) : null
    // The same simulation the designer runs: the draft's own test cases plus generated ones.
    const report = await simulation.run({ base, candidate, suites: [flowsService.suite(flowId)], generate: true })
    return db.transaction(() => {
      const current = flowsService.requireFlow(flowId)
      if (current.draftHash !== hash || current.status !== 'draft')
        throw new AppError('conflict', 'The draft changed while it was being simulated; submit again.', { path: 'id' })
      const id = randomUUID()
      db.insert(reviews)
        .values({
          id,
          flowId,
          hash,
          revision: current.draftRevision,
          status: 'open',
          report: toJson(report),
          reportHash: reportHash(report),
          submittedBy: principal.username,
          submittedAt: now().toISOString(),
        })
        .run()
      db.update(flows)
        .set({ status: 'in-review', updatedAt: now().toISOString(), updatedBy: principal.username })
        .where(eq(flows.id, flowId))
        .run()
      audit.append(reviewSubmitted(actorOf(principal), { flow: flowId, hash }, { review: id, summary: report.summary }))
      return { id, hash, status: 'in-review' as const }
    })
  }

  function get(flowId: string) {
    const flow = flowsService.requireFlow(flowId)
    const hash = flow.draftHash
    const review = reviewFor(flowId, hash)
    return {
      status: flow.status,
      hash,
      // Stored by `submit` from the simulator's report; read back by its schema.
      report: review?.report == null ? null : simulationReportSchema.parse(review.report),
      reportHash: review?.reportHash ?? null,
      override: review?.override ?? null,
      reviewStatus: review?.status ?? null,
      submittedBy: review?.submittedBy ?? null,
      approvals: review?.approvals ?? [],
      comments: review?.comments ?? [],
      publishBlockers: flow.publishedHash === hash && flow.status === 'published' ? [] : publishBlockers(flowId, hash),
      publishWarnings: publishWarnings(flowId, hash),
    }
  }

  function decide(kind: 'approve' | 'reject', flowId: string, hash: string, comment: string, principal: Principal) {
    return db.transaction(() => {
      const flow = flowsService.requireFlow(flowId)
      if (flow.draftHash !== hash)
        throw new AppError('conflict', 'The draft changed since you looked at it; review the current version.', {
          path: 'hash',
        })
      const review = reviewFor(flowId, hash)
      if (!review || review.status !== 'open' || flow.status !== 'in-review')
        throw new AppError('conflict', 'This version is not waiting for review.', { path: 'hash' })
      if (authorsOf(flowId, hash).has(principal.username) || review.submittedBy === principal.username) {
        audit.append(
          reviewRefused(kind, actorOf(principal), { flow: flowId, hash }, 'four eyes: the author may not review'),
        )
        throw new AppError(
          'forbidden',
          'You wrote or submitted this version; another reviewer must decide (four eyes).',
        )
      }
      const at = now().toISOString()
      const comments = [...review.comments, { by: principal.username, at, kind, comment }]
      const approvals =
        kind === 'approve' ? [...review.approvals, { by: principal.username, at, comment }] : review.approvals
      db.update(reviews)
        .set({ status: kind === 'approve' ? 'approved' : 'rejected', approvals, comments })
        .where(eq(reviews.id, review.id))
        .run()
      db.update(flows)
        .set({ status: kind === 'approve' ? 'approved' : 'draft', updatedAt: at, updatedBy: principal.username })
        .where(eq(flows.id, flowId))
        .run()
      audit.append(reviewDecided(kind, actorOf(principal), { flow: flowId, hash }, comment))
      return { status: kind === 'approve' ? ('approved' as const) : ('draft' as const), hash }
    })
  }

  /**
   * A reviewer who is not the author lets the version through although test cases fail their
   * expectations, with a written reason (audited; the reason stays with the review).
   */
  function override(flowId: string, hash: string, reason: string, principal: Principal) {
    return db.transaction(() => {
      const flow = flowsService.requireFlow(flowId)
      if (flow.draftHash !== hash)
        throw new AppError('conflict', 'The draft changed since you looked at it; review the current version.', {
          path: 'hash',
        })
      const review = reviewFor(flowId, hash)
      if (!review || (review.status !== 'open' && review.status !== 'approved'))
        throw new AppError('conflict', 'This version is not waiting for review.', { path: 'hash' })
      if (authorsOf(flowId, hash).has(principal.username) || review.submittedBy === principal.username)
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
      db.update(reviews).set({ override: record }).where(eq(reviews.id, review.id)).run()
      audit.append(failingCasesOverridden(actorOf(principal), { flow: flowId, hash }, { reason, cases: record.cases }))
      return { hash, override: record }
    })
  }

  function publishHash(
    action: 'review.publish' | 'review.rollback',
    flowId: string,
    hash: string,
    principal: Principal,
    reason: string,
  ) {
    return db.transaction(() => {
      const flow = flowsService.requireFlow(flowId)
      if (flow.status === 'retired') throw new AppError('conflict', 'This flow is retired.', { path: 'id' })
      const blockers = publishBlockers(flowId, hash)
      if (blockers.length > 0) {
        audit.append(publishRefused(action, actorOf(principal), { flow: flowId, hash }, blockers))
        throw new AppError('publish-blocked', `It cannot be published yet: ${blockers.join(' ')}`, {
          path: 'hash',
          blockers,
        })
      }
      const at = now().toISOString()
      db.update(flowVersions)
        .set({ status: 'superseded' })
        .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.status, 'published')))
        .run()
      db.update(flowVersions)
        .set({ status: 'published', publishedAt: at })
        .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.hash, hash)))
        .run()
      db.update(reviews)
        .set({ status: 'published' })
        .where(and(eq(reviews.flowId, flowId), eq(reviews.hash, hash), eq(reviews.status, 'approved')))
        .run()
      const status = flow.draftHash === hash ? 'published' : flow.status
      db.update(flows)
        .set({ publishedHash: hash, status, updatedAt: at, updatedBy: principal.username })
        .where(eq(flows.id, flowId))
        .run()
      deps.onPublished?.(flowId, hash)
      audit.append(
        versionPublished(action, actorOf(principal), { flow: flowId, hash }, { reason, previous: flow.publishedHash }),
      )
      return { id: flowId, publishedHash: hash, warnings: publishWarnings(flowId, hash) }
    })
  }

  return {
    submit,
    /** Run the simulator without storing anything (the designer's simulator panel). */
    simulate: (request: Parameters<SimulationPort['run']>[0]) => simulation.run(request),
    get,
    publishBlockers,
    publishWarnings,
    approve: (flowId: string, hash: string, comment: string, p: Principal) =>
      decide('approve', flowId, hash, comment, p),
    reject: (flowId: string, hash: string, comment: string, p: Principal) => decide('reject', flowId, hash, comment, p),
    override,
    publish: (flowId: string, hash: string, p: Principal) => {
      if (flowsService.requireFlow(flowId).draftHash !== hash)
        throw new AppError('conflict', 'Only the current draft can be published; use rollback for an older version.', {
          path: 'hash',
        })
      return publishHash('review.publish', flowId, hash, p, 'approved draft published')
    },
    rollback: (flowId: string, hash: string, p: Principal) => {
      const published = db
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
