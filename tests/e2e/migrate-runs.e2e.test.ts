// Moving waiting runs to a new version from the designer: a run of the published eligibility flow
// waits for the front desk; a second version is published; the analyst reads the simulator's
// report of the move on the flow's "Waiting runs" tab and proposes it; a reviewer approves and
// moves the run, which then goes on in the new version.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { DEMO_PASSWORD, e2eSession, repoRoot, screenshot } from './harness.ts'

const session = e2eSession()

/** Call a tRPC procedure over HTTP as a demo user, as the designer does. */
async function call<T>(token: string, path: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
  const url = `${session.runtime.url}/trpc/${path}`
  const response =
    kind === 'query'
      ? await fetch(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      : await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        })
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } }
  if (!body.result) throw new Error(`${path}: ${body.error?.message ?? response.status}`)
  return body.result.data
}

async function tokenOf(username: string): Promise<string> {
  const response = await fetch(`${session.runtime.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  })
  return ((await response.json()) as { token: string }).token
}

it('an analyst reads the simulator’s report of moving a waiting run, a reviewer approves and moves it', async () => {
  const [agent, analyst, reviewer] = await Promise.all(['agent', 'analyst', 'reviewer'].map(tokenOf))
  const flowId = 'eligibility-verification'
  // A run of the published version waits for the front desk (no insurance on file).
  const run = await call<{ id: string; hash: string; status: string }>(
    agent!,
    'runs.start',
    {
      flowId,
      idempotencyKey: 'e2e-migrate',
      input: {
        appointment: { id: 'SCH-1', date: '2026-12-01' },
        patient: { mrn: 'MRN-1', firstName: 'Ada', lastName: 'Moss', birthDate: '1960-01-01', phone: '555-0100' },
      },
    },
    'mutation',
  )
  expect(run.status).toBe('waiting')
  // The second version (copay threshold $25, a financial counselor) is saved, reviewed and published.
  const detail = await call<{ draft: { revision: number } }>(analyst!, 'flows.get', { id: flowId }, 'query')
  const document = JSON.parse(
    readFileSync(join(repoRoot, 'examples/drafts/eligibility-verification.v2.flow.json'), 'utf8'),
  ) as unknown
  const saved = await call<{ hash: string }>(
    analyst!,
    'flows.save',
    { id: flowId, document, baseRevision: detail.draft.revision },
    'mutation',
  )
  await call(analyst!, 'review.submit', { id: flowId }, 'mutation')
  await call(reviewer!, 'review.approve', { id: flowId, hash: saved.hash, comment: 'ok' }, 'mutation')
  // The new threshold fails the cases written for the old one: the reviewer says why it goes out.
  const reason = 'The $25 threshold is the new policy; its cases are rewritten next.'
  await call(reviewer!, 'review.override', { id: flowId, hash: saved.hash, reason }, 'mutation')
  await call(reviewer!, 'review.publish', { id: flowId, hash: saved.hash }, 'mutation')

  const page = await session.login('analyst')
  await page.getByTestId(`flow-open-${flowId}`).click()
  await page.getByTestId('editor').waitFor()
  await page.getByTestId('side-tab-runs').click()
  await expect.poll(() => page.getByTestId('migration-source').textContent()).toContain('1 run waiting in version')
  await page.getByTestId('migration-simulate').click()
  await expect
    .poll(() => page.getByTestId('migration-summary').textContent())
    .toMatch(/1 waiting · 1 can move .* 0 need a mapping — proposed/)
  await expect(page.getByTestId('migration-run').textContent()).resolves.toContain('collect-insurance')
  await screenshot(page, 'migration-report')
  await page.context().close()

  const approver = await session.login('reviewer')
  await approver.getByTestId(`flow-open-${flowId}`).click()
  await approver.getByTestId('editor').waitFor()
  await approver.getByTestId('side-tab-runs').click()
  await approver.getByTestId('migration-approve').click()
  await approver.getByTestId('migration-run-it').click()
  await expect.poll(() => approver.getByTestId('migration-status').textContent()).toBe('applied')
  await expect(approver.getByTestId('migration-run').textContent()).resolves.toContain('moved')
  await screenshot(approver, 'migration-applied')
  await approver.context().close()

  // The run now waits in the new version, its log naming both.
  const moved = await call<{ hash: string; status: string; events: { type: string }[] }>(
    agent!,
    'runs.get',
    { id: run.id },
    'query',
  )
  expect(moved).toMatchObject({ hash: saved.hash, status: 'waiting' })
  expect(moved.events.map((e) => e.type)).toContain('run.migrated')
})
