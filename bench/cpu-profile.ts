// Where the time went in a V8 CPU profile (from the DevTools protocol's Profiler domain, in Node
// or in Chromium): self time per function, summed over the samples, largest first.
import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

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

/**
 * Inclusive time (self plus everything called beneath it) of the functions whose "name file"
 * contains one of `parts`, as a share of the busy (non-idle) samples: where a request's time went
 * by stage rather than by leaf function.
 */
export function inclusiveSummary(profile: CpuProfile, parts: readonly string[]): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const inclusive = new Map<string, number>(parts.map((part) => [part, 0]))
  const deltas = profile.timeDeltas ?? []
  let busy = 0
  ;(profile.samples ?? []).forEach((id, i) => {
    const micros = deltas[i + 1] ?? deltas[i] ?? 0
    const leaf = byId.get(id)
    if (!leaf || leaf.callFrame.functionName === '(idle)') return
    busy += micros
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)
      if (!node) break
      const key = place(node)
      for (const part of parts) if (!seen.has(part) && key.includes(part)) seen.add(part)
    }
    for (const part of seen) inclusive.set(part, (inclusive.get(part) ?? 0) + micros)
  })
  return parts.map(
    (part) =>
      `${((100 * (inclusive.get(part) ?? 0)) / Math.max(1, busy)).toFixed(1).padStart(5)}%  ${((inclusive.get(part) ?? 0) / 1000).toFixed(0).padStart(6)} ms  ${part}`,
  )
}

/**
 * BENCH_PROFILE=1: this process's CPU profile over `work`, summarised by stage (`stages`, matched
 * against "function file:line", inclusive) and by function (self time). BENCH_PROFILE=<dir> also
 * writes it there as `<label>-<time>.cpuprofile`, to open in Chromium's DevTools. Unset: just `work`.
 */
export async function profiled<T>(
  label: string,
  stages: readonly string[],
  work: () => Promise<T>,
): Promise<{ result: T; summary: string[] }> {
  const target = process.env.BENCH_PROFILE
  if (!target) return { result: await work(), summary: [] }
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  const result = await work()
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile }
  session.disconnect()
  if (target !== '1') {
    mkdirSync(target, { recursive: true })
    writeFileSync(join(target, `${label}-${Date.now()}.cpuprofile`), JSON.stringify(profile))
  }
  const summary = [
    '    by stage (inclusive, share of busy time):',
    ...inclusiveSummary(profile, stages).map((line) => `      ${line}`),
    '    by function (self time):',
    ...selfTimeSummary(profile, 12).map((line) => `      ${line}`),
  ]
  return { result, summary }
}
