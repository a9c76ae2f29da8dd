// The operator's scenario in real Chromium against `serve --demo`: a loopback FHIR server is
// stopped while runs need it, so their FHIR step fails on every attempt and each run is held as
// an incident; the operator sees them on the Operations screen (no patient data, axe-clean) and
// the alert routed to the flow's integration owner, restarts the server, bulk-retries after
// confirming the count, and the runs complete with no connector call repeated: the notification
// each run sent before the failure is not sent again, and the FHIR server gets one create per run.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startFhirTestServer, type FhirTestServer } from '@carepath/runtime/testing'
import { DEMO_PASSWORD, e2eSession, screenshot } from './harness.ts'

const session = e2eSession()
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** One tRPC procedure over HTTP, as an outside caller would use it. */
async function rpc(token: string | null, path: string, input: unknown, kind: 'query' | 'mutation' = 'mutation') {
  const base = `${session.runtime.url}/trpc/${path}`
  // A fresh connection per call: a kept-alive one the server has just timed out answers ECONNRESET.
  const headers: Record<string, string> = { 'content-type': 'application/json', connection: 'close' }
  if (token) headers.authorization = `Bearer ${token}`
  const response =
    kind === 'query'
      ? await fetch(input === undefined ? base : `${base}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(base, { method: 'POST', headers, body: JSON.stringify(input) })
  const body = (await response.json()) as { result?: { data: unknown }; error?: { message: string } }
  if (!response.ok) throw new Error(`${path}: ${body.error?.message ?? response.status}`)
  return body.result?.data
}
async function tokenOf(username: string): Promise<string> {
  const { token } = (await rpc(null, 'auth.login', { username, password: DEMO_PASSWORD })) as { token: string }
  return token
}

/** Axe's WCAG 2 A/AA violations on the page as it is. */
async function axeViolations(page: Page): Promise<string[]> {
  // Through the DevTools protocol, not an inline <script>, which the designer's CSP refuses.
  await page.evaluate(`${axeSource};0`)
  return page.evaluate(async () => {
    // axe-core's own global, put there by the evaluation above (this code runs in the page).
    const axe = Reflect.get(globalThis, 'axe') as {
      run(options: object): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }>
    }
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })
    return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`)
  })
}

const FLOW = {
  dsl: 'carepath.flow/1',
  id: 'chart-prep',
  version: 1,
  title: 'Chart preparation',
  facts: {
    type: 'object',
    properties: { patient: { type: 'object', properties: { name: { type: 'string', 'x-phi': 'demographic' } } } },
  },
  roles: {},
  start: 'requested',
  nodes: {
    requested: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: [] }, next: { next: 'tell-desk' } },
    'tell-desk': {
      type: 'notify',
      typeVersion: 1,
      config: { channel: 'log', message: 'Chart preparation started', record: false },
      next: { sent: 'create-task', error: 'by-hand' },
    },
    // No error port: when the FHIR server is down the run is held for an operator.
    'create-task': {
      type: 'fhir.create',
      typeVersion: 1,
      config: { resourceType: 'Task', resource: { resourceType: 'Task', status: 'requested', intent: 'order' } },
      next: { created: 'ready' },
    },
    ready: { type: 'end', typeVersion: 1, config: { outcome: 'chart-ready' }, next: {} },
    'by-hand': { type: 'end', typeVersion: 1, config: { outcome: 'by-hand' }, next: {} },
  },
}

let fhir: FhirTestServer | undefined
afterAll(async () => {
  await fhir?.close()
})

const notifications = () => (session.runtime.log().match(/Chart preparation started/g) ?? []).length
const creates = () => (fhir?.requests ?? []).filter((r) => r.startsWith('POST /fhir/R4/Task')).length

