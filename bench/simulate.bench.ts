// Simulator throughput and memory: cases per second on the example flows with 10,000 cases,
// peak memory, growth from 1,000 to 10,000 cases, 100,000 cases with compiled decisions and on json-rules-engine, and where the time goes (a CPU profile of
// the measured call, summarised by package and function, plus manual timers). Each measurement runs in its own process so
// peak RSS belongs to that measurement alone. Figures are printed, never asserted.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { Session, type HeapProfiler } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { validateFlow, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { parseSuite, runCase, simulate, type SimulateOptions, type Suite, type SuiteCase } from '@carepath/engine'
import { simulationWorkers } from '../apps/runtime/src/simulation/simulation-workers.ts'
import { loadAverage } from './load.ts'

const here = dirname(fileURLToPath(import.meta.url))
const examples = join(here, '..', 'examples')

function loadFlow(path: string): FlowDocument | undefined {
  const result = validateFlow(JSON.parse(readFileSync(path, 'utf8')), registry)
  return result.valid ? result.document : undefined
}

function loadSuite(flowFile: string): Suite | undefined {
  try {
    const parsed = parseSuite(
      JSON.parse(
        readFileSync(flowFile.replace(/(\.v\d+)?\.flow\.json$/, '.suite.json').replace('/drafts/', '/'), 'utf8'),
      ),
    )
    return parsed.ok ? parsed.suite : undefined
  } catch {
    return undefined
  }
}

/** Seeded variation of suite inputs: numbers, booleans and dates move; the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), s | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
function vary(value: JsonValue, random: () => number): JsonValue {
  if (Array.isArray(value)) return value.map((v) => vary(v, random))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, vary(v, random)]))
  if (random() > 0.3) return value
  if (typeof value === 'number') return Math.round(value + (random() - 0.5) * 2 * Math.max(1, Math.abs(value)))
  if (typeof value === 'boolean') return random() < 0.5
  return value
}
function manyCases(suite: Suite, n: number): Suite {
  const random = seeded(42)
  const cases: SuiteCase[] = []
  for (let i = 0; i < n; i++) {
    const template = suite.cases[i % suite.cases.length] as SuiteCase
    cases.push({
      ...template,
      id: `bench-${i}`,
      expect: undefined,
      input: vary(template.input, random) as Record<string, JsonValue>,
    })
  }
  return { ...suite, cases }
}

type ChildResult = {
  flow: string
  cases: number
  ms: number
  perSecond: number
  /** CPU time of the whole process (worker threads included) during the measured call. */
  cpuMs: number
  maxRssMb: number
  heapMb: number
  runMs?: number
  changed: number
}

