// Alert rules over a task past its due time and an HL7 listener down: routed to the process and
// the integration owner, once per episode, closed when cleared; the clock is the test runtime's.
import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { startRuntimeHl7Listener } from '../integrations/hl7/hl7-runtime.ts'
import { sendMllp } from '../integrations/hl7/mllp-listener.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'

const { registry } = composeCatalog([builtinPlugin])
const MINUTE = 60_000

/** The front desk calls the patient back within 30 minutes. */
const callbackFlow: FlowDocument = {
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
  roles: { 'front-desk': { phi: ['none', 'demographic'] } },
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'call' } },
    call: {
      type: 'guide.question',
      typeVersion: 1,
      title: 'Call the patient back',
      config: {
        role: 'front-desk',
        question: 'Reached?',
        shows: ['patient.name'],
        options: [
          { value: 'reached', label: 'Reached' },
          { value: 'unreached', label: 'Not reached' },
        ],
        into: 'callback',
        due: { after: 'PT30M' },
      },
      next: { reached: 'done', unreached: 'done' },
    },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'done' }, next: {} },
  },
}

const MSG = 'MSH|^~\\&|LAB|X|CAREPATH|Y|20260301090000||ORU^R01|1|P|2.5.1\rPID|1||123\r'

describe('alerts for a task past its due time and a listener down', () => {
  let t: TestRuntime
  let blocker: Server | undefined
  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()))
    blocker = undefined
    await t?.close()
  })

  it('a task past its due time alerts the process owner once and closes when answered, naming no patient', async () => {
    // Sessions outlive the clock moves.
    t = await createTestRuntime({ registry, session: { idleMs: 24 * 3_600_000 } })
    await publishFlow(t, callbackFlow)
    await t.as.admin.alerts.setSettings({
      settings: {
        owners: { callback: { process: [{ user: 'analyst' }], integration: [{ user: 'developer' }] } },
        rules: [{ id: 'late-tasks', kind: 'task-overdue', minutes: 10 }],
      },
    })
    await t.as.agent.runs.start({ flowId: 'callback', input: { patient: { name: 'Pat Canary' } }, idempotencyKey: 'k' })
    expect(await t.as.operator.alerts.evaluate()).toEqual({ opened: [], closed: [] })

    // Due at 09:30; at 09:35 it is late, but not by the rule's 10 minutes yet.
    t.advance(35 * MINUTE)
    expect((await t.as.operator.alerts.evaluate()).opened).toEqual([])
    t.advance(6 * MINUTE)
    expect((await t.as.operator.alerts.evaluate()).opened).toHaveLength(1)
    const [alert] = await t.as.analyst.alerts.mine()
    expect(alert).toMatchObject({
      ruleId: 'late-tasks',
      flowId: 'callback',
      ownerKind: 'process',
      recipients: [{ to: 'user:analyst', channel: 'in-app', ok: true }],
    })
    expect(alert!.message).toMatch(
      /^The task "Call the patient back" of run \S+ \(callback, front-desk queue\) was due at 2026-03-01T09:30:00.000Z and is not answered\.$/,
    )
    expect(JSON.stringify(await t.as.operator.alerts.list({}))).not.toContain('Canary')
    expect(await t.as.developer.alerts.mine()).toEqual([])
    // Once per episode.
    expect(await t.as.operator.alerts.evaluate()).toEqual({ opened: [], closed: [] })

    const [task] = await t.as.agent.tasks.inbox()
    await t.as.agent.tasks.answer({ id: task!.id, answer: { value: 'reached' } })
    expect((await t.as.operator.alerts.evaluate()).closed).toHaveLength(1)
    expect(await t.as.analyst.alerts.mine()).toEqual([])
  })

  it('a stopped HL7 listener alerts the integration owner once and closes when it listens again', async () => {
    t = await createTestRuntime()
    await t.as.admin.alerts.setSettings({
      settings: {
        defaultOwners: { integration: [{ user: 'developer' }], process: [{ user: 'analyst' }] },
        rules: [{ id: 'hl7-down', kind: 'listener-down', minutes: 2 }],
      },
    })
    let listener = await startRuntimeHl7Listener(t.runtime, { port: 0 })
    const { port } = listener
    expect(await sendMllp(port, [MSG])).toHaveLength(1)
    expect(t.runtime.listeners.list()).toEqual([expect.objectContaining({ name: `hl7-mllp:${port}`, listening: true })])
    expect(await t.as.operator.alerts.evaluate()).toEqual({ opened: [], closed: [] })
    expect(await t.runtime.prometheus.text()).toContain(`carepath_listener_up{listener="hl7-mllp:${port}"} 1`)

    await listener.close()
    await expect(sendMllp(port, [MSG])).rejects.toThrow(/ECONNREFUSED/)
    expect(await t.runtime.prometheus.text()).toContain(`carepath_listener_up{listener="hl7-mllp:${port}"} 0`)
    // Down, but for less than the rule's two minutes: a restart pages nobody.
    t.advance(1 * MINUTE)
    expect((await t.as.operator.alerts.evaluate()).opened).toEqual([])
    t.advance(1 * MINUTE)
    expect((await t.as.operator.alerts.evaluate()).opened).toHaveLength(1)
    const [alert] = await t.as.developer.alerts.mine()
    expect(alert).toMatchObject({ ruleId: 'hl7-down', ownerKind: 'integration', subject: `listener:hl7-mllp:${port}` })
    expect(alert!.message).toBe(
      `The HL7 MLLP listener on 127.0.0.1:${port} is down since 2026-03-01T09:00:00.000Z (stopped): senders' messages are not received.`,
    )
    expect(await t.as.analyst.alerts.mine()).toEqual([])
    t.advance(5 * MINUTE)
    expect(await t.as.operator.alerts.evaluate()).toEqual({ opened: [], closed: [] })

    // Another process holds the port: the restart fails, and the alert stays open with that reason.
    blocker = createServer()
    await new Promise<void>((resolve) => blocker!.listen(port, '127.0.0.1', () => resolve()))
    await expect(startRuntimeHl7Listener(t.runtime, { port })).rejects.toThrow(/EADDRINUSE/)
    expect(t.runtime.listeners.list()[0]).toMatchObject({
      listening: false,
      reason: expect.stringMatching(/^EADDRINUSE/),
    })
    expect(await t.as.operator.alerts.evaluate()).toEqual({ opened: [], closed: [] })
    await new Promise<void>((resolve) => blocker!.close(() => resolve()))
    blocker = undefined

    // Listening again on the same port: the alert closes and messages are received.
    listener = await startRuntimeHl7Listener(t.runtime, { port })
    expect((await t.as.operator.alerts.evaluate()).closed).toHaveLength(1)
    expect(await t.as.developer.alerts.mine()).toEqual([])
    expect(await sendMllp(port, [MSG.replace('|1|P|', '|2|P|')])).toHaveLength(1)
    await listener.close()
  })
})
