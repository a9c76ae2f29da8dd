// Shared set-up for the browser end-to-end tests: a real runtime on a free port with a fresh
// data directory (serving the built designer), and Debian's Chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { E2E_WAIT_MS } from './e2e-limits.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = resolve(here, '../..')
export const screenshotDir = join(here, 'screenshots')
export const DEMO_PASSWORD = process.env.CAREPATH_DEMO_PASSWORD ?? 'carepath-demo'
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => ok(port))
    })
  })
}

export interface Runtime {
  url: string
  /** The runtime's data directory (its SQLite file is carepath.db), for tests that tamper with it. */
  dataDir: string
  stop(): Promise<void>
  log(): string
}

/** Start `carepath serve --demo` (with `extraArgs`) and wait until /healthz answers. */
export async function startRuntime(options: { extraArgs?: string[]; port?: number } = {}): Promise<Runtime> {
  const port = options.port ?? (await freePort())
  const data = mkdtempSync(join(tmpdir(), 'carepath-e2e-'))
  let output = ''
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'apps/runtime/src/cli/main.ts'),
      'serve',
      '--demo',
      '--port',
      String(port),
      '--data',
      data,
      ...(options.extraArgs ?? []),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, CAREPATH_DEMO_PASSWORD: DEMO_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + E2E_WAIT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The runtime exited early:\n${output}`)
    try {
      const response = await fetch(`${url}/healthz`)
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The runtime did not start in time:\n${output}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    url,
    dataDir: data,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await new Promise((r) => child.once('exit', r))
      }
      rmSync(data, { recursive: true, force: true })
    },
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/** A fresh 1280×800 page (its own storage) logged in as `username`. */
export async function loggedInPage(browser: Browser, runtime: Runtime, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  // Every wait on the page (an element, a navigation, a function) shares the one e2e ceiling.
  context.setDefaultTimeout(E2E_WAIT_MS)
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[browser error as ${username}] ${error.message}`))
  await page.goto(runtime.url)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(DEMO_PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('current-user').waitFor()
  return page
}

/** What one test file shares: its own runtime and browser, and a way to log in to it. */
export interface E2eSession {
  readonly runtime: Runtime
  /** A fresh page logged in as `username` (see loggedInPage). */
  login(username: string): Promise<Page>
  /** A fresh page with its own storage, logged in as nobody (an outside page, a host application). */
  newPage(): Promise<Page>
}

/**
 * Registers the file's beforeAll/afterAll: start a runtime and a browser once for the file, and
 * close both afterwards (also when start-up failed half way). Call at the top level of a test file.
 */
export function e2eSession(): E2eSession {
  let runtime: Runtime | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    runtime = await startRuntime()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await runtime?.stop()
  })
  const started = (): { runtime: Runtime; browser: Browser } => {
    if (!runtime || !browser) throw new Error('The e2e session is used before its beforeAll has run')
    return { runtime, browser }
  }
  return {
    get runtime() {
      return started().runtime
    },
    login(username) {
      const { runtime, browser } = started()
      return loggedInPage(browser, runtime, username)
    },
    async newPage() {
      const context = await started().browser.newContext({ viewport: { width: 1280, height: 800 } })
      context.setDefaultTimeout(E2E_WAIT_MS)
      const page = await context.newPage()
      page.on('pageerror', (error) => console.error(`[browser error] ${error.message}`))
      return page
    },
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true })
  const path = join(screenshotDir, `${name}.png`)
  await page.screenshot({ path })
  return path
}

export const tourDir = join(repoRoot, 'docs/tour')
/** Tour images are committed, so they are only rewritten on request (never by a plain CI run). */
export const updateTourShots = process.env.CAREPATH_UPDATE_TOUR_SHOTS === '1'
const TOUR_SHOT_BUDGET = 200 * 1024

/**
 * A screenshot for the README tour: always into tests/e2e/screenshots/, and into docs/tour/ only
 * when CAREPATH_UPDATE_TOUR_SHOTS=1. Returns the size in bytes so the caller can keep it small.
 */
export async function tourShot(page: Page, name: string): Promise<number> {
  const path = await screenshot(page, `tour-${name}`)
  const bytes = statSync(path).size
  if (updateTourShots) {
    if (bytes > TOUR_SHOT_BUDGET) console.warn(`[tour] ${name}.png is ${Math.round(bytes / 1024)} KB (budget 200 KB)`)
    mkdirSync(tourDir, { recursive: true })
    copyFileSync(path, join(tourDir, `${name}.png`))
  }
  return bytes
}

/** A tRPC mutation over HTTP (POST), as the designer sends it; throws with the server's error. */
export async function trpcPost(baseUrl: string, path: string, body: unknown, token?: string): Promise<unknown> {
  const res = await fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as { result?: { data: unknown }; error?: unknown }
  if (!res.ok) throw new Error(`${path}: ${JSON.stringify(json.error)}`)
  return json.result?.data
}

/** A session token for a demo user, for steps a test takes over the API instead of the screen. */
export async function apiToken(runtime: Runtime, username: string): Promise<string> {
  const response = await fetch(`${runtime.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  })
  const body: unknown = await response.json()
  if (typeof body !== 'object' || body === null || !('token' in body) || typeof body.token !== 'string')
    throw new Error(`${username} could not log in`)
  return body.token
}
