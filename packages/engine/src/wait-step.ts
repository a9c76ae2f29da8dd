// A node that holds the run until something outside it happens: a timer (`wait`) or a message
// (`wait.event`). Both record what they wait for before looking for it, so a run that stops
// here resumes, or replays, from the same event; whether it is due is read from the log, from
// the resume signal against the injected clock, or from a simulation's virtual clock.
import { toJson, type JsonValue, type NodeOutcome } from '@carepath/dsl'
import type { RunContext } from './run-context.ts'
import type { PreparedNode } from './prepare.ts'
import { settle, type Frame, type Settled } from './step-result.ts'
import { isTimeoutAnswer } from './task-step.ts'

/**
 * A wait.event step: record what the run waits for, then take the message from the log (replay),
 * from the signal that delivers it, or from the autopilot; or leave by `timeout` once due.
 */
export async function awaitEvent(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  outcome: Extract<NodeOutcome, { kind: 'event' }>,
  visit: number,
): Promise<Settled> {
  const { name, key, until, into } = outcome
  await run.recorder.emit('event.awaited', p.id, frame.scope, { name, key, ...(until ? { until } : {}) })
  const timeout = async (): Promise<Settled> => {
    await run.recorder.emit('wait.due', p.id, frame.scope, { until: until ?? '', port: 'timeout' })
    return { kind: 'follow', port: 'timeout', facts: frame.facts }
  }
  const received = async (messageId: string, payload: JsonValue): Promise<Settled> => {
    const event = await run.recorder.emit(
      'event.received',
      p.id,
      frame.scope,
      { name, key, messageId, payload: toJson(payload) },
      true, // on replay the recorded message is the one the run got
    )
    return await settle(run, frame, p, { kind: 'next', port: 'received', set: { [into]: event.data.payload } })
  }
  const next = run.recorder.peek()
  if (next) {
    if (next.nodeId !== p.id) return { kind: 'waiting' } // the mismatch surfaces at the next emit
    if (next.type === 'event.received') return await received(next.data.messageId, next.data.payload)
    if (next.type === 'wait.due') {
      if (until !== undefined) run.autopilot.advanceTo?.(until)
      return await timeout()
    }
    return { kind: 'waiting' }
  }
  const signal = run.signal
  if (signal?.type === 'event' && !run.signalUsed && signal.name === name && signal.key === key) {
    run.signalUsed = true
    return await received(signal.messageId, signal.payload)
  }
  if (until !== undefined && signal?.type === 'timer' && !run.signalUsed && run.deps.clock.now() >= until) {
    run.signalUsed = true
    return await timeout()
  }
  const simulated = run.autopilot.event?.({
    nodeId: p.id,
    ...(frame.scope ? { scope: frame.scope } : {}),
    visit,
    name,
    key,
  })
  if (simulated === undefined) return { kind: 'waiting' }
  if (isTimeoutAnswer(simulated)) {
    if (until === undefined) return { kind: 'waiting' } // a wait without a timeout waits on
    run.autopilot.advanceTo?.(until)
    return await timeout()
  }
  return await received(`simulated:${p.id}:${visit}`, simulated)
}

/** A timer step: record the wait, then leave by `port` once the timer is due, or the run waits. */
export async function waitUntil(
  run: RunContext,
  frame: Frame,
  p: PreparedNode,
  until: string,
  port: string,
): Promise<Settled> {
  await run.recorder.emit('wait.started', p.id, frame.scope, { until, port })
  const next = run.recorder.peek()
  let due = next !== undefined && next.type === 'wait.due' && next.nodeId === p.id
  // Replaying a fired timer: a virtual clock catches up with the log, as it did the first time.
  if (due) run.autopilot.advanceTo?.(until)
  if (!next) {
    if (run.signal?.type === 'timer' && !run.signalUsed && run.deps.clock.now() >= until) {
      run.signalUsed = true
      due = true
    } else if (run.autopilot.timers) {
      run.autopilot.advanceTo?.(until)
      due = true
    }
  }
  if (!due) return { kind: 'waiting' }
  await run.recorder.emit('wait.due', p.id, frame.scope, { until, port })
  return { kind: 'follow', port, facts: frame.facts }
}
