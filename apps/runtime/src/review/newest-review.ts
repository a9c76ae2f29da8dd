// The order a flow's reviews are read in, newest first, on either database (no `rowid`): by when
// they were submitted, then by revision. Two submissions of one revision can carry the same
// timestamp (a clock's resolution, a test's fixed clock); a revision is submitted again only once
// its earlier review was rejected or voided, so the one still standing is the newer.
import { asc, desc, sql } from 'drizzle-orm'
import { reviews } from '../db/schema.ts'

export const newestReviewFirst = [
  desc(reviews.submittedAt),
  desc(reviews.revision),
  asc(sql`${reviews.status} IN ('rejected', 'voided')`),
] as const
