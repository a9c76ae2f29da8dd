// kill -9 in the middle of a bulk retry: every incident is then retried once or not at all. The
// runtime is killed while the second of three retried runs waits on its connector; after a
// restart that run goes on from its log (its retry was recorded before the call), the third is
// still an incident, and running the same bulk action again retries only that one.
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { waitUntil } from '@carepath/runtime/testing'
import { killHard, startChild as startChildProcess } from './crash-harness.ts'

// Responses are read as loose JSON: the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const child = join(import.meta.dirname, 'operations-bulk-crash-child.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'carepath-bulk-crash-'))
const running: ChildProcess[] = []

async function startChild(): Promise<string> {
  return (await startChildProcess(child, [dataDir], running)).ready
}

async function trpc(url: string, token: string, path: string, input: unknown, kind: 'query' | 'mutation' = 'mutation') {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, connection: 'close' }
  const res =
    kind === 'query'
      ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(`${url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input) })
  return ((await res.json()) as Json).result?.data as Json
}
async function login(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ username, password: 'bulk crash password' }),
  })
  return ((await res.json()) as Json).token as string
}
const calls = () =>
  existsSync(join(dataDir, 'calls.log')) ? readFileSync(join(dataDir, 'calls.log'), 'utf8').trim().split('\n') : []

afterAll(() => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

describe('kill -9 during a bulk retry', () => {
  it('leaves every incident retried once or not at all, and the same action can be run again', async () => {
    writeFileSync(join(dataDir, 'down'), '')
    let url = await startChild()
    const agent = await login(url, 'agent')
    const runIds: string[] = []
    for (const key of ['a', 'b', 'c']) {
      const run = await trpc(url, agent, 'runs.start', {
        flowId: 'intake-check',
        input: { score: 1 },
        idempotencyKey: key,
      })
      expect(run.status).toBe('incident')
      runIds.push(run.id)
    }
    let operator = await login(url, 'operator')
    const listed = await trpc(url, operator, 'incidents.list', { filter: {} }, 'query')
    expect(listed.total).toBe(3)
    const order: string[] = listed.incidents.map((i: Json) => i.runId)

    // The peer is back, but the second retried run's call will hang: kill -9 then.
    rmSync(join(dataDir, 'down'))
    writeFileSync(join(dataDir, 'hang-at'), '2')
    const before = calls().length
    void trpc(url, operator, 'incidents.bulkRetry', { filter: {}, expectedCount: 3 }).catch(() => undefined)
    await waitUntil(() => calls().length >= before + 2, 'the second retried call to hang')
    rmSync(join(dataDir, 'hang-at'))
    await killHard(running.at(-1)!)

    url = await startChild()
    operator = await login(url, 'operator')
    const status = async (id: string) => (await trpc(url, operator, 'runs.get', { id }, 'query')).status as string
    // The first was retried and completed; the second, caught mid-call, went on from its log at
    // restart; the third was never touched.
    expect(await status(order[0]!)).toBe('completed')
    await waitUntil(async () => (await status(order[1]!)) === 'completed', 'the interrupted run to complete')
    expect(await status(order[2]!)).toBe('incident')

    const again = await trpc(url, operator, 'incidents.bulkRetry', { filter: {}, expectedCount: 1 })
    expect(again.results).toEqual([{ runId: order[2], ok: true, status: 'completed' }])
    // Each run's retry is recorded once: one resolution per run, in the audit trail and the log.
    const resolved = await trpc(url, operator, 'incidents.list', { filter: { status: 'resolved' } }, 'query')
    expect(resolved.incidents.map((i: Json) => i.runId).sort()).toEqual([...runIds].sort())
    for (const id of runIds) {
      const run = await trpc(url, operator, 'runs.get', { id }, 'query')
      expect(run.events.filter((e: Json) => e.type === 'incident.resolved')).toHaveLength(1)
    }
  })
})