/** One measurement (child process): simulate base vs candidate over n cases. */
async function child(baseFile: string, candidateFile: string, n: number, extra: string | undefined): Promise<void> {
  const split = extra === 'split'
  const base = loadFlow(baseFile) as FlowDocument
  const candidate = loadFlow(candidateFile) as FlowDocument
  const suite = manyCases(loadSuite(baseFile) as Suite, n)
  // `jre`: decisions forced onto json-rules-engine (the reference), for the side-by-side figure;
  // `workers:N` / `jre-workers:N`: the same on N threads (this one and N - 1 workers). Big runs count unchanged cases
  // instead of listing them (what `carepath simulate` does for its text summary).
  const workers = /workers:(\d+)$/.exec(extra ?? '')
  const options: SimulateOptions = { registry, unchangedCases: 'count' }
  if (extra?.startsWith('jre')) options.decisionEvaluator = 'json-rules-engine'
  if (workers) options.workers = simulationWorkers({ threads: Number(workers[1]) })
  // Warm the compiled-rule caches and JIT (in this thread; worker threads warm on their first chunk).
  await simulate(base, candidate, manyCases(suite, 500), { ...options, workers: undefined })
  // `profile:<file>`: a CPU profile of the measured call only (not of loading and compiling).
  const session = extra?.startsWith('profile:') ? new Session() : undefined
  if (session) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
  }
  // `heap:<file>`: a sampling profile of what the measured call allocates (DevTools' Memory tab
  // opens it), short-lived objects included: the garbage collector's share of the time is that.
  const heap = extra?.startsWith('heap:') ? new Session() : undefined
  if (heap) {
    heap.connect()
    await heap.post('HeapProfiler.enable')
    // The two include flags are newer than @types/node's inspector types.
    const sampling: HeapProfiler.StartSamplingParameterType & Record<`includeObjectsCollectedBy${string}`, boolean> = {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    }
    await heap.post('HeapProfiler.startSampling', sampling)
  }
  const cpu = process.cpuUsage()
  const started = performance.now()
  const report = await simulate(base, candidate, suite, options)
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  if (session && extra) {
    const { profile } = (await session.post('Profiler.stop')) as { profile: unknown }
    writeFileSync(extra.slice('profile:'.length), JSON.stringify(profile))
    session.disconnect()
  }
  if (heap && extra) {
    const { profile } = await heap.post('HeapProfiler.stopSampling')
    writeFileSync(extra.slice('heap:'.length), JSON.stringify(profile))
    heap.disconnect()
  }
  const result: ChildResult = {
    flow: base.id,
    cases: n,
    ms,
    perSecond: (n / ms) * 1000,
    cpuMs: (used.user + used.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    changed: report.summary.changed + report.summary.failed,
  }
  if (split) {
    // Manual timer: the engine alone (both versions, no diffing or report) over the same cases.
    const t = performance.now()
    for (const c of suite.cases) {
      await runCase(base, c, { registry })
      await runCase(candidate, c, { registry })
    }
    result.runMs = performance.now() - t
  }
  console.log(JSON.stringify(result))
}

function spawnChild(args: string[], nodeFlags: string[] = []): ChildResult | undefined {
  const out = spawnSync(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', fileURLToPath(import.meta.url), 'child', ...args],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    },
  )
  const line = out.stdout.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(line) as ChildResult
  } catch {
    console.log(`  (measurement failed: ${out.stderr.trim().split('\n').slice(-3).join(' | ')})`)
    return undefined
  }
}

