// What the review service reads of a flow's reviews and revisions, on the store: the revision a
// hash is published as, the newest review of exactly that text, and everyone who wrote it.
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import { flowVersions, reviews } from '../db/schema.ts'
import type { Flows } from '../flows/flows.service.ts'
import type { Store } from '../store/store.ts'
import { newestReviewFirst } from './newest-review.ts'

export function createReviewReads(
  store: Store,
  flowsService: Pick<Flows, 'requireFlow' | 'revisionRow' | 'versionByHash'>,
) {
  const db = store.db

  /** The revision this hash was (or is) published as: the published one first, else the latest superseded. */
  function publishedRevision(flowId: string, hash: string) {
    return db
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
  }

  /** The revision a hash is published as: the draft's when it is the draft, else the latest published before. */
  async function targetRevision(flowId: string, hash: string) {
    const flow = await flowsService.requireFlow(flowId)
    if (flow.draftHash === hash) return flowsService.revisionRow(flowId, flow.draftRevision)
    const row = await publishedRevision(flowId, hash)
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

  /** Everyone who wrote a revision with this content (four eyes: none of them may approve it). */
  async function authorsOf(flowId: string, hash: string): Promise<Set<string>> {
    const rows = await db
      .select({ author: flowVersions.author })
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.hash, hash)))
      .all()
    return new Set(rows.map((r) => r.author))
  }

  return { targetRevision, publishedRevision, reviewFor, authorsOf }
}
export type ReviewReads = ReturnType<typeof createReviewReads>
