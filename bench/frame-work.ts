// Frames during a gesture in Chromium, two ways: the interval between animation frames (what the
// user sees, never below 16.7 ms on a 60 Hz clock, and stretched by anything else the machine
// runs) and the main thread's busy time within each of those intervals, from Chromium's own
// trace (what the page's code costs per frame; it decides whether a frame is dropped).
import type { loggedInPage } from '../tests/e2e/harness.ts'

type Page = Awaited<ReturnType<typeof loggedInPage>>
type CDPSession = Awaited<ReturnType<ReturnType<Page['context']>['newCDPSession']>>

/** One trace event, as far as the frame split reads it. */
interface TraceEvent {
  name: string
  ph: string
  ts: number
  dur?: number
  tid: number
  pid: number
}

export interface FrameFigures {
  /** Time between consecutive animation frames, ms. */
  intervals: number[]
  /** The renderer main thread's busy time inside each interval, ms. */
  work: number[]
  /** Frames the display would have shown but the page did not produce (an interval of n frames drops n − 1). */
  dropped: number
  /** The main thread's time by trace event (self time: script, style, layout, paint, ...), largest first, ms. */
  byActivity: [string, number][]
  /** The same, over the busiest twentieth of the frames only (the ones the p95 is made of), and how many they are. */
  busiest: { frames: number; byActivity: [string, number][] }
}

const MARK = 'bench-frame'
const FRAME_MS = 1000 / 60
const CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'blink.user_timing',
].join(',')

/** Records every animation frame during `gesture` and splits the main thread's time by frame. */
export async function measureFrames(page: Page, gesture: () => Promise<void>, waitMs: number): Promise<FrameFigures> {
  const cdp = await page.context().newCDPSession(page)
  const events: TraceEvent[] = []
  cdp.on('Tracing.dataCollected', ({ value }) => {
    for (const event of value) if (isTraceEvent(event)) events.push(event)
  })
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' })
  // A fresh recorder per gesture: the generation keeps an earlier recorder's last pending frame
  // from resuming once the next one starts (two loops would record every frame twice).
  await page.evaluate(`(() => {
    const generation = (window.__frameGeneration = (window.__frameGeneration ?? 0) + 1)
    const tick = () => {
      if (window.__frameGeneration !== generation) return
      performance.mark('${MARK}')
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })()`)
  try {
    await gesture()
  } finally {
    await page.evaluate(`window.__frameGeneration += 1`)
    await endTrace(cdp, waitMs)
    await cdp.detach()
  }
  return splitByFrame(events)
}

async function endTrace(cdp: CDPSession, waitMs: number): Promise<void> {
  const complete = new Promise<void>((done) => cdp.once('Tracing.tracingComplete', () => done()))
  await cdp.send('Tracing.end')
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new Error(`Chromium did not hand over its frame trace within ${waitMs / 1000} s`)),
      waitMs,
    )
  })
  try {
    await Promise.race([complete, late])
  } finally {
    clearTimeout(timer)
  }
}

function isTraceEvent(value: unknown): value is TraceEvent {
  if (typeof value !== 'object' || value === null) return false
  return 'name' in value && 'ph' in value && 'ts' in value && 'tid' in value && 'pid' in value
}

/** The frames the marks bound, and the union of the main thread's top-level tasks inside each. */
export function splitByFrame(events: TraceEvent[]): FrameFigures {
  const marks = events.filter((e) => e.name === MARK).sort((a, b) => a.ts - b.ts)
  const main = marks[0]
  if (!main) throw new Error('the trace holds no animation frame marks: the page drew no frame during the gesture')
  const tasks = mergedSpans(
    events
      .filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid && e.dur !== undefined)
      .filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask')
      .map((e): [number, number] => [e.ts, e.ts + (e.dur ?? 0)]),
  )
  const intervals: number[] = []
  const work: number[] = []
  const spans: [number, number][] = []
  let dropped = 0
  for (let i = 1; i < marks.length; i++) {
    const from = marks[i - 1]!.ts
    const to = marks[i]!.ts
    spans.push([from, to])
    const interval = (to - from) / 1000
    intervals.push(interval)
    dropped += Math.max(0, Math.round(interval / FRAME_MS) - 1)
    let busy = 0
    for (const [start, end] of tasks) busy += Math.max(0, Math.min(end, to) - Math.max(start, from))
    work.push(busy / 1000)
  }
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid)
  const threshold = [...work].sort((a, b) => a - b)[Math.floor(work.length * 0.95)] ?? Infinity
  const busiest = spans.filter((_, i) => work[i]! >= threshold)
  const inBusiest = onMain.filter((e) => busiest.some(([from, to]) => e.ts >= from && e.ts < to))
  return {
    intervals,
    work,
    dropped,
    byActivity: selfTimeByName(onMain),
    busiest: { frames: busiest.length, byActivity: selfTimeByName(inBusiest) },
  }
}

/** Each complete event's own time (its duration less its nested events'), summed by name. */
function selfTimeByName(events: TraceEvent[]): [string, number][] {
  const complete = events
    .filter((e) => e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0))
  const self = new Map<string, number>()
  const open: { name: string; end: number }[] = []
  for (const event of complete) {
    const dur = event.dur ?? 0
    while (open.length > 0 && open[open.length - 1]!.end <= event.ts) open.pop()
    const parent = open[open.length - 1]
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - dur)
    self.set(event.name, (self.get(event.name) ?? 0) + dur)
    open.push({ name: event.name, end: event.ts + dur })
  }
  return [...self.entries()]
    .filter(([name]) => name !== 'RunTask' && name !== 'ThreadControllerImpl::RunTask')
    .map(([name, micros]): [string, number] => [name, micros / 1000])
    .sort((a, b) => b[1] - a[1])
}

/** Overlapping spans joined, so nested task events are counted once. */
function mergedSpans(spans: [number, number][]): [number, number][] {
  const merged: [number, number][] = []
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1]
    if (last && start <= last[1]) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  return merged
}
