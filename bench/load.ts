// The load a benchmark's figures were taken at: this machine is shared, so every figure is printed
// beside the 1-, 5- and 15-minute load averages.
import { loadavg } from 'node:os'

/** `1.23 / 1.10 / 0.98` (1, 5 and 15 minutes). */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ')
}
