import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import {
  describeOnEachRuntime,
  passwordOnly,
  publishFlow,
  sessionToken,
  TEST_PASSWORD,
  type Caller,
  type TestRuntime,
} from '../../testing/test-runtime.ts'

const { registry } = composeCatalog([builtinPlugin])
const MINUTE = 60_000

/** A callback the front desk must document within 30 minutes, or the run escalates by itself. */
function callbackFlow(due: Record<string, unknown>): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id: 'callback',
    version: 1,
    title: 'Callback',
    facts: {
      type: 'object',
      properties: {
        patient: { type: 'object', properties: { name: { type: 'string', 'x-phi': 'demographic' } } },
        callback: { type: 'string', 'x-phi': 'none' },
      },
    },
    roles: {
      'front-desk': { phi: ['none', 'demographic'] },
      supervisor: { phi: ['none', 'demographic'] },
      billing: { phi: ['none'] },
    },
    calendar: {
      timezone: 'America/Chicago',
      days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      opens: '08:00',
      closes: '17:00',
      holidays: [],
    },
    start: 'start',
    nodes: {
      start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'call' } },
      call: {
        type: 'guide.question',
        typeVersion: 1,
        config: {
          role: 'front-desk',
          question: 'Call the patient back. Reached?',
          shows: ['patient.name'],
          options: [
            { value: 'reached', label: 'Reached' },
            { value: 'unreached', label: 'Not reached' },
          ],
          into: 'callback',
          due,
        },
        next: {
          reached: 'done',
          unreached: 'done',
          ...(due.timeout ? { timeout: 'escalated' } : {}),
        },
      },
      done: { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
      ...(due.timeout
        ? { escalated: { type: 'end', typeVersion: 1, config: { outcome: 'escalated' }, next: {} } }
        : {}),
    },
  }
}

const input = { patient: { name: 'Pat Example' } }

