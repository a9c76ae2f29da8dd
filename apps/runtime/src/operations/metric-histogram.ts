// Log-scale histograms of durations: bucket b holds values up to 2^(b/4) ms, so a quantile read
// from the buckets is within 19% of the true one whatever the count, and a histogram is a few
// dozen rows however many runs it has seen.

/** Buckets per doubling. */
const PER_OCTAVE = 4

/** The bucket a duration falls in (0 for anything under a millisecond). */
export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0
  return Math.ceil(Math.log2(ms) * PER_OCTAVE)
}

/** The upper bound of a bucket, in ms. */
export function bucketUpperMs(bucket: number): number {
  return bucket <= 0 ? 1 : Math.round(2 ** (bucket / PER_OCTAVE))
}

/** The q-quantile (0..1) of a histogram given as bucket → count, or null when it is empty. */
export function quantileMs(histogram: ReadonlyMap<number, number>, q: number): number | null {
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0])
  const total = buckets.reduce((sum, [, n]) => sum + n, 0)
  if (total === 0) return null
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (const [bucket, n] of buckets) {
    seen += n
    if (seen >= rank) return bucketUpperMs(bucket)
  }
  return bucketUpperMs(buckets.at(-1)![0])
}
