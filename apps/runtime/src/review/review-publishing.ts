// Publishing and rollback: both go through the one gate (publish-gate.ts), under the flow's lock,
// in the transaction that switches the published version and records it. A version the gate
// stops is refused with its blockers, and the refusal is audited once the transaction rolls back.
import { and, eq } from 'drizzle-orm'
import { publishRefused, versionPublished } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { flows, flowVersions, reviews } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { flowKey, type FlowDeps, type Flows } from '../flows/flows.service.ts'
import type { createPublishGate } from './publish-gate.ts'
import type { ReviewReads } from './review-reads.ts'

/** Publishing an approved draft, rolling back to an earlier published version, and the installation's own publishing. */
export function createReviewPublishing(
  deps: Pick<FlowDeps, 'store' | 'audit' | 'now'> & {
    flows: Pick<Flows, 'requireFlow'>
    /** Inside the publishing transaction: what else a published version records (its settings revision). */
    onPublished?: (flowId: string, hash: string) => Promise<void>
  },
  {
    submit,
    reads: { targetRevision, publishedRevision },
    gate: { publishBlockers, publishWarnings },
  }: {
    /** The review service's submission, which the installation's own publishing goes through first. */
    submit: (flowId: string, principal: Principal) => Promise<{ hash: string }>
    reads: Pick<ReviewReads, 'targetRevision' | 'publishedRevision'>
    gate: ReturnType<typeof createPublishGate>
  },
) {
  const { store, audit, now, flows: flowsService } = deps
  const db = store.db

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

  const publish = async (flowId: string, hash: string, p: Principal) => {
    if ((await flowsService.requireFlow(flowId)).draftHash !== hash)
      throw new AppError('conflict', 'Only the current draft can be published; use rollback for an older version.', {
        path: 'hash',
      })
    return publishHash('review.publish', flowId, hash, p, 'approved draft published')
  }

  const rollback = async (flowId: string, hash: string, p: Principal) => {
    if (!(await publishedRevision(flowId, hash)))
      throw new AppError('conflict', 'Only a version that was published before can be rolled back to.', {
        path: 'hash',
      })
    return publishHash('review.rollback', flowId, hash, p, 'rollback to an earlier published version')
  }

  return { publishAsSystem, publish, rollback }
}
