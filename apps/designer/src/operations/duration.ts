// Durations as people read them, for the metrics tables.

/** A duration in ms as a person reads it ("—" when there is none yet). */
export function duration(ms: number | null): string {
  if (ms === null) return '—'
  // A change can be negative (a version that got faster).
  if (ms < 0) return `−${duration(-ms)}`
  if (ms < 1000) return `${ms} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`
  return `${(ms / 3_600_000).toFixed(1)} h`
}
