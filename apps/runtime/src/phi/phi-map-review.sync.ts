// Whether the PHI map is due for review, read synchronously for operations/alerts.service.ts,
// whose rules are evaluated synchronously until operations/ moves to the store; then this goes
// and alerts read `PhiMapService.reviewStatus`.
import { eq } from 'drizzle-orm'
import type { Db } from '../db/open-db.ts'
import { flows, settings } from '../db/schema.ts'
import { PHI_MAP_REVIEW_KEY, reviewStatusOf, storedReview, type PhiMapReviewStatus } from './phi-map.service.ts'

export function syncPhiMapReviewStatus(db: Db, now: () => Date): () => PhiMapReviewStatus {
  return () => {
    const row = db.select().from(settings).where(eq(settings.key, PHI_MAP_REVIEW_KEY)).get()
    const anyFlow = db.select({ id: flows.id }).from(flows).limit(1).get() !== undefined
    return reviewStatusOf(storedReview(row?.value), anyFlow, now())
  }
}
