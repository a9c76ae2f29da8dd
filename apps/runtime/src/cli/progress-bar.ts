// The progress line long CLI commands draw on a terminal's stderr, redrawn in place.

/** `[########------------]  40% 40,000/100,000 cases, 3.1 s`: plain, fixed width, no colour. */
export function progressLine(done: number, total: number, elapsedMs: number, width = 24): string {
  const share = total === 0 ? 1 : Math.min(1, done / total)
  const filled = Math.round(share * width)
  const percent = `${Math.floor(share * 100)}%`.padStart(4)
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ${count} cases, ${(elapsedMs / 1000).toFixed(1)} s`
}

/** A progress reporter that redraws at most every `everyMs` (and always at the end) on a terminal. */
export function terminalProgress(
  stream: { isTTY?: boolean; write(text: string): unknown },
  clock: () => number,
  everyMs = 100,
): { update(progress: { done: number; total: number }): void; end(): void } {
  const started = clock()
  let drawnAt = -Infinity
  let drawn = false
  return {
    update({ done, total }) {
      if (!stream.isTTY) return
      const now = clock()
      if (done < total && now - drawnAt < everyMs) return
      drawnAt = now
      drawn = true
      stream.write(`\r${progressLine(done, total, now - started)}`)
    },
    end() {
      if (drawn) stream.write('\n')
    },
  }
}
