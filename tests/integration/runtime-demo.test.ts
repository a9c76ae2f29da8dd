// The "Done when", on the demo data (the example flows, the catalog's node types) over
// HTTP: an analyst changes the eligibility flow's copay threshold, submission stores a simulation
// report that names the changed cases, the author cannot approve, another reviewer approves,
// publish works; a run starts, pauses at the front desk's task, the agent answers, the run ends;
// the audit trail verifies.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo, startServer, type DemoResult, type RunningServer } from '@carepath/runtime'

// Responses are read as loose JSON: the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any
const PASSWORD = 'demo password for the test'
const examples = join(import.meta.dirname, '..', '..', 'examples')
let server: RunningServer
let demo: DemoResult
let dir: string

async function trpc(path: string, token: string, input?: unknown, method: 'query' | 'mutation' = 'mutation') {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  const url = `${server.url}/trpc/${path}`
  const res =
    method === 'query'
      ? await fetch(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(url, { method: 'POST', headers, body: JSON.stringify(input ?? null) })
  const body = (await res.json()) as Json
  return { status: res.status as number, data: body.result?.data as Json, error: body.error as Json }
}
const login = async (username: string) =>
  (
    (await (
      await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      })
    ).json()) as Json
  ).token as string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-demo-'))
  server = await startServer({
    port: 0,
    dataDir: dir,
    timerIntervalMs: 0,
    log: () => {},
    beforeReady: async (rt) => void (demo = await seedDemo(rt, examples, PASSWORD)),
  })
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the demo, end to end', () => {
  it('publishes every example flow through review', () => {
    expect(demo.problems).toEqual([])
    expect(demo.flows.map((f) => f.id)).toContain('eligibility-verification')
  })

  it('has an operator log-in, who sees incidents, dead letters and metrics and no patient data', async () => {
    expect(demo.users).toContain('operator')
    const operator = await login('operator')
    const incidents = await trpc('incidents.list', operator, {}, 'query')
    expect([incidents.status, incidents.data?.total]).toEqual([200, 0])
    expect((await trpc('deadLetters.list', operator, {}, 'query')).status).toBe(200)
    expect((await trpc('metrics.flows', operator, {}, 'query')).status).toBe(200)
    expect((await trpc('tasks.inbox', operator, undefined, 'query')).status).toBe(403)
  })

  it('takes a threshold change from draft to published and a run through a human task', async () => {
    const [analyst, reviewer, reviewer2, agent, auditor] = await Promise.all(
      ['analyst', 'reviewer', 'reviewer2', 'agent', 'auditor'].map(login),
    )
    const flow = (await trpc('flows.get', analyst!, { id: 'eligibility-verification' }, 'query')).data
    const document = structuredClone(flow.draft.document)
    document.nodes['cost-check'].config.rules[0].conditions.all[0].value = 40
    const saved = await trpc('flows.save', analyst!, {
      id: 'eligibility-verification',
      document,
      baseRevision: flow.draft.revision,
    })
    expect(saved.status).toBe(200)

    expect((await trpc('review.submit', analyst!, { id: 'eligibility-verification' })).status).toBe(200)
    const review = (await trpc('review.get', reviewer!, { id: 'eligibility-verification' }, 'query')).data
    expect(review.hash).toBe(saved.data.hash)
    // The case at $50 now takes the estimate branch: the report names it and the changed decision.
    const moved = review.report.cases.filter((c: Json) => c.status !== 'unchanged')
    expect(moved.map((c: Json) => c.name)).toContain('copay exactly at the $50 threshold: no estimate')
    expect(moved[0].changes.decisions[0].nodeId).toBe('cost-check')
    expect(review.publishBlockers.length).toBeGreaterThan(0)

    const hash = saved.data.hash
    expect(
      (await trpc('review.approve', analyst!, { id: 'eligibility-verification', hash, comment: 'mine' })).status,
    ).toBe(403)
    expect(
      (
        await trpc('review.approve', reviewer!, {
          id: 'eligibility-verification',
          hash,
          comment: 'copay threshold 40 agreed',
        })
      ).status,
    ).toBe(200)
    // The $50 case still expects no estimate: publishing waits for a reviewer's written reason.
    const gate = (await trpc('review.get', reviewer!, { id: 'eligibility-verification' }, 'query')).data
    expect(gate.publishBlockers.join(' ')).toMatch(/copay exactly at the \$50 threshold: no estimate/)
    expect((await trpc('review.publish', reviewer2!, { id: 'eligibility-verification', hash })).status).toBe(412)
    const reason = 'Threshold lowered to $40 on purpose; the $50 case expectation is out of date.'
    expect((await trpc('review.override', reviewer2!, { id: 'eligibility-verification', hash, reason })).status).toBe(
      200,
    )
    expect((await trpc('review.publish', reviewer2!, { id: 'eligibility-verification', hash })).status).toBe(200)

    const input = {
      appointment: { id: 'SCH-77', date: '2026-12-01', visitType: 'follow-up' },
      patient: { mrn: 'MRN-77', firstName: 'Demo', lastName: 'Patient', birthDate: '1980-02-02', phone: '555-0177' },
    }
    const run = await trpc('runs.start', agent!, {
      flowId: 'eligibility-verification',
      input,
      idempotencyKey: 'demo-1',
    })
    expect(run.data).toMatchObject({ status: 'waiting', hash })
    const inbox = (await trpc('tasks.inbox', agent!, undefined, 'query')).data
    const task = inbox.find((t: Json) => t.runId === run.data.id)
    expect(task.nodeId).toBe('collect-insurance')
    expect(task.view.patient).toEqual({ firstName: 'Demo', lastName: 'Patient', phone: '555-0177' })
    expect(JSON.stringify(task)).not.toContain('MRN-77')
    const answered = await trpc('tasks.answer', agent!, { id: task.id, answer: { selfPay: true } })
    expect(answered.data).toMatchObject({ status: 'completed', outcome: 'self-pay' })

    expect((await trpc('audit.verify', auditor!, undefined, 'query')).data).toMatchObject({ ok: true })
  })
})
