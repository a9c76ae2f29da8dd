// The quarterly review of the PHI touchpoint map (HIPAA risk analysis asks that the map of where
// PHI is created, accessed and sent be kept current): one alert episode per review period, for
// the compliance owner, from the day the review falls due until someone records it.

/** What the alert reads of the review (see PhiMapService.reviewStatus). */
export interface PhiMapReviewStatus {
  review: { reviewedOn: string; reviewedBy: string } | null
  reviewDue: string | null
  overdue: boolean
}

/**
 * The condition, when it holds. The subject names the due date, so recording a review closes the
 * episode and the next quarter's lapse opens a new one.
 */
export function phiMapReviewAlert(
  status: PhiMapReviewStatus | undefined,
): { subject: string; flowId: null; ownerKind: 'compliance'; message: string }[] {
  if (!status?.overdue) return []
  const message = status.review
    ? `The PHI touchpoint map was last reviewed on ${status.review.reviewedOn.slice(0, 10)} by ${status.review.reviewedBy}; its quarterly review was due on ${status.reviewDue?.slice(0, 10)}.`
    : 'The PHI touchpoint map has never been reviewed: review it (Audit → PHI map) and mark it reviewed.'
  return [
    {
      subject: `phi-map-review:${status.reviewDue ?? 'never'}`,
      flowId: null,
      ownerKind: 'compliance',
      message,
    },
  ]
}
