// The agent view embedded in a host application, in real Chromium: a CRM desktop page served on
// another origin (a second loopback port) gets a launch token from Carepath through its own
// backend and frames /embed/agent with it; the agent walks the eligibility script for a caller;
// the outcome is written back to the CRM test server (OAuth client credentials, real state) and
// to the FHIR server (Medplum's router), including an appointment changed in the EHR during the
// call, which goes to the conflict step; the host page receives ids-only postMessage events at
// its own origin; a replayed token and a token for another host are refused.
import { createServer, type Server } from 'node:http'
import type { Frame, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCrmTestServer, type CrmTestServer } from '../../apps/runtime/src/integrations/testing/crm-test-server.ts'
import {
  startFhirTestServer,
  type FhirTestServer,
} from '../../apps/runtime/src/integrations/testing/fhir-test-server.ts'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, screenshot } from './harness.ts'

const session = e2eSession()
const HOST = 'crm-desktop'
const PATIENT = { mrn: 'MRN-7001', firstName: 'Casey', lastName: 'Caller', birthDate: '1980-04-04', phone: '555-0177' }

let crm: CrmTestServer
let fhir: FhirTestServer
let host: Server | undefined
let hostOrigin = ''
/** Launch tokens the host's backend was given, newest last (the replay test reuses one). */
const issued: string[] = []

type Json = { [key: string]: unknown }
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
/** A string field of an answer, failing the test with the answer when it is missing. */
function text(value: unknown, key: string): string {
  const field = isObject(value) ? value[key] : undefined
  if (typeof field !== 'string') throw new Error(`expected a string "${key}" in ${JSON.stringify(value)}`)
  return field
}
async function token(username: string): Promise<string> {
  const response = await send(`${session.runtime.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  })
  return text(await response.json(), 'token')
}

/**
 * fetch, tried once more when a kept-alive connection was reset before the request went out: the
 * runtime closes idle connections after a few seconds, and on a loaded machine the test's next
 * call can pick one up just as it closes (the request never reached the server).
 */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (error) {
    const cause = error instanceof Error && isObject(error.cause) ? error.cause['code'] : undefined
    if (cause !== 'ECONNRESET') throw error
    return fetch(url, init)
  }
}

async function trpc(path: string, as: string, input: unknown): Promise<unknown> {
  const response = await send(`${session.runtime.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
    body: JSON.stringify(input),
  })
  const body: unknown = await response.json()
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`)
  const result = isObject(body) ? body['result'] : undefined
  return isObject(result) ? result['data'] : undefined
}

/** An Appointment as the FHIR server holds it (the fields these tests look at). */
function readAppointment(value: unknown) {
  const meta = isObject(value) ? value['meta'] : undefined
  const comment = isObject(value) ? value['comment'] : undefined
  return {
    id: text(value, 'id'),
    status: text(value, 'status'),
    comment: typeof comment === 'string' ? comment : undefined,
    meta: { versionId: text(meta, 'versionId') },
    body: isObject(value) ? value : {},
  }
}
async function appointment(id: string) {
  return readAppointment(await (await fetch(`${fhir.baseUrl}/Appointment/${id}`)).json())
}
async function newAppointment() {
  const created = await fhir.post('/Appointment', {
    resourceType: 'Appointment',
    status: 'booked',
    start: '2026-12-01T09:00:00Z',
    end: '2026-12-01T09:30:00Z',
    comment: 'Booked by phone',
    participant: [{ status: 'accepted', actor: { display: 'Casey Caller' } }],
  })
  return readAppointment(created.body)
}

/**
 * The host application: its backend asks Carepath for a launch token (an API token with
 * launch:issue, as a CRM's server would hold) and its page frames the agent view with it,
 * recording every message from Carepath's origin. `?appointment=…&version=…` names the call.
 */
async function startHost(launchToken: string): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      // Only the desk page gets a launch (the browser's favicon request must not use one up).
      if (url.pathname !== '/') return void res.writeHead(404).end()
      let launch = url.searchParams.get('replay') ?? ''
      let audience = url.searchParams.get('as') ?? HOST
      if (!launch) {
        const answer = await send(`${session.runtime.url}/api/launch-tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${launchToken}` },
          body: JSON.stringify({
            host: HOST,
            username: 'agent',
            patient: `Patient/${PATIENT.mrn}`,
            flowId: 'eligibility-verification',
            facts: {
              appointment: {
                id: url.searchParams.get('appointment'),
                date: '2026-12-01',
                version: url.searchParams.get('version'),
              },
              patient: PATIENT,
            },
          }),
        })
        launch = text(await answer.json(), 'token')
        issued.push(launch)
      }
      audience = encodeURIComponent(audience)
      const frame = `${session.runtime.url}/embed/agent?host=${audience}#launch=${encodeURIComponent(launch)}`
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><title>CRM desktop</title></head><body>
<h1>CRM desktop</h1>
<ul id="events"></ul>
<iframe title="Carepath agent view" src="${frame}" width="1000" height="700"></iframe>
<script>
  window.carepathEvents = []
  window.addEventListener('message', (event) => {
    if (event.origin !== ${JSON.stringify(session.runtime.url)}) return
    window.carepathEvents.push(event.data)
    const item = document.createElement('li')
    item.textContent = JSON.stringify(event.data)
    document.getElementById('events').append(item)
  })
</script></body></html>`)
    })().catch(() => res.writeHead(500).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

beforeAll(async () => {
  ;[crm, fhir] = await Promise.all([startCrmTestServer(), startFhirTestServer()])
  const [developer, admin] = [await token('developer'), await token('admin')]
  await trpc('settings.setIntegrations', developer, {
    crm: { instanceUrl: crm.url, tokenUrl: crm.tokenUrl, clientId: crm.clientId, clientSecret: crm.clientSecret },
    fhir: { baseUrl: fhir.baseUrl },
  })
  const created = await trpc('tokens.create', admin, {
    username: 'admin',
    name: 'CRM desktop backend',
    scopes: ['launch:issue'],
  })
  const launchToken = text(created, 'token')
  host = await startHost(launchToken)
  const address = host.address()
  hostOrigin = `http://127.0.0.1:${isObject(address) ? String(address['port']) : ''}`
  await trpc('embed.saveHostApp', admin, { name: 'CRM desktop', audience: HOST, origins: [hostOrigin] })
  await trpc('embed.saveHostApp', admin, {
    name: 'Contact centre',
    audience: 'contact-centre',
    origins: [hostOrigin],
  })
})
afterAll(async () => {
  const server = host
  if (server) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await crm?.close()
  await fhir?.close()
})

