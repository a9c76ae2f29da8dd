// The middle of a sample, which benches report on a shared machine: a mean carries other
// processes' time slices, a median does not move with one slow round.

/** The median of `values` (the upper of the two middle ones for an even count; 0 when empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}