describe('operations: incidents, retry and the operator screen', () => {
  let runIds: string[] = []
  let port = 0

  it('a FHIR server stopped while runs need it leaves them as incidents, their earlier step done once', async () => {
    fhir = await startFhirTestServer()
    port = Number(new URL(fhir.baseUrl).port)
    const developer = await tokenOf('developer')
    await rpc(developer, 'settings.setIntegrations', { fhir: { baseUrl: fhir.baseUrl, timeoutMs: 10_000 } })
    const analyst = await tokenOf('analyst')
    const reviewer = await tokenOf('reviewer')
    const { hash } = (await rpc(analyst, 'flows.create', { document: FLOW })) as { hash: string }
    await rpc(analyst, 'review.submit', { id: FLOW.id })
    await rpc(reviewer, 'review.approve', { id: FLOW.id, hash, comment: 'Chart prep for the operations test' })
    await rpc(reviewer, 'review.publish', { id: FLOW.id, hash })
    // The flow's integration owner is the developer; the FHIR connector failing alerts them.
    const admin = await tokenOf('admin')
    await rpc(admin, 'alerts.setSettings', {
      settings: {
        owners: { [FLOW.id]: { integration: [{ user: 'developer' }], process: [{ user: 'analyst' }] } },
        defaultOwners: { integration: [{ user: 'developer' }] },
        rules: [
          {
            id: 'fhir-failing',
            kind: 'connector-failure-rate',
            connector: 'fhir',
            threshold: 0.5,
            windowMinutes: 15,
            minCalls: 3,
          },
        ],
      },
    })

    await fhir.close() // the server is stopped
    const agent = await tokenOf('agent')
    runIds = []
    for (const key of ['prep-1', 'prep-2']) {
      const run = (await rpc(agent, 'runs.start', {
        flowId: FLOW.id,
        input: { patient: { name: 'Quentin Oddfellow' } },
        idempotencyKey: key,
      })) as { id: string; status: string }
      expect(run.status).toBe('incident')
      runIds.push(run.id)
    }
    expect(notifications()).toBe(2)
  })

  it('the operator sees both incidents without patient data, restarts the server and bulk-retries them', async () => {
    const page = await session.login('operator')
    await page.getByTestId('operations').waitFor()
    await expect.poll(() => page.getByTestId('incident-total').textContent()).toContain('2 open incidents')
    const list = page.getByTestId('incident-list')
    await expect(list.textContent()).resolves.toContain('create-task')
    await expect(list.textContent()).resolves.toMatch(/unreachable/)
    expect(await page.content()).not.toContain('Quentin')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'operations-incidents')

    // The alert: the FHIR connector failing, routed to its integration owner (the developer).
    await page.getByTestId('ops-tab-alerts').click()
    await page.getByTestId('alerts-check').click()
    const alert = page.getByTestId('alert-fhir-failing')
    await alert.waitFor()
    await expect(alert.textContent()).resolves.toMatch(
      /The fhir connector failed 6 of 6 calls.*integration.*user:developer/,
    )
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'operations-alerts')
    const developer = await tokenOf('developer')
    const mine = (await rpc(developer, 'alerts.mine', undefined, 'query')) as { ruleId: string }[]
    expect(mine.map((a) => a.ruleId)).toEqual(['fhir-failing'])
    await page.getByTestId('ops-tab-incidents').click()
    await page.getByTestId('incident-list').waitFor()

    // The FHIR server is back, at the same address.
    fhir = await startFhirTestServer({ port })
    await page.getByTestId('bulk-retry').click()
    await expect(page.getByTestId('bulk-retry-confirm').textContent()).resolves.toContain('2 runs')
    await page.getByTestId('bulk-retry-yes').click()
    await page.getByTestId('bulk-results').waitFor()
    for (const id of runIds)
      await expect(page.getByTestId(`bulk-result-${id}`).textContent()).resolves.toContain('completed')
    await expect.poll(() => page.getByTestId('empty').isVisible()).toBe(true)
    await screenshot(page, 'operations-bulk-retried')

    // No connector call repeated: one notification per run in all, one FHIR create per run.
    expect(notifications()).toBe(2)
    expect(creates()).toBe(2)
    const operator = await tokenOf('operator')
    for (const id of runIds) {
      const run = (await rpc(operator, 'runs.get', { id }, 'query')) as { status: string; outcome: string }
      expect([run.status, run.outcome]).toEqual(['completed', 'chart-ready'])
    }

    // The result links to the run viewer: the path it took, through the retried step.
    await page.getByTestId(`bulk-result-${runIds[0]}`).getByRole('link').click()
    await page.getByTestId('run-path').waitFor()
    await expect(page.getByTestId('run-path').textContent()).resolves.toContain('create-task')
  })

  it('dead letters and metrics: their states and charts, axe-clean', async () => {
    const page = await session.login('operator')
    await page.getByTestId('ops-tab-dead-letters').click()
    await page.getByTestId('empty').waitFor()
    expect(await axeViolations(page)).toEqual([])
    await page.getByTestId('ops-tab-metrics').click()
    await page.getByTestId('flow-metrics').waitFor()
    await expect(page.getByTestId(`flow-metrics-${FLOW.id}`).textContent()).resolves.toContain('100.0%')
    await expect(page.getByTestId('connector-metrics').textContent()).resolves.toContain('fhir')
    await page.locator('.recharts-surface').first().waitFor()
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'operations-metrics')
  })
})
