// Where the time went in a V8 CPU profile (from the DevTools protocol's Profiler domain, in Node
// or in Chromium): self time per function, summed over the samples, largest first.
export interface CpuProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
export interface CpuProfile {
  nodes: CpuProfileNode[]
  samples?: number[]
  timeDeltas?: number[]
}

function place(node: CpuProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url.split('/').pop()?.replace(/\?.*$/, '') ?? ''
  const name = functionName || '(anonymous)'
  return file ? `${name} ${file}:${lineNumber + 1}` : name
}

/** The `top` functions by self time, as "share  ms  function file:line" lines. */
export function selfTimeSummary(profile: CpuProfile, top = 15): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  let total = 0
  samples.forEach((id, i) => {
    const node = byId.get(id)
    const micros = deltas[i + 1] ?? deltas[i] ?? 0
    if (!node) return
    total += micros
    const key = place(node)
    self.set(key, (self.get(key) ?? 0) + micros)
  })
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([key, micros]) =>
        `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`,
    )
}