function readRun(value: unknown) {
  const outcome = isObject(value) ? value['outcome'] : undefined
  return { status: text(value, 'status'), outcome: typeof outcome === 'string' ? outcome : null }
}

async function hostEvents(page: Page): Promise<Json[]> {
  const events: unknown = await page.evaluate('window.carepathEvents')
  return Array.isArray(events) ? events.filter(isObject) : []
}

/** The host page for one call, and the agent view's frame inside it once it has loaded. */
async function openDesk(query: string): Promise<{ page: Page; view: Frame }> {
  const page = await session.newPage()
  await page.goto(`${hostOrigin}/?${query}`)
  const frame = page.frameLocator('iframe[title="Carepath agent view"]')
  await frame.getByTestId('task-screen').or(frame.getByTestId('embed-refused')).first().waitFor()
  const view = page.frames().find((f) => f.url().startsWith(`${session.runtime.url}/embed/agent`))
  if (!view) throw new Error('The agent view did not load in the frame')
  return { page, view }
}

describe('the agent view inside a CRM desktop', () => {
  it('lets only the registered host frame the view, and nobody frame the rest', async () => {
    // The one directive of the page's whole policy (scripts, styles...) that says who may frame it.
    const frameAncestors = (response: Response) =>
      (response.headers.get('content-security-policy') ?? '')
        .split(';')
        .find((directive) => directive.startsWith('frame-ancestors'))
    const embed = await fetch(`${session.runtime.url}/embed/agent?host=${HOST}`)
    expect(frameAncestors(embed)).toBe(`frame-ancestors ${hostOrigin}`)
    expect(embed.headers.get('x-frame-options')).toBeNull()
    const designer = await fetch(`${session.runtime.url}/`)
    expect(frameAncestors(designer)).toBe("frame-ancestors 'none'")
    expect(designer.headers.get('x-frame-options')).toBe('DENY')
  })

  it('walks the eligibility script for a caller and writes the outcome back to the CRM and the EHR', async () => {
    const booked = await newAppointment()
    const { page, view } = await openDesk(`appointment=${booked.id}&version=${booked.meta.versionId}`)
    await view.getByTestId('task-screen').waitFor()
    await expect(view.getByTestId('task-fact-patient.firstName').textContent()).resolves.toBe(PATIENT.firstName)
    // The front-desk ceiling holds inside the frame as in the full UI.
    const shown = (await view.getByTestId('task-facts').textContent()) ?? ''
    expect(shown).not.toContain(PATIENT.birthDate)
    expect(shown).not.toContain(PATIENT.mrn)
    expect(await axeViolations(view)).toEqual([])
    await screenshot(page, 'embed-task-in-host')

    // From the keyboard: the "Yes" button, then Send.
    await view.getByTestId('task-field-selfPay-yes').focus()
    await page.keyboard.press('Enter')
    await view.getByTestId('task-submit').focus()
    await page.keyboard.press('Enter')
    await view.getByTestId('task-done').waitFor()
    expect(await axeViolations(view)).toEqual([])

    await expect
      .poll(async () => (await hostEvents(page)).map((e) => e['type']))
      .toEqual(['carepath.launched', 'carepath.step-completed'])
    const events = await hostEvents(page)
    expect(events[1]).toMatchObject({
      step: 'collect-insurance',
      runId: expect.any(String),
      taskId: expect.any(String),
    })
    // Ids only: nothing of the caller's record travels to the host.
    const posted = JSON.stringify(events)
    for (const value of Object.values(PATIENT)) expect(posted).not.toContain(value)

    await expect.poll(() => crm.cases.get(booked.id)?.['Outcome__c']).toBe('self-pay')
    expect(crm.cases.get(booked.id)).toMatchObject({ Subject: 'Eligibility check', Status: 'Closed' })
    await expect.poll(async () => (await appointment(booked.id)).comment).toBe('Eligibility check: Self-pay')
    const agent = await token('agent')
    const runId = String(events[1]?.['runId'])
    const run = readRun(
      await (
        await fetch(`${session.runtime.url}/api/runs/${runId}`, { headers: { authorization: `Bearer ${agent}` } })
      ).json(),
    )
    expect([run.status, run.outcome]).toEqual(['completed', 'self-pay'])
    await page.context().close()

    // The same token again (a replay): refused, said plainly, audited; no second run.
    const replay = await openDesk(`replay=${encodeURIComponent(issued.at(-1) ?? '')}`)
    await expect(replay.view.getByTestId('embed-refused').textContent()).resolves.toContain(
      'This launch was already used',
    )
    expect(await axeViolations(replay.view)).toEqual([])
    await screenshot(replay.page, 'embed-replay-refused')
    await replay.page.context().close()
  })

  it('routes an appointment changed in the EHR during the call to the conflict step, writing nothing over it', async () => {
    const booked = await newAppointment()
    const { page, view } = await openDesk(`appointment=${booked.id}&version=${booked.meta.versionId}`)
    await view.getByTestId('task-screen').waitFor()
    // While the agent is on the call, someone checks the patient in at the EHR.
    const changed = await fetch(`${fhir.baseUrl}/Appointment/${booked.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ ...(await appointment(booked.id)).body, status: 'arrived' }),
    })
    expect(changed.status).toBe(200)
    await view.getByTestId('task-field-selfPay-yes').click()
    await view.getByTestId('task-submit').click()
    await view.getByTestId('task-done').waitFor()
    // The CRM has the outcome; the EHR's appointment keeps the other person's change, unoverwritten.
    await expect.poll(() => crm.cases.get(booked.id)?.['Outcome__c']).toBe('self-pay')
    // The run stops at the conflict step for this agent, offered as the next step.
    await view.getByTestId('task-next').click()
    await expect(view.getByTestId('task-screen').locator('h1').first().textContent()).resolves.toBe(
      'Appointment changed in the EHR during the call',
    )
    expect(await axeViolations(view)).toEqual([])
    await screenshot(page, 'embed-conflict-step')
    await view.getByTestId('task-field-noted-yes').click()
    await view.getByTestId('task-submit').click()
    await view.getByTestId('task-done').waitFor()
    const stored = await appointment(booked.id)
    expect([stored.status, stored.comment]).toEqual(['arrived', 'Booked by phone'])
    await expect
      .poll(async () => (await hostEvents(page)).map((e) => e['step'] ?? e['type']))
      .toEqual(['carepath.launched', 'collect-insurance', 'appointment-changed'])
    await page.context().close()
  })

  it('refuses a token signed for another host application', async () => {
    const booked = await newAppointment()
    // The host's backend gets a token for the CRM desktop; the page frames the view as the contact centre.
    const { page, view } = await openDesk(`appointment=${booked.id}&version=${booked.meta.versionId}&as=contact-centre`)
    await expect(view.getByTestId('embed-refused').textContent()).resolves.toContain(
      'This launch was issued for another application',
    )
    expect(await hostEvents(page)).toEqual([])
    await page.context().close()
  })
})
