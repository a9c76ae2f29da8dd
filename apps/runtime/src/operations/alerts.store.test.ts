// Alerts kept in the database, on SQLite and PostgreSQL from one suite: owners and rules set at one
// runtime process (audited with them) apply at another; an alert opens once per episode and closes
// when its condition clears, however many processes evaluate the rules at the same time.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import type { Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createAlertsService } from './alerts.service.ts'
import { createDeadLetters } from './dead-letters.service.ts'
import { createIncidentStore } from './incident-store.ts'
import { createListenerHealth } from './listener-health.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const admin = { who: 'admin', role: 'admin' }
const integrator: Principal = { userId: 'u-int', username: 'integrator', role: 'developer', flowRoles: [] }
const SETTINGS = {
  defaultOwners: { integration: [{ user: 'integrator' }] },
  rules: [
    { id: 'letters', kind: 'dead-letter' },
    { id: 'mllp-down', kind: 'listener-down', minutes: 5 },
  ],
}

describeOnEachStore('alerts on the store', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  const processOn = (store: Store) => {
    const listeners = createListenerHealth(now)
    const deadLetters = createDeadLetters(store)
    const alerts = createAlertsService({
      store,
      now,
      incidents: createIncidentStore(store),
      deadLetters,
      connectors: {},
      listeners,
      audit: createStoreAuditRecorder(store, keys, now),
      overdueTasks: async () => [],
    })
    return { alerts, deadLetters, listeners }
  }
  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  const letter = (controlId: string) =>
    a.deadLetters.record({
      source: 'hl7-http',
      key: `hl7:LAB:${controlId}`,
      controlId,
      messageType: 'VXU^V04',
      sender: 'LAB',
      reasonCode: 'not-accepted',
      reason: 'No workflow here starts on VXU^V04 messages.',
      payload: 'MSH|...',
      receivedAt: now().toISOString(),
    })
  beforeEach(async () => {
    opened = await backend.open('alerts')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
    a = processOn(opened.store)
    b = processOn(await opened.another())
  })
  afterEach(() => opened.dispose())

  it('stores owners and rules at one process, audited with them, read at the other; a bad rule changes nothing', async () => {
    expect((await b.alerts.config()).rules).toEqual([])
    await a.alerts.configure(SETTINGS, admin)
    expect(await b.alerts.config()).toMatchObject(SETTINGS)
    const refused = await b.alerts
      .configure({ rules: [{ id: 'x', kind: 'connector-failure-rate', threshold: 0.5, windowMinutes: '5m' }] }, admin)
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect(await a.alerts.config()).toMatchObject(SETTINGS)
    const trail = (await opened.store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map((r) => String(r[0]))
    expect(trail).toHaveLength(1)
    expect(trail[0]).toContain('"settings.operations"')
    expect(await verifyChainRows(auditRows(storeAuditPages(opened.store), 50), keys)).toMatchObject({ ok: true })
  })

  it('opens an alert once per episode at whichever process evaluates, and closes it when the condition clears', async () => {
    await a.alerts.configure(SETTINGS, admin)
    await letter('42')
    const first = await a.alerts.evaluate()
    expect(first.opened).toHaveLength(1)
    // The other process finds the episode open: nothing is sent twice.
    expect(await b.alerts.evaluate()).toEqual({ opened: [], closed: [] })
    const [alert] = await b.alerts.mine(integrator)
    expect(alert).toMatchObject({
      id: first.opened[0],
      ruleId: 'letters',
      status: 'open',
      ownerKind: 'integration',
      recipients: [{ to: 'user:integrator', channel: 'in-app', ok: true }],
    })
    expect(await a.alerts.mine({ ...integrator, username: 'someone-else' })).toEqual([])
    // Listener health is a process's own: the one whose listener is down alerts.
    b.listeners.down('hl7-mllp:2575', 'HL7 MLLP listener', 'EADDRINUSE')
    clock += 5 * 60_000
    const down = await b.alerts.evaluate()
    expect(down.opened).toHaveLength(1)
    b.listeners.up('hl7-mllp:2575', 'HL7 MLLP listener')
    expect(await b.alerts.evaluate()).toEqual({ opened: [], closed: down.opened })

    const id = (await b.deadLetters.idOfKey('hl7:LAB:42'))!
    await b.deadLetters.markReprocessed(id, ['run-1'], 'operator', now().toISOString())
    expect(await b.alerts.evaluate()).toEqual({ opened: [], closed: first.opened })
    expect(await a.alerts.evaluate()).toEqual({ opened: [], closed: [] })
    expect(await a.alerts.list({})).toEqual([])
    expect((await a.alerts.list({ status: 'closed' })).map((x) => x.id).sort()).toEqual(
      [...first.opened, ...down.opened].sort(),
    )
  })

  it('opens one alert per condition when two processes evaluate at the same time', async () => {
    await a.alerts.configure(SETTINGS, admin)
    for (let round = 0; round < 5; round++) {
      await letter(`L${round}`)
      const [x, y] = await Promise.all([a.alerts.evaluate(), b.alerts.evaluate()])
      expect([...x.opened, ...y.opened]).toHaveLength(1)
    }
    const open = await a.alerts.list({})
    expect(open).toHaveLength(5)
    expect(new Set(open.map((o) => o.subject)).size).toBe(5)
    // And they close once each, whoever sees the conditions clear.
    for (const id of await a.deadLetters.ids({}, 10))
      await a.deadLetters.markReprocessed(id, ['run-1'], 'operator', now().toISOString())
    const [x, y] = await Promise.all([a.alerts.evaluate(), b.alerts.evaluate()])
    expect([...x.closed, ...y.closed].sort()).toEqual(open.map((o) => o.id).sort())
    expect([...x.opened, ...y.opened]).toEqual([])
  })

  it('closes the alerts of a rule that was removed', async () => {
    await a.alerts.configure(SETTINGS, admin)
    await letter('42')
    const { opened: ids } = await a.alerts.evaluate()
    await b.alerts.configure({ ...SETTINGS, rules: [] }, admin)
    expect(await b.alerts.evaluate()).toEqual({ opened: [], closed: ids })
  })
})
