// The operator's scenario in real Chromium against `serve --demo`: a loopback FHIR server is
// stopped while runs need it, so their FHIR step fails on every attempt and each run is held as
// an incident; the operator sees them on the Operations screen (no patient data, axe-clean) and
// the alert routed to the flow's integration owner, restarts the server, bulk-retries after
// confirming the count, and the runs complete with no connector call repeated: the notification
// each run sent before the failure is not sent again, and the FHIR server gets one create per run.
import { afterAll, describe, expect, it } from 'vitest'
import { startFhirTestServer, type FhirTestServer } from '@carepath/runtime/testing'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, screenshot } from './harness.ts'

const session = e2eSession()

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
    // The server also checks the rules on its own interval: the alert may have opened after the
    // first run's attempts, before the second's, and says what it found then (every call failed).
    await expect(alert.textContent()).resolves.toMatch(
      /The fhir connector failed (\d) of \1 calls.*integration.*user:developer/,
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
    await expect(page.getByTestId('run-path').textContent()).resolves.toContain('FHIR create 1')
  })

  it('the integration owner sees the alert in their own inbox, with its count in the header', async () => {
    const page = await session.login('developer')
    // The FHIR connector still failed 6 of 8 calls in the window: the alert stays open, saying
    // what it found when it opened.
    await expect.poll(() => page.getByTestId('my-alerts-count').textContent()).toBe('1')
    await expect(page.getByTestId('nav-my-alerts').getAttribute('aria-label')).resolves.toBe('My alerts: 1 open')
    await page.getByTestId('nav-my-alerts').focus()
    await page.keyboard.press('Enter')
    const row = page.getByTestId('my-alert-fhir-failing')
    await row.waitFor()
    // The counts are those of the window when the alert opened: how many calls had been made by
    // then depends on when the evaluation ran, so the text is checked for its shape, not its figures.
    await expect(row.textContent()).resolves.toMatch(
      /The fhir connector failed (\d+) of (\d+) calls.*the installation.*integration owner/,
    )
    expect(await page.content()).not.toContain('Quentin')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'operations-my-alerts')
    // The process owner of the flow has nothing: a connector's failure is not theirs.
    const analyst = await session.login('analyst')
    await analyst.getByTestId('nav-my-alerts').waitFor()
    await expect(analyst.getByTestId('nav-my-alerts').getAttribute('aria-label')).resolves.toBe('My alerts: 0 open')
    await analyst.goto(`${session.runtime.url}/#/my-alerts`)
    // The alerts' own empty state (the change notices below have theirs).
    await analyst.getByTestId('empty').filter({ hasText: 'No open alerts are routed to you.' }).waitFor()
  })

  it('owners and rules from the keyboard: a malformed window is refused by rule and field, nothing saved', async () => {
    const page = await session.login('operator')
    await page.getByTestId('ops-tab-owners').click()
    await page.getByTestId('rules-editor').waitFor()
    expect(await axeViolations(page)).toEqual([])
    const window = page.getByTestId('rule-1-windowMinutes')
    await expect(window.inputValue()).resolves.toBe('15')
    await window.focus()
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.type('5m')
    /** Tab on until the save button has the focus, as a keyboard user would. */
    const tabTo = async (testId: string) => {
      for (let i = 0; i < 60; i++) {
        if ((await page.evaluate('document.activeElement?.dataset?.testid')) === testId) return
        await page.keyboard.press('Tab')
      }
      throw new Error(`${testId} never got the focus`)
    }
    await tabTo('owners-save')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('owners-error').textContent()).resolves.toBe(
      'Rule 1 (fhir-failing): windowMinutes must be a number of minutes. Nothing was saved.',
    )
    await expect(window.getAttribute('aria-invalid')).resolves.toBe('true')
    const operator = await tokenOf('operator')
    const stored = (await rpc(operator, 'alerts.settings', undefined, 'query')) as {
      rules: { windowMinutes?: number }[]
    }
    expect(stored.rules[0]?.windowMinutes).toBe(15)

    // Fixed, and a second process owner of the flow named of the flow by choosing them from the people.
    await window.fill('20')
    await page.getByTestId('owners-scope').selectOption(FLOW.id)
    await page.getByTestId('owners-process-person').selectOption('reviewer')
    await page.getByTestId('owners-process-add-person').click()
    await page.getByTestId('owners-save').click()
    await expect.poll(() => page.getByTestId('owners-saved').textContent()).toBe('Saved.')
    const saved = (await rpc(operator, 'alerts.settings', undefined, 'query')) as {
      rules: { windowMinutes?: number }[]
      owners: Record<string, { process?: { user?: string }[] }>
    }
    expect(saved.rules[0]?.windowMinutes).toBe(20)
    expect(saved.owners[FLOW.id]?.process).toEqual([{ user: 'analyst' }, { user: 'reviewer' }])
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'operations-owners')
  })

  it('dead letters and metrics: their states and charts, axe-clean', async () => {
    const page = await session.login('operator')

    await page.getByTestId('ops-tab-dead-letters').click()
    await page.getByTestId('empty').waitFor()
    expect(await axeViolations(page)).toEqual([])
    await page.getByTestId('ops-tab-metrics').click()
    await page.getByTestId('flow-metrics').waitFor()
    await expect(page.getByTestId(`flow-metrics-${FLOW.id}`).textContent()).resolves.toMatch(/100\.0%.*chart-ready: 2/)
    // One version has run: the comparison says what it waits for.
    await expect(page.getByTestId('version-compare-empty').textContent()).resolves.toContain('two versions')
    await expect(page.getByTestId('connector-metrics').textContent()).resolves.toContain('fhir')
    await page.locator('.recharts-surface').first().waitFor()
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'operations-metrics')
  })

  it('a second version published: the metrics compare it with the one it replaced', async () => {
    const analyst = await tokenOf('analyst')
    const reviewer = await tokenOf('reviewer')
    const tellDesk = FLOW.nodes['tell-desk']
    const v2 = {
      ...FLOW,
      nodes: {
        ...FLOW.nodes,
        'tell-desk': { ...tellDesk, config: { ...tellDesk.config, message: 'Chart prep begun' } },
      },
    }
    const { hash } = (await rpc(analyst, 'flows.save', { id: FLOW.id, document: v2, baseRevision: 1 })) as {
      hash: string
    }
    await rpc(analyst, 'review.submit', { id: FLOW.id })
    await rpc(reviewer, 'review.approve', { id: FLOW.id, hash, comment: 'A clearer message' })
    await rpc(reviewer, 'review.publish', { id: FLOW.id, hash })
    const agent = await tokenOf('agent')
    const run = (await rpc(agent, 'runs.start', {
      flowId: FLOW.id,
      input: { patient: { name: 'Quentin Oddfellow' } },
      idempotencyKey: 'prep-v2',
    })) as { status: string }
    expect(run.status).toBe('completed')

    const page = await session.login('operator')
    await page.getByTestId('ops-tab-metrics').click()
    const table = page.getByTestId('compare-table')
    await table.waitFor()
    await expect(page.locator('#compare-title').textContent()).resolves.toBe('Before and after a publish')
    // v1: two runs, both completed after their retry; v2: one, completed at once.
    await expect(table.textContent()).resolves.toMatch(/Runs started21Completion rate100\.0%100\.0%/)
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'operations-metrics-compare')
  })
})