/** Self time of a V8 CPU profile, grouped by package and by function. */
function summariseProfile(dir: string): void {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) return
  type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: Node[]
    samples: number[]
    timeDeltas: number[]
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const bucket = (url: string, name: string): string => {
    if (name === '(garbage collector)') return 'garbage collection'
    if (name === '(idle)' || name === '(program)') return 'idle/program'
    const m = /node_modules\/(?:\.pnpm\/)?(@?[^/@]+(?:\/[^/@]+)?)/.exec(url)
    if (m && url.includes('node_modules')) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url)?.[1] ?? m[1]
      return `npm: ${pkg}`
    }
    const own = /\/(packages|apps)\/([^/]+)\//.exec(url)
    if (own) return `carepath: ${own[2]}`
    if (url.startsWith('node:') || url === '') return 'node internals'
    return 'other'
  }
  const groups = new Map<string, number>()
  const functions = new Map<string, number>()
  for (const [id, us] of self) {
    const node = byId.get(id)
    if (!node) continue
    const { functionName, url, lineNumber } = node.callFrame
    const b = bucket(url, functionName)
    groups.set(b, (groups.get(b) ?? 0) + us)
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/')}:${lineNumber + 1}`
    functions.set(key, (functions.get(key) ?? 0) + us)
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`
  console.log('\nWhere the time goes (CPU profile self time, eligibility 10,000 cases):')
  for (const [name, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${pct(us)}  ${name}`)
  console.log('  hottest functions:')
  for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(us)}  ${name}`)
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2)
  if (mode === 'child') return await child(rest[0] as string, rest[1] as string, Number(rest[2]), rest[3])
  const flows = readdirSync(examples)
    .filter((f) => f.endsWith('.flow.json'))
    .sort()
    .map((f) => join(examples, f))
    .filter((f) => loadFlow(f) && loadSuite(f))
  if (flows.length === 0) {
    console.log('No example flow is runnable with the installed node types; nothing to measure.')
    return
  }
  const draftOf = (file: string) => {
    const draft = join(examples, 'drafts', file.split('/').pop()!.replace('.flow.json', '.v2.flow.json'))
    return existsSync(draft) && loadFlow(draft) ? draft : file
  }
  console.log(
    'simulate, 10,000 cases per example flow (base vs candidate; the candidate is the v2 draft where there is one):',
  )
  console.log('  flow                          cases/s   total s   peak RSS MB   changed')
  for (const file of flows) {
    const r = spawnChild([file, draftOf(file), '10000'])
    if (r)
      console.log(
        `  ${r.flow.padEnd(28)} ${r.perSecond.toFixed(0).padStart(8)} ${(r.ms / 1000).toFixed(2).padStart(9)} ${r.maxRssMb.toFixed(0).padStart(13)} ${String(r.changed).padStart(9)}`,
      )
  }
  const growthFlow = flows.find((f) => f.includes('eligibility')) ?? (flows[0] as string)
  console.log(`\nload average: ${loadAverage()} (2 cores)`)
  console.log(`\ngrowth (${growthFlow.split('/').pop()} vs its draft):`)
  console.log('  cases      cases/s   total s   peak RSS MB   heap after MB')
  for (const n of [1_000, 10_000]) {
    const r = spawnChild([growthFlow, draftOf(growthFlow), String(n)])
    if (r)
      console.log(
        `  ${String(n).padStart(7)} ${r.perSecond.toFixed(0).padStart(10)} ${(r.ms / 1000).toFixed(2).padStart(9)} ${r.maxRssMb.toFixed(0).padStart(13)} ${r.heapMb.toFixed(0).padStart(15)}`,
      )
  }
  console.log(
    `\n100,000 cases × 2 versions (${growthFlow.split('/').pop()} vs its draft; goal ≤ 10 s on 2 cores; unchanged cases counted, not listed):`,
  )
  console.log(
    '  how                                          total s   CPU s   CPU ms/case   cases/s   peak RSS MB   vs goal   load average',
  )
  const ways: [string, string | undefined][] = [
    ['compiled decisions, one thread', undefined],
    ['compiled decisions, 2 threads (+1 worker)', 'workers:2'],
    ['compiled decisions, 3 threads (+2 workers)', 'workers:3'],
    ['json-rules-engine decisions, 2 threads', 'jre-workers:2'],
  ]
  const changedBy = new Set<number>()
  for (const [how, extra] of ways) {
    const r = spawnChild([growthFlow, draftOf(growthFlow), '100000', ...(extra ? [extra] : [])])
    if (!r) continue
    changedBy.add(r.changed)
    console.log(
      `  ${how.padEnd(44)} ${(r.ms / 1000).toFixed(1).padStart(7)} ${(r.cpuMs / 1000).toFixed(1).padStart(7)} ${(r.cpuMs / r.cases).toFixed(3).padStart(13)} ${r.perSecond.toFixed(0).padStart(9)} ${r.maxRssMb.toFixed(0).padStart(13)} ${`${(r.ms / 10_000).toFixed(2)}×`.padStart(9)}   ${loadAverage()}`,
    )
  }
  if (changedBy.size > 1) console.log('  (!) the ways above disagree on how many cases changed')
  const split = spawnChild([growthFlow, draftOf(growthFlow), '10000', 'split'])
  if (split?.runMs !== undefined) {
    console.log(
      `\nmanual timers (10,000 cases): simulate ${(split.ms / 1000).toFixed(2)} s; the engine alone running both versions ${(split.runMs / 1000).toFixed(2)} s (${((split.runMs / split.ms) * 100).toFixed(0)}%); diffing, coverage and report the rest`,
    )
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'carepath-prof-'))
  spawnChild([growthFlow, draftOf(growthFlow), '10000', `profile:${join(profileDir, 'simulate.cpuprofile')}`])
  summariseProfile(profileDir)
  rmSync(profileDir, { recursive: true, force: true })
}

await main()
