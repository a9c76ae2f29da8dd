// Three runtime processes on one PostgreSQL database, under HTTP load, with runs that call a
// connector and wait on tasks. One process is killed (kill -9) in the middle of connector calls,
// then another: no acknowledged run is lost, the runs the first left mid-step are continued by
// another process once their leases run out, no run is advanced twice (each task answered once,
// though two processes answer every task at the same moment), no recorded connector call is
// made again, and `carepath audit verify` passes over the whole trail.
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findTestPostgres, runCarepathCli, waitUntil } from '@carepath/runtime/testing'
import { killHard, startChild, type StartedChild } from './crash-harness.ts'

// Responses are read as loose JSON: the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const testPostgres = await findTestPostgres()
const child = join(import.meta.dirname, 'postgres-fault-child.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'carepath-pg-fault-'))
const running: ChildProcess[] = []
let dropDatabase: (() => Promise<void>) | undefined

afterAll(async () => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL')
  await dropDatabase?.()
  rmSync(dataDir, { recursive: true, force: true })
})

async function call(url: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: (await res.json()) as Json }
}

/** Every connector call made, by any process: [process, run, node, attempt]. */
const calls = () =>
  existsSync(join(dataDir, 'calls.log'))
    ? readFileSync(join(dataDir, 'calls.log'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' '))
    : []

describe.skipIf(!testPostgres)('three runtime processes, two of them killed, on PostgreSQL', () => {
  it('loses no acknowledged run, fires each timer once, advances none twice, repeats no recorded call, and the trail verifies', async () => {
    const database = await testPostgres!.createDatabase('fault')
    dropDatabase = database.drop
    const start = (name: string, hang = false) =>
      startChild(child, [dataDir, database.url, name, ...(hang ? ['hang'] : [])], running)
    // The first seeds the people and the flow; the others find them.
    const a: StartedChild = await start('a', true)
    const [b, c] = await Promise.all([start('b'), start('c')])
    const login = await call(b.ready, 'POST', '/api/auth/login', undefined, {
      username: 'agent',
      password: 'fault test password',
    })
    const token = login.body.token as string
    const startRun = (url: string, key: string) =>
      call(url, 'POST', '/api/flows/intake-check/runs', token, {
        input: { score: 8, patient: { name: `Patient ${key}` } },
        idempotencyKey: key,
      })

    // Runs waiting on a timer due in three seconds, started on a process about to die: another fires them.
    const timerRuns: string[] = []
    const startTimers = async (url: string, prefix: string) => {
      for (let i = 0; i < 4; i++) {
        const started = await call(url, 'POST', '/api/flows/reminder-soon/runs', token, {
          input: {},
          idempotencyKey: `${prefix}-${i}`,
        })
        expect(started.status).toBe(201)
        expect(started.body.status).toBe('waiting')
        timerRuns.push(started.body.id as string)
      }
    }
    await startTimers(a.ready, 'timer-a')

    // Load on b and c (acknowledged: each waits at its task); on a, runs whose connector call never
    // answers, so a dies with them mid-step.
    const stuck = [1, 2, 3].map((i) => startRun(a.ready, `stuck-${i}`).catch(() => undefined))
    const acknowledged: string[] = []
    const load = async (prefix: string, urls: string[], count: number) => {
      const answers = await Promise.all(
        Array.from({ length: count }, (_, i) => startRun(urls[i % urls.length]!, `${prefix}-${i}`)),
      )
      for (const answer of answers) {
        expect(answer.status).toBe(201)
        expect(answer.body.status).toBe('waiting')
        acknowledged.push(answer.body.id as string)
      }
    }
    await load('first', [b.ready, c.ready], 20)
    await waitUntil(() => calls().filter(([name]) => name === 'a').length === 3, 'process a to be inside its calls')
    await killHard(a.proc)
    void Promise.all(stuck)
    // More load while a's runs wait for their leases to run out.
    await load('second', [b.ready, c.ready], 10)

    // a's three runs are taken over by b or c and reach their task, their call made once more.
    const runs = async (url: string) => (await call(url, 'GET', '/api/tasks', token)).body as Json[]
    await waitUntil(async () => (await runs(c.ready)).length === 33, "b and c to take over a's runs", 60_000)

    // Every task answered by two processes at once: one answer wins, the other is refused.
    const tasks = (await runs(c.ready)) as { id: string; runId: string }[]
    const answered = await Promise.all(
      tasks.flatMap((task) =>
        [b.ready, c.ready].map((url) =>
          call(url, 'POST', `/api/tasks/${task.id}/answer`, token, { answer: { approved: true } }),
        ),
      ),
    )
    expect(answered.filter((r) => r.status === 200)).toHaveLength(tasks.length)
    expect(answered.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true)

    // Then b dies too, with timers of its own still to fire; c goes on alone.
    await startTimers(b.ready, 'timer-b')
    await killHard(b.proc)
    await load('third', [c.ready], 5)

    // No acknowledged run lost: each is stored, and those answered completed.
    for (const id of acknowledged) {
      const run = await call(c.ready, 'GET', `/api/runs/${id}`, token)
      expect(run.status).toBe(200)
      expect(['waiting', 'completed']).toContain(run.body.status)
    }
    const answeredRuns = new Set(tasks.map((task) => task.runId))
    for (const runId of answeredRuns) {
      const run = await call(c.ready, 'GET', `/api/runs/${runId}`, token)
      expect(run.body).toMatchObject({ status: 'completed', outcome: 'approved' })
    }

    // Every timer fired once, whichever process was left to fire it: advanced once, not twice.
    const timerRun = async (id: string) => (await call(c.ready, 'GET', `/api/runs/${id}`, token)).body
    await waitUntil(
      async () => (await Promise.all(timerRuns.map(timerRun))).every((run) => run.status === 'completed'),
      'the timers of a and b to fire',
      60_000,
    )
    for (const id of timerRuns) {
      const run = await timerRun(id)
      expect(run).toMatchObject({ status: 'completed', outcome: 'sent' })
      const events = run.events as { type: string }[]
      expect(events.filter((e) => e.type === 'wait.due')).toHaveLength(1)
      expect(events.filter((e) => e.type === 'run.ended')).toHaveLength(1)
    }

    // Connector calls: one per run, except a's three, called by a (never answered) and once more.
    const byRun = new Map<string, string[]>()
    for (const [name, runId] of calls()) byRun.set(runId!, [...(byRun.get(runId!) ?? []), name!])
    expect(byRun.size).toBe(acknowledged.length + 3)
    for (const [runId, names] of byRun) {
      if (acknowledged.includes(runId)) expect(names).toHaveLength(1)
      else expect(names.filter((name) => name === 'a')).toHaveLength(1)
      expect(names.filter((name) => name !== 'a')).toHaveLength(1)
    }

    // The one audit trail of the three processes verifies.
    const verify = await runCarepathCli([
      'audit',
      'verify',
      '--database',
      database.url,
      '--keys',
      join(dataDir, 'carepath.keys.json'),
      '--audit-anchor',
      join(dataDir, 'audit-anchor.jsonl'),
    ])
    expect(verify.stderr).toBe('')
    expect(verify.stdout).toMatch(/^Audit trail intact: \d+ records verified/)
    expect(verify.status).toBe(0)
  })
})
