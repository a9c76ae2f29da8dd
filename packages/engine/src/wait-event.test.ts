// A run waiting for a correlated message: it wakes on the message with its key (and only that),
// leaves by timeout when none comes, and replays either way to the same trace.
import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { caseDeps, foldEvents, resumeRun, startRun, traceOf, type EngineDeps } from './index.ts'

export const replyFlow: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'await-reply',
  version: 1,
  title: 'Await a reply',
  facts: {
    type: 'object',
    properties: {
      appointment: { type: 'object', properties: { id: { type: 'string', 'x-phi': 'identifier' } } },
      reply: { type: 'object', properties: { answer: { type: 'string', 'x-phi': 'none' } } },
    },
  },
  roles: {},
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'wait-reply' } },
    'wait-reply': {
      type: 'wait.event',
      typeVersion: 1,
      config: { event: 'sms.reply', correlateOn: 'appointment.id', into: 'reply', timeout: 'P1D' },
      next: { received: 'read', timeout: 'no-reply' },
    },
    read: {
      type: 'switch',
      typeVersion: 1,
      config: { fact: 'reply.answer', cases: [{ value: 'C', port: 'confirmed' }], default: 'other' },
      next: { confirmed: 'confirmed', other: 'other' },
    },
    confirmed: { type: 'end', typeVersion: 1, config: { outcome: 'confirmed' }, next: {} },
    other: { type: 'end', typeVersion: 1, config: { outcome: 'other' }, next: {} },
    'no-reply': { type: 'end', typeVersion: 1, config: { outcome: 'no-reply' }, next: {} },
  },
}

const input = { appointment: { id: 'APT-7' } }
const depsAt = (time: { now: string }): EngineDeps => ({ registry, clock: { now: () => time.now }, connectors: {} })
const reply = (key: string, answer: string) =>
  ({ type: 'event', name: 'sms.reply', key, messageId: 'sms-1', payload: { answer } }) as const

describe('wait.event', () => {
  it('waits for the message with the run’s key, and wakes on it with the payload in its facts', async () => {
    const time = { now: '2026-03-02T09:00:00.000Z' }
    const waiting = await startRun(replyFlow, input, depsAt(time), { runId: 'r-1' })
    expect(waiting).toMatchObject({
      status: 'waiting',
      awaiting: { nodeId: 'wait-reply', name: 'sms.reply', key: 'APT-7' },
      waitUntil: '2026-03-03T09:00:00.000Z',
    })
    // Another appointment's reply, or another message name, does not wake it.
    await expect(resumeRun(replyFlow, waiting.events, reply('APT-8', 'C'), depsAt(time))).rejects.toThrow(
      /not waiting for the message "sms.reply"/,
    )
    time.now = '2026-03-02T10:00:00.000Z'
    const done = await resumeRun(replyFlow, waiting.events, reply('APT-7', 'C'), depsAt(time))
    expect(done).toMatchObject({ status: 'completed', outcome: 'confirmed', facts: { reply: { answer: 'C' } } })
    expect(done.awaiting).toBeUndefined()
    expect(done.events.find((e) => e.type === 'event.received')?.data).toEqual({
      name: 'sms.reply',
      key: 'APT-7',
      messageId: 'sms-1',
      payload: { answer: 'C' },
    })
    const replayed = await resumeRun(replyFlow, done.events, { type: 'continue' }, depsAt(time))
    expect(traceOf(replayed.events)).toBe(traceOf(done.events))
  })

  it('leaves by timeout when no message comes in time', async () => {
    const time = { now: '2026-03-02T09:00:00.000Z' }
    const waiting = await startRun(replyFlow, input, depsAt(time), { runId: 'r-1' })
    await expect(resumeRun(replyFlow, waiting.events, { type: 'timer' }, depsAt(time))).rejects.toThrow(/due at/)
    time.now = '2026-03-03T09:00:00.000Z'
    const timedOut = await resumeRun(replyFlow, waiting.events, { type: 'timer' }, depsAt(time))
    expect(timedOut).toMatchObject({ status: 'completed', outcome: 'no-reply' })
    await expect(resumeRun(replyFlow, timedOut.events, reply('APT-7', 'C'), depsAt(time))).rejects.toThrow(
      /already completed/,
    )
    expect(foldEvents(timedOut.events).waitUntil).toBeUndefined()
  })

  it('takes a simulated message (or { "$timeout": true }) from a suite case’s answers', async () => {
    const run = async (answer: unknown) => {
      const { deps, autopilot } = caseDeps(
        { id: 'c', input, answers: { 'wait-reply': answer as never } },
        { registry, now: '2026-03-02T09:00:00.000Z' },
      )
      return await startRun(replyFlow, input, deps, { runId: 'c', autopilot })
    }
    expect(await run({ answer: 'C' })).toMatchObject({ outcome: 'confirmed' })
    const timedOut = await run({ $timeout: true })
    expect(timedOut).toMatchObject({ outcome: 'no-reply' })
    expect(timedOut.events.find((e) => e.type === 'wait.due')).toMatchObject({ at: '2026-03-03T09:00:00.000Z' })
  })
})
