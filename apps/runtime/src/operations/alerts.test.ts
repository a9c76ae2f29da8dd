import { afterEach, describe, expect, it } from 'vitest'
import { NodeError, type JsonValue } from '@carepath/dsl'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { intakeFlow } from '../testing/test-registry.ts'

describe('alerts', () => {
  let t: TestRuntime
  afterEach(() => t?.close())

  it('refuses a malformed rule whole, saying where', async () => {
    t = await createTestRuntime()
    await expect(
      t.as.admin.alerts.setSettings({
        settings: { rules: [{ id: 'fhir-down', kind: 'connector-failure-rate', threshold: 0.5, windowMinutes: '5m' }] },
      }),
    ).rejects.toThrow(/rules\.0\.windowMinutes: windowMinutes must be a number of minutes/)
    await expect(
      t.as.admin.alerts.setSettings({
        settings: { rules: [{ id: 'slow', kind: 'connector-failure-rate', threshold: 0.5, windowMinutes: 0 }] },
      }),
    ).rejects.toThrow(/at least 1/)
    expect((await t.as.operator.alerts.settings()).rules).toEqual([])
    await expect(t.as.agent.alerts.setSettings({ settings: {} })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // An operator keeps the rules too; each change is audited by flow and rule id, never an address.
    await t.as.operator.alerts.setSettings({
      settings: {
        owners: { 'intake-check': { integration: [{ email: 'team@example.org' }] } },
        rules: [{ id: 'letters', kind: 'dead-letter' }],
      },
    })
    const { items } = await t.as.auditor.audit.list({ limit: 500 })
    expect(items.find((i) => i.record.action === 'settings.operations')?.record).toMatchObject({
      agent: { who: 'operator' },
      why: { flows: ['intake-check'], rules: ['letters'] },
    })
    expect(JSON.stringify(items)).not.toContain('team@example.org')
    expect(await t.as.operator.alerts.candidates()).toEqual({
      flows: [],
      users: expect.arrayContaining([{ username: 'developer', role: 'developer' }]),
    })
  })

  it('routes by failure kind to the right owner, fires once per episode and closes when it clears', async () => {
    const peer = { up: false }
    t = await createTestRuntime({
      connectors: {
        echo: async (): Promise<JsonValue> => {
          if (!peer.up) throw new NodeError('The echo service could not be reached.', { code: 'unreachable' })
          return { node: 'call' }
        },
      },
    })
    await publishFlow(t, intakeFlow({ withCall: true }))
    await t.as.admin.alerts.setSettings({
      settings: {
        owners: { 'intake-check': { integration: [{ user: 'developer' }], process: [{ user: 'analyst' }] } },
        defaultOwners: { integration: [{ email: 'integration-team@example.org' }] },
        rules: [
          { id: 'stuck', kind: 'incident-age', minutes: 5 },
          {
            id: 'echo-failing',
            kind: 'connector-failure-rate',
            connector: 'echo',
            threshold: 0.5,
            windowMinutes: 10,
            minCalls: 3,
          },
        ],
      },
    })
    const run = await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 1 }, idempotencyKey: 'a' })
    expect(run.status).toBe('incident')

    // The connector failed 3 of 3 calls: its alert goes to the installation's integration owner.
    let changed = await t.as.operator.alerts.evaluate()
    expect(changed.opened).toHaveLength(1)
    const open = await t.as.operator.alerts.list({})
    expect(open).toEqual([
      expect.objectContaining({
        ruleId: 'echo-failing',
        subject: 'connector:echo',
        ownerKind: 'integration',
        message: 'The echo connector failed 3 of 3 calls in the last 10 min (alert at 50%).',
        // No mail server in this installation: the delivery says so, the alert stays in the app.
        recipients: [
          expect.objectContaining({ to: 'email:integration-team@example.org', channel: 'email', ok: false }),
        ],
      }),
    ])

    // Five minutes on, the incident is old enough: a connector failure, so the flow's integration owner.
    t.advance(5 * 60_000)
    changed = await t.as.operator.alerts.evaluate()
    expect(changed).toEqual({ opened: [expect.any(String)], closed: [] })
    const mine = await t.as.developer.alerts.mine()
    expect(mine).toEqual([
      expect.objectContaining({
        ruleId: 'stuck',
        flowId: 'intake-check',
        ownerKind: 'integration',
        recipients: [{ to: 'user:developer', channel: 'in-app', ok: true }],
      }),
    ])
    expect(mine[0]!.message).toMatch(/is held at step "call" \(echo: unreachable\)/)
    expect(await t.as.analyst.alerts.mine()).toEqual([])
    // Once per episode: nothing new while the conditions still hold.
    expect(await t.as.operator.alerts.evaluate()).toEqual({ opened: [], closed: [] })

    // The peer is back and the run retried: the incident's alert closes; ten minutes later the
    // connector's window holds no failure either.
    peer.up = true
    await t.as.operator.incidents.retry({ runId: run.id })
    expect((await t.as.operator.alerts.evaluate()).closed).toHaveLength(1)
    t.advance(11 * 60_000)
    expect((await t.as.operator.alerts.evaluate()).closed).toHaveLength(1)
    expect(await t.as.operator.alerts.list({})).toEqual([])
    expect(await t.as.operator.alerts.list({ status: 'closed' })).toHaveLength(2)
  })

  it('a dead letter opens an alert for the integration owner', async () => {
    t = await createTestRuntime()
    await t.as.admin.alerts.setSettings({
      settings: {
        defaultOwners: { integration: [{ user: 'developer' }] },
        rules: [{ id: 'letters', kind: 'dead-letter' }],
      },
    })
    await t.runtime.deadLetters.record({
      source: 'hl7-http',
      key: 'hl7:LAB^X:42',
      controlId: '42',
      messageType: 'VXU^V04',
      sender: 'LAB^X',
      reasonCode: 'not-accepted',
      reason: 'No workflow here starts on VXU^V04 messages; they are not accepted.',
      payload: 'MSH|...',
      receivedAt: new Date().toISOString(),
    })
    await t.as.operator.alerts.evaluate()
    const [alert] = await t.as.developer.alerts.mine()
    expect(alert?.message).toBe(
      'An inbound VXU^V04 (hl7-http, control id 42) started no run: No workflow here starts on VXU^V04 messages; they are not accepted.',
    )
  })
})
