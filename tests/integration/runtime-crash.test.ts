// Kill the runtime (SIGKILL) in the middle of a run and start it again on the same data: runs it
// accepted are all still there, waiting ones keep their one task, the interrupted run goes on from
// its log without repeating the connector call whose answer it had recorded, and its idempotency
// key still names it.
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { waitUntil } from '@carepath/runtime/testing'
import { killHard, startChild } from './crash-harness.ts'

// Responses are read as loose JSON: the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const child = join(import.meta.dirname, 'runtime-crash-child.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'carepath-crash-'))
const running: ChildProcess[] = []

/** Start the child runtime and wait (however long a loaded machine takes) until it says READY. */
async function startRuntime(hangAt?: string): Promise<{ proc: ChildProcess; url: string }> {
  const started = await startChild(child, [dataDir, ...(hangAt ? [hangAt] : [])], running)
  return { proc: started.proc, url: started.ready }
}

async function call(url: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return (await res.json()) as Json
}
const calls = () =>
  existsSync(join(dataDir, 'calls.log')) ? readFileSync(join(dataDir, 'calls.log'), 'utf8').trim().split('\n') : []

afterAll(() => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

describe('crash and restart', () => {
  it('loses no accepted run and repeats no recorded connector call', async () => {
    const first = await startRuntime('call2')
    let token = (
      await call(first.url, 'POST', '/api/auth/login', undefined, {
        username: 'agent',
        password: 'crash test password',
      })
    ).token as string
    const accepted: string[] = []
    for (let i = 0; i < 5; i++) {
      const run = await call(first.url, 'POST', '/api/flows/intake-check/runs', token, {
        input: { score: 8, patient: { name: `P${i}` } },
        idempotencyKey: `wait-${i}`,
      })
      expect(run.status).toBe('waiting')
      accepted.push(run.id)
    }
    // This run records call 1, then hangs inside call 2: kill the process there.
    void call(first.url, 'POST', '/api/flows/two-calls/runs', token, {
      input: { score: 1 },
      idempotencyKey: 'interrupted',
    }).catch(() => undefined)
    await waitUntil(() => calls().some((l) => l.includes(' call2 ')), 'the run to reach its second call')
    expect(calls().some((l) => l.includes(' call2 '))).toBe(true)
    await killHard(first.proc)

    const second = await startRuntime()
    token = (
      await call(second.url, 'POST', '/api/auth/login', undefined, {
        username: 'agent',
        password: 'crash test password',
      })
    ).token as string
    // The interrupted run continued at start-up; its key still names it.
    const again = await call(second.url, 'POST', '/api/flows/two-calls/runs', token, {
      input: { score: 1 },
      idempotencyKey: 'interrupted',
    })
    expect(again).toMatchObject({ status: 'completed', outcome: 'fast-track' })
    const [runId] = calls()[0]!.split(' ')
    expect(again.id).toBe(runId)
    const log = calls()
    // call 1's answer was on disk: never repeated. call 2 had no recorded answer: called again
    // with the same (run, node, attempt), which is what lets the outside system deduplicate it.
    expect(log.filter((l) => l === `${runId} call 1`)).toHaveLength(1)
    expect(log.filter((l) => l === `${runId} call2 1`)).toHaveLength(2)
    const view = await call(second.url, 'GET', `/api/runs/${runId}`, token)
    expect(view.path).toEqual(['start', 'call', 'call2', 'check', 'fast'])

    // Every accepted waiting run is still there, each with exactly one task, and finishes.
    const tasks = (await call(second.url, 'GET', '/api/tasks', token)) as { id: string; runId: string }[]
    expect(tasks.map((t) => t.runId).sort()).toEqual([...accepted].sort())
    for (const task of tasks) {
      expect(
        await call(second.url, 'POST', `/api/tasks/${task.id}/answer`, token, { answer: { approved: true } }),
      ).toMatchObject({ status: 'completed', outcome: 'approved' })
    }
    second.proc.kill('SIGTERM')
    expect(await new Promise((r) => second.proc.once('exit', r))).toBe(0)
  })
})
