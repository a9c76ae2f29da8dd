// The walkthrough's last step, as an installation does it: the real `carepath serve` process,
// with the example package installed by configuration only (a carepath.config.json listing it,
// the package in node_modules beside it, as npm would put it), its connector configured through
// the settings API, and a run of the example flow reaching a loopback NPI registry.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCarepathCli, waitUntil } from '@carepath/runtime/testing'

const main = join(import.meta.dirname, '..', '..', 'apps', 'runtime', 'src', 'cli', 'main.ts')
const flow: unknown = JSON.parse(readFileSync(join(import.meta.dirname, 'referral-npi-check.flow.json'), 'utf8'))
const PASSWORD = 'a long password for the serve test'
const nppesAnswer = {
  result_count: 1,
  results: [
    {
      basic: { first_name: 'ROBERT', last_name: 'POWELL', status: 'A' },
      taxonomies: [{ desc: 'Family Medicine', primary: true }],
    },
  ],
}

const installation = mkdtempSync(join(tmpdir(), 'carepath-plugin-'))
const config = join(installation, 'carepath.config.json')
const data = join(installation, 'data')
const env = { ...process.env, CAREPATH_CONFIG: config, CAREPATH_PASSWORD: PASSWORD }
let serve: ChildProcess
let out = ''
let url = ''
let registry: Server
const asked: string[] = []

// Responses are read as loose JSON: the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any
async function trpc(path: string, token: string, input?: unknown, method: 'query' | 'mutation' = 'mutation') {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  const res =
    method === 'query'
      ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(`${url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input ?? null) })
  const body = (await res.json()) as Json
  return { status: res.status, data: body.result?.data as Json, error: body.error as Json }
}
async function login(username: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  return ((await res.json()) as Json).token as string
}

beforeAll(async () => {
  // Installing the package: put it where Node resolves it from the config's folder, list it.
  mkdirSync(join(installation, 'node_modules', '@carepath'), { recursive: true })
  symlinkSync(import.meta.dirname, join(installation, 'node_modules', '@carepath', 'example-npi-lookup'), 'dir')
  writeFileSync(config, JSON.stringify({ plugins: ['@carepath/example-npi-lookup'] }))

  registry = createServer((req, res) => {
    asked.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(nppesAnswer))
  })
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve))

  for (const [name, role] of [
    ['dev', 'developer'],
    ['rev', 'reviewer'],
  ] as const) {
    // --password-only: these accounts log in without the second factor the policy asks of people.
    const added = await runCarepathCli(['user', 'add', name, '--role', role, '--password-only', '--data', data], {
      env,
    })
    expect(added.stdout + added.stderr).toMatch(/Added/)
  }
  serve = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--port', '0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  serve.stdout?.on('data', (d: Buffer) => (out += String(d)))
  serve.stderr?.on('data', (d: Buffer) => (out += String(d)))
  await waitUntil(() => /Plugins from/.test(out) || serve.exitCode !== null, '`carepath serve` to start')
  url = /running at (\S+)/.exec(out)?.[1] ?? ''
})

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM')
    await new Promise((resolve) => serve.once('exit', resolve))
  }
  await new Promise((resolve) => registry?.close(resolve))
  rmSync(installation, { recursive: true, force: true })
})

describe('carepath serve with the example installed by configuration', () => {
  it('says which packages it installed from which config', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(out).toContain(`Plugins from ${config}: @carepath/example-npi-lookup`)
  })

  it('takes the npi settings through the settings API, refuses an unknown key, and runs the flow against the registry', async () => {
    const [dev, rev] = [await login('dev'), await login('rev')]
    const unknown = await trpc('settings.setIntegrations', dev, { consent: { baseUrl: 'https://consent.example' } })
    expect(unknown.status).toBe(400)
    expect(unknown.error.message).toMatch(/"consent" is not a setting of this installation/)

    const created = await trpc('flows.create', dev, { document: flow })
    expect(created.status).toBe(200)
    expect((await trpc('review.submit', dev, { id: 'referral-npi-check' })).status).toBe(200)
    const before = await trpc('review.get', rev, { id: 'referral-npi-check' }, 'query')
    // (A human step whose queue nobody on this bare server works is warned about as well.)
    const connectorWarnings = (warnings: string[]) => warnings.filter((w) => w.includes('connector'))
    expect(connectorWarnings(before.data.publishWarnings)).toEqual([expect.stringContaining('the "npi" connector')])

    const baseUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/api/`
    expect((await trpc('settings.setIntegrations', dev, { npi: { baseUrl } })).status).toBe(200)
    const after = await trpc('review.get', rev, { id: 'referral-npi-check' }, 'query')
    expect(connectorWarnings(after.data.publishWarnings)).toEqual([])

    const hash = created.data.hash as string
    expect((await trpc('review.approve', rev, { id: 'referral-npi-check', hash, comment: 'ok' })).status).toBe(200)
    expect((await trpc('review.publish', rev, { id: 'referral-npi-check', hash })).status).toBe(200)
    const run = await trpc('runs.start', dev, {
      flowId: 'referral-npi-check',
      input: { referral: { id: '11001', referringNpi: '1234567893' } },
      idempotencyKey: 'serve-npi-1',
    })
    expect(run.data).toMatchObject({ status: 'completed', outcome: 'referrer-verified' })
    expect(asked).toEqual(['/api/?version=2.1&number=1234567893'])
  })
})