describeOnEachRuntime('task due times, timeouts, release, reassign and escalation', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    // Sessions outlive the clock moves (the tasks are due in half an hour; sessions idle out in 15 minutes).
    t = await open({ registry, session: { idleMs: 24 * 3_600_000 } })
  })
  afterEach(() => t.close())

  async function start(key = 'k-1') {
    return await t.as.agent.runs.start({ flowId: 'callback', input, idempotencyKey: key })
  }

  it('shows when a task is due and whether it is overdue, soonest due first', async () => {
    await publishFlow(t, callbackFlow({ after: 'PT30M' }))
    await start()
    const [task] = await t.as.agent.tasks.inbox()
    expect(task).toMatchObject({ dueAt: '2026-03-01T09:30:00.000Z', overdue: false, timesOut: false })
    t.advance(31 * MINUTE)
    const [late] = await t.as.agent.tasks.inbox()
    expect(late).toMatchObject({ overdue: true, status: 'open' })
    // Without a timeout the run still waits; operators see the task among the overdue ones.
    expect(await t.runtime.runs.fireDueTimers()).toBe(0)
    expect(await t.as.developer.tasks.overdue()).toEqual([
      expect.objectContaining({ id: task!.id, role: 'front-desk', dueAt: '2026-03-01T09:30:00.000Z' }),
    ])
  })

  it('counts a due time in business hours by the flow’s calendar', async () => {
    await publishFlow(t, callbackFlow({ after: 'PT2H', hours: 'business' }))
    await start() // Sunday 2026-03-01 03:00 in Chicago: counting starts Monday 08:00 CST
    const [task] = await t.as.agent.tasks.inbox()
    expect(task?.dueAt).toBe('2026-03-02T16:00:00.000Z') // Monday 10:00 CST
  })

  it('times out: the task closes, the run leaves by timeout, and a late answer is refused', async () => {
    await publishFlow(t, callbackFlow({ after: 'PT30M', timeout: true }))
    const run = await start()
    const [task] = await t.as.agent.tasks.inbox()
    t.advance(29 * MINUTE)
    expect(await t.runtime.runs.fireDueTimers()).toBe(0)
    t.advance(MINUTE)
    expect(await t.runtime.runs.fireDueTimers()).toBe(1)
    expect(await t.as.agent.runs.get({ id: run.id })).toMatchObject({ status: 'completed', outcome: 'escalated' })
    expect(await t.as.agent.tasks.inbox()).toEqual([])
    const late = await t.as.agent.tasks.answer({ id: task!.id, answer: { value: 'reached' } }).catch((e: unknown) => e)
    expect((late as TRPCError).code).toBe('CONFLICT')
  })

  it('an answer in time stops the timeout', async () => {
    await publishFlow(t, callbackFlow({ after: 'PT30M', timeout: true }))
    const run = await start()
    const [task] = await t.as.agent.tasks.inbox()
    await t.as.agent.tasks.answer({ id: task!.id, answer: { value: 'reached' } })
    t.advance(45 * MINUTE)
    expect(await t.runtime.runs.fireDueTimers()).toBe(0)
    expect(await t.as.agent.runs.get({ id: run.id })).toMatchObject({ status: 'completed', outcome: 'done' })
  })

  describe('with a second agent', () => {
    let other: Caller
    beforeEach(async () => {
      await t.runtime.auth.addUser(
        { username: 'agent2', password: TEST_PASSWORD, role: 'agent', flowRoles: ['front-desk', 'supervisor'] },
        { who: 'test', role: 'system' },
      )
      await passwordOnly(t.runtime, ['agent2'])
      other = t.caller(sessionToken(await t.runtime.auth.login('agent2', TEST_PASSWORD)))
      await publishFlow(t, callbackFlow({ after: 'PT30M' }))
      await start()
    })

    it('releases a claimed task back to the queue, and reassigns it to someone who works the queue', async () => {
      const [task] = await t.as.agent.tasks.inbox()
      await t.as.agent.tasks.claim({ id: task!.id })
      // Someone else cannot release it.
      expect(((await other.tasks.release({ id: task!.id }).catch((e: unknown) => e)) as TRPCError).code).toBe(
        'CONFLICT',
      )
      expect(await t.as.agent.tasks.release({ id: task!.id })).toMatchObject({ status: 'open', claimedBy: null })
      expect(await t.as.agent.tasks.reassign({ id: task!.id, to: 'agent2' })).toMatchObject({
        status: 'claimed',
        claimedBy: 'agent2',
      })
      // Only to someone who works the queue, and not from under the person who has it now.
      const notInQueue = await other.tasks.reassign({ id: task!.id, to: 'reviewer' }).catch((e: unknown) => e)
      expect((notInQueue as TRPCError).code).toBe('BAD_REQUEST')
      const notTheirs = await t.as.agent.tasks.reassign({ id: task!.id, to: 'agent' }).catch((e: unknown) => e)
      expect((notTheirs as TRPCError).message).toMatch(/claimed by agent2/)
      const actions = (await t.runtime.audit.list({ limit: 500 })).items.map((i) => i.record.action)
      expect(actions).toEqual(expect.arrayContaining(['task.claim', 'task.release', 'task.reassign']))
    })

    it('escalates to another queue that may see what the task shows, and refuses one whose role or clearance may not', async () => {
      const [task] = await t.as.agent.tasks.inbox()
      const refused = await t.as.agent.tasks
        .escalate({ id: task!.id, to: 'billing', reason: 'not ours' })
        .catch((e: unknown) => e)
      expect((refused as TRPCError).message).toMatch(/billing role may not see "patient.name"/)
      // The supervisor role asks for the name, but a queue cleared for no patient data would hide it.
      const named = await t.as.admin.queues.save({
        name: 'supervisor',
        description: 'Shift supervisors',
        phi: [],
        baseVersion: null,
      })
      const uncleared = await t.as.agent.tasks
        .escalate({ id: task!.id, to: 'supervisor', reason: 'no answer after two calls' })
        .catch((e: unknown) => e)
      expect((uncleared as TRPCError).message).toMatch(/supervisor queue is not cleared to see "patient.name"/)
      expect(await t.as.agent.tasks.inbox()).toEqual([expect.objectContaining({ id: task!.id, role: 'front-desk' })])
      await t.as.admin.queues.save({
        name: 'supervisor',
        description: 'Shift supervisors',
        phi: ['demographic'],
        baseVersion: named.version,
      })
      await t.as.agent.tasks.escalate({ id: task!.id, to: 'supervisor', reason: 'no answer after two calls' })
      // The front desk no longer has it; the supervisor queue does.
      expect(await t.as.agent.tasks.inbox()).toEqual([])
      expect(await other.tasks.inbox()).toEqual([expect.objectContaining({ id: task!.id, role: 'supervisor' })])
      const record = (await t.runtime.audit.list({ limit: 500 })).items
        .map((i) => i.record)
        .find((r) => r.action === 'task.escalate')
      expect(record).toMatchObject({ why: { from: 'front-desk', to: 'supervisor' } })
    })
  })
})
