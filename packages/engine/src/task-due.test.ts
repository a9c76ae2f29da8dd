// A human step with a due time: the run waits on the task and on its due time at once; an answer
// in time goes on by the answer, the due time passing leaves by `timeout`, and both replay.
import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { caseDeps, resumeRun, startRun, traceOf, type EngineDeps } from './index.ts'

const flow: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'critical-callback',
  version: 1,
  title: 'Critical callback',
  facts: { type: 'object', properties: { callback: { type: 'string', 'x-phi': 'none' } } },
  roles: { nurse: { phi: ['none'] } },
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'call' } },
    call: {
      type: 'guide.question',
      typeVersion: 1,
      config: {
        role: 'nurse',
        question: 'Did the clinician acknowledge the critical value?',
        options: [
          { value: 'yes', label: 'Yes' },
          { value: 'no', label: 'No' },
        ],
        into: 'callback',
        due: { after: 'PT30M', timeout: true },
      },
      next: { yes: 'done', no: 'done', timeout: 'escalated' },
    },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'acknowledged' }, next: {} },
    escalated: { type: 'end', typeVersion: 1, config: { outcome: 'escalated' }, next: {} },
  },
}

function depsAt(time: { now: string }): EngineDeps {
  return { registry, clock: { now: () => time.now }, connectors: {} }
}

describe('a human step with a due time', () => {
  it('opens a task due 30 minutes after the step is reached, and waits on it like a timer', async () => {
    const time = { now: '2026-03-02T10:00:00.000Z' }
    const state = await startRun(flow, {}, depsAt(time), { runId: 'r-1' })
    expect(state.status).toBe('waiting')
    expect(state.openTask?.request.due).toEqual({ at: '2026-03-02T10:30:00.000Z', timeout: true })
    expect(state.waitUntil).toBe('2026-03-02T10:30:00.000Z')
  })

  it('goes on by the answer when it comes in time', async () => {
    const time = { now: '2026-03-02T10:00:00.000Z' }
    const waiting = await startRun(flow, {}, depsAt(time), { runId: 'r-1' })
    time.now = '2026-03-02T10:29:00.000Z'
    await expect(resumeRun(flow, waiting.events, { type: 'timer' }, depsAt(time))).rejects.toThrow(/due at/)
    const done = await resumeRun(
      flow,
      waiting.events,
      { type: 'answer', taskId: waiting.openTask!.taskId, answer: { value: 'yes' } },
      depsAt(time),
    )
    expect(done).toMatchObject({ status: 'completed', outcome: 'acknowledged' })
    expect(done.waitUntil).toBeUndefined()
  })

  it('leaves by timeout when the due time passes unanswered, and the log replays to the same trace', async () => {
    const time = { now: '2026-03-02T10:00:00.000Z' }
    const waiting = await startRun(flow, {}, depsAt(time), { runId: 'r-1' })
    time.now = '2026-03-02T10:30:00.000Z'
    const timedOut = await resumeRun(flow, waiting.events, { type: 'timer' }, depsAt(time))
    expect(timedOut).toMatchObject({ status: 'completed', outcome: 'escalated', ports: ['start.next', 'call.timeout'] })
    expect(timedOut.events.find((e) => e.type === 'task.expired')?.data).toEqual({
      taskId: waiting.openTask!.taskId,
      due: '2026-03-02T10:30:00.000Z',
      port: 'timeout',
    })
    // An answer that comes after the timeout finds no open task.
    await expect(
      resumeRun(
        flow,
        timedOut.events,
        { type: 'answer', taskId: waiting.openTask!.taskId, answer: { value: 'yes' } },
        depsAt(time),
      ),
    ).rejects.toThrow(/already completed/)
    // Replaying the whole log (after a crash, say) writes nothing new and gives the same trace.
    time.now = '2026-03-09T00:00:00.000Z'
    const replayed = await resumeRun(flow, timedOut.events, { type: 'continue' }, depsAt(time))
    expect(traceOf(replayed.events)).toBe(traceOf(timedOut.events))
  })

  it('simulates "no answer in time" with a { "$timeout": true } answer, moving the virtual clock to the due time', async () => {
    const { deps, autopilot } = caseDeps(
      { id: 'no-answer', input: {}, answers: { call: { $timeout: true } } },
      { registry, now: '2026-03-02T10:00:00.000Z' },
    )
    const state = await startRun(flow, {}, deps, { runId: 'case', autopilot })
    expect(state).toMatchObject({ status: 'completed', outcome: 'escalated' })
    expect(state.events.find((e) => e.type === 'task.expired')?.at).toBe('2026-03-02T10:30:00.000Z')
  })
})
