// Designer benchmark: a generated 500-node flow. Prints (never asserts) validate + compile time
// in Node, and in real Chromium against the real runtime: time until the canvas is interactive
// (in-app navigation and a full reload), and frame times while dragging a node and panning.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { contentHash, flowToGraph, graphToFlow, validateFlow, type FlowDocument, type FlowNode } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { DEMO_PASSWORD, launchBrowser, loggedInPage, repoRoot, startRuntime } from '../tests/e2e/harness.ts'

const SIZE = 500
const FLOW_ID = 'bench-500'

/** trigger → 498 rule decisions (hi → next, lo → the one after) → end. */
function generateFlow(): FlowDocument {
  const nodes: Record<string, FlowNode> = {}
  const layout: Record<string, { x: number; y: number }> = {}
  const decisions = SIZE - 2
  const id = (i: number) => (i > decisions ? 'end' : `d${i}`)
  nodes.start = { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'd1' } }
  for (let i = 1; i <= decisions; i++) {
    nodes[`d${i}`] = {
      type: 'decision.rules',
      typeVersion: 1,
      title: `Check ${i}`,
      config: {
        rules: [
          {
            id: 'high',
            conditions: { all: [{ fact: `x.v${i % 10}`, operator: 'greaterThan', value: i }] },
            event: { type: 'hi' },
          },
        ],
        defaultOutcome: 'lo',
      },
      next: { hi: id(i + 1), lo: id(i + 2) },
    }
  }
  nodes.end = { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} }
  Object.keys(nodes).forEach((key, index) => (layout[key] = { x: (index % 25) * 280, y: Math.floor(index / 25) * 170 }))
  const properties = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [`v${i}`, { type: 'number' as const, 'x-phi': 'none' as const }]),
  )
  return {
    dsl: 'carepath.flow/1',
    id: FLOW_ID,
    version: 1,
    title: 'Benchmark: 500 nodes',
    facts: { type: 'object', properties: { x: { type: 'object', properties } } },
    roles: {},
    start: 'start',
    nodes,
    layout,
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}
const ms = (v: number) => `${v.toFixed(1)} ms`

const document = generateFlow()

// 1. Validate + compile, as the designer does on every edit (in Node; the same code runs in the browser).
const timings: number[] = []
for (let i = 0; i < 15; i++) {
  const t0 = performance.now()
  const result = validateFlow(document, registry)
  if (!result.valid) throw new Error(`the generated flow is not valid: ${result.problems[0]?.message}`)
  graphToFlow(flowToGraph(document))
  contentHash(document)
  timings.push(performance.now() - t0)
}
console.log(
  `validate + compile + hash (${SIZE} nodes, Node): p50 ${ms(percentile(timings, 50))}, p95 ${ms(percentile(timings, 95))}`,
)

// 2. The browser, against the real runtime serving the built designer.
if (!existsSync(join(repoRoot, 'apps/designer/dist/index.html'))) {
  spawnSync('pnpm', ['--filter', '@carepath/designer', 'build'], { cwd: repoRoot, stdio: 'inherit' })
}
const runtime = await startRuntime()
const browser = await launchBrowser()
try {
  const login = await fetch(`${runtime.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'analyst', password: DEMO_PASSWORD }),
  })
  const token = ((await login.json()) as { result: { data: { token: string } } }).result.data.token
  const created = await fetch(`${runtime.url}/trpc/flows.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ document }),
  })
  if (!created.ok) throw new Error(`could not store the flow: ${await created.text()}`)

  const page = await loggedInPage(browser, runtime, 'analyst')
  const waitInteractive = `new Promise((done) => {
    const check = () => {
      const ready = document.querySelectorAll('.react-flow__node').length >= ${SIZE} && document.querySelector('[data-testid="problems"] h4')
      if (ready) requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())))
      else setTimeout(check, 5)
    }
    check()
  })`
  const navigation = await page.evaluate(
    `(async () => { const t0 = performance.now(); location.hash = '#/flows/${FLOW_ID}'; const t1 = await ${waitInteractive}; return t1 - t0 })()`,
  )
  console.log(`time to interactive, in-app navigation: ${ms(navigation as number)}`)
  await page.reload()
  const reload = (await page.evaluate(`${waitInteractive}.then((t) => t)`)) as number
  console.log(`time to interactive, full reload (bundle, session, flow, canvas): ${ms(reload)}`)

  // Frame times: a rAF recorder while the mouse drags a node, then pans the empty canvas.
  const startFrames = () =>
    page.evaluate(
      `(() => { window.__frames = []; window.__recording = true; const tick = (t) => { if (!window.__recording) return; window.__frames.push(t); requestAnimationFrame(tick) }; requestAnimationFrame(tick) })()`,
    )
  const stopFrames = async () => {
    const frames = (await page.evaluate(`(() => { window.__recording = false; return window.__frames })()`)) as number[]
    return frames.slice(1).map((t, i) => t - frames[i]!)
  }
  const box = await page.locator('.react-flow__node[data-id="d260"]').boundingBox()
  if (!box) throw new Error('node d260 is not on screen')
  await startFrames()
  await page.mouse.move(box.x + 6, box.y + 4)
  await page.mouse.down()
  for (let i = 0; i < 90; i++) await page.mouse.move(box.x + 6 + i * 2, box.y + 4 + i, { steps: 1 })
  await page.mouse.up()
  const drag = await stopFrames()
  console.log(
    `frame time while dragging a node: p50 ${ms(percentile(drag, 50))}, p95 ${ms(percentile(drag, 95))} (${drag.length} frames)`,
  )

  const pane = (await page.evaluate(`(() => {
    const r = document.querySelector('[data-testid="canvas"]').getBoundingClientRect()
    for (let y = r.top + 10; y < r.bottom - 10; y += 7) for (let x = r.left + 10; x < r.right - 200; x += 7) {
      const el = document.elementFromPoint(x, y)
      if (el && el.classList.contains('react-flow__pane')) return { x, y }
    }
    return null
  })()`)) as { x: number; y: number } | null
  if (!pane) throw new Error('no empty canvas spot to pan from')
  await startFrames()
  await page.mouse.move(pane.x, pane.y)
  await page.mouse.down()
  for (let i = 0; i < 90; i++) await page.mouse.move(pane.x + i * 3, pane.y + i * 2, { steps: 1 })
  await page.mouse.up()
  const pan = await stopFrames()
  console.log(
    `frame time while panning: p50 ${ms(percentile(pan, 50))}, p95 ${ms(percentile(pan, 95))} (${pan.length} frames)`,
  )
  console.log('(headless Chromium without GPU; compare runs on one machine, not across machines)')
} finally {
  await browser.close()
  await runtime.stop()
}
