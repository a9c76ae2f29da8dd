// kill -9 around time and events: a correlated message and a task's deadline are taken by their
// runs, and a scheduled tick starts its run, each in a step that is killed mid-way (SIGKILL inside
// the step's connector call); the runtime started again on the same data finishes each step once.
// Nothing is lost (every run ends) and nothing happens twice (one event.received, one
// task.expired, one run for the tick, even after the dead process's claim is taken over).
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import { createRuntime } from '../../apps/runtime/src/runtime.ts'
import { waitUntil } from '@carepath/runtime/testing'
import { killHard, startChild } from './crash-harness.ts'

// Responses are read as loose JSON: the assertions below are what checks their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const child = join(import.meta.dirname, 'time-crash-child.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'carepath-time-crash-'))
const running: ChildProcess[] = []
const setClock = (iso: string) => writeFileSync(join(dataDir, 'clock.txt'), iso)

async function startRuntime(hangAt: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const started = await startChild(child, [dataDir, hangAt.join(',')], running)
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
const login = async (url: string) =>
  (await call(url, 'POST', '/api/auth/login', undefined, { username: 'agent', password: 'crash test password' }))
    .token as string
const calls = () =>
  existsSync(join(dataDir, 'calls.log')) ? readFileSync(join(dataDir, 'calls.log'), 'utf8').trim().split('\n') : []
const called = (node: string) => calls().filter((line) => line.includes(` ${node} `))

afterAll(() => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

describe('kill -9 around a deadline, a correlated message and a schedule tick', () => {
  it('finishes each interrupted step once after a restart, and never twice', async () => {
    setClock('2026-03-02T09:00:00.000Z')
    // 1. A message and a deadline arrive; the process dies inside the step each one started.
    const first = await startRuntime(['message-call', 'deadline-call'])
    let token = await login(first.url)
    const waiting = await call(first.url, 'POST', '/api/flows/message-crash/runs', token, {
      input: { order: { id: 'ORD-7' } },
      idempotencyKey: 'message-1',
    })
    const approval = await call(first.url, 'POST', '/api/flows/deadline-crash/runs', token, {
      input: { request: { id: 'REQ-1' } },
      idempotencyKey: 'deadline-1',
    })
    expect([waiting.status, approval.status]).toEqual(['waiting', 'waiting'])
    void call(first.url, 'POST', '/api/events/lab.callback', token, {
      key: 'ORD-7',
      messageId: 'lab-msg-1',
      payload: { result: 'ready' },
    }).catch(() => undefined)
    await waitUntil(() => called('message-call').length > 0, 'the message to wake its run')
    setClock('2026-03-02T09:31:00.000Z') // the approval was due at 09:30
    await waitUntil(() => called('deadline-call').length > 0, 'the deadline to fire')
    await killHard(first.proc)

    // 2. Restarted: both runs go on from their logs. Then the 10:00 tick fires and the process dies in its run.
    const second = await startRuntime(['tick-call'])
    setClock('2026-03-02T10:00:30.000Z')
    await waitUntil(() => called('tick-call').length > 0, 'the 10:00 tick to start its run')
    await killHard(second.proc)

    // 3. Restarted again, with the dead process's claim on 10:00 past its lease (five minutes).
    setClock('2026-03-02T10:06:00.000Z')
    const third = await startRuntime([])
    token = await login(third.url)
    // The sender resends the message: it is answered as a duplicate and wakes nothing.
    const resend = await call(third.url, 'POST', '/api/events/lab.callback', token, {
      key: 'ORD-7',
      messageId: 'lab-msg-1',
      payload: { result: 'ready' },
    })
    expect(resend).toMatchObject({ duplicate: true })
    await waitUntil(() => called('tick-call').length >= 2, 'the interrupted tick run to go on')
    third.proc.kill('SIGTERM')
    expect(await new Promise((r) => third.proc.once('exit', r))).toBe(0)

    const runtime = await createRuntime({ dataDir, registry, now: () => new Date('2026-03-02T10:06:00.000Z') })
    try {
      const store = runtime.runs.store
      const eventsOf = async (id: string, type: string) => (await store.events(id)).filter((e) => e.type === type)
      // The message: taken once, the run ended, the message marked delivered (not left to expire).
      expect(await store.runById(waiting.id)).toMatchObject({ status: 'completed', outcome: 'received' })
      expect(await eventsOf(waiting.id, 'event.received')).toHaveLength(1)
      expect(await runtime.events.messages('delivered')).toEqual([
        expect.objectContaining({ messageId: 'lab-msg-1', runIds: [waiting.id] }),
      ])
      expect(await runtime.events.messages('pending')).toEqual([])
      // The deadline: expired once, the escalation ran to its end.
      expect(await store.runById(approval.id)).toMatchObject({ status: 'completed', outcome: 'escalated' })
      expect(await eventsOf(approval.id, 'task.expired')).toHaveLength(1)
      // The tick: one run for 10:00, finished; the earlier hours since publishing were missed, not fired.
      const ticks = await store.listRuns('tick-crash', 100)
      expect(ticks.map((run) => [run.status, run.outcome])).toEqual([['completed', 'ticked']])
      expect((await store.events(ticks[0]!.id))[0]).toMatchObject({
        data: { input: { schedule: { at: '2026-03-02T10:00:00.000Z' } } },
      })
      const fired = (await runtime.schedules.history('tick-crash', 100)).filter((row) => row.status === 'fired')
      expect(fired.map((row) => row.at)).toEqual(['2026-03-02T10:00:00.000Z'])
      // Each interrupted call was made again with the same (run, node, attempt), which is what lets
      // the outside system see a retry; none was made a third time.
      for (const node of ['message-call', 'deadline-call', 'tick-call']) expect(called(node)).toHaveLength(2)
    } finally {
      await runtime.close()
    }
  })
})
