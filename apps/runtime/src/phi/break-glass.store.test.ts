// Break-glass reveals kept in the database, on SQLite and PostgreSQL from one suite: a reveal
// granted at one runtime process shows at another for its minutes, and is signed off once.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import type { Principal } from '../auth/auth.service.ts'
import { users } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { intakeFlow } from '../testing/test-registry.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createBreakGlassService, type RevealRuns } from './break-glass.service.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const agent: Principal = { userId: 'u-agent', username: 'agent', role: 'agent', flowRoles: ['front-desk'] }
const compliance: Principal = { userId: 'u-compliance', username: 'compliance', role: 'compliance', flowRoles: [] }
const compliance2: Principal = { ...compliance, userId: 'u-compliance2', username: 'compliance2' }
// The run the reveal is for, as the runs service answers for it (its own store is another's to move).
const runs: RevealRuns = {
  store: {
    runById: async (id) => (id === 'run-1' ? { id, flow_id: 'intake-check', hash: 'h1' } : undefined),
    events: async () => [],
  },
  documentFor: async () => intakeFlow(),
}

describeOnEachStore('break-glass on the store', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  const processOn = (store: Store) =>
    createBreakGlassService({
      store,
      audit: createStoreAuditRecorder(store, keys, now),
      now,
      runs,
      notify: (line) => told.push(line),
      clearances: async () => new Map(),
    })
  let told: string[]
  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  beforeEach(async () => {
    opened = await backend.open('break-glass')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
    told = []
    a = processOn(opened.store)
    b = processOn(await opened.another())
    for (const p of [agent, compliance, compliance2])
      await opened.store.db.insert(users).values({
        id: p.userId,
        username: p.username,
        role: p.role,
        passwordHash: '!',
        flowRoles: p.flowRoles,
        createdAt: now().toISOString(),
      })
  })
  afterEach(() => opened.dispose())

  it('grants a reveal at one process that shows at the other for its minutes, then hides', async () => {
    const reveal = await a.request(
      { runId: 'run-1', classes: ['identifier', 'demographic'], reason: 'caller disputes the record', minutes: 15 },
      agent,
    )
    // The agent may see demographic data already: only the identifier is revealed.
    expect(reveal.classes).toEqual(['identifier'])
    expect(told).toHaveLength(1)
    expect(await b.revealedClasses(agent.userId, 'run-1')).toEqual(['identifier'])
    expect(await b.revealedClasses(agent.userId, 'run-2')).toEqual([])
    expect(await b.revealedClasses(compliance.userId, 'run-1')).toEqual([])
    clock += 15 * 60_000
    expect(await a.revealedClasses(agent.userId, 'run-1')).toEqual([])
    await expect(
      a.request({ runId: 'run-9', classes: ['identifier'], reason: 'x', minutes: 5 }, agent),
    ).rejects.toThrow('No run with id "run-9".')
  })

  it('is signed off once, by someone else, whichever processes two auditors use at once', async () => {
    const { id } = await a.request({ runId: 'run-1', classes: ['identifier'], reason: 'needed', minutes: 5 }, agent)
    expect((await b.list({ pendingOnly: true })).map((r) => r.id)).toEqual([id])
    await expect(b.signOff(id, 'mine', agent)).rejects.toThrow('Someone else must review your own reveal.')
    const signed = await Promise.all([
      a.signOff(id, 'reviewed: needed for the call', compliance).then(
        () => 'OK',
        (e: unknown) => (e instanceof AppError ? e.code : 'THROWN'),
      ),
      b.signOff(id, 'reviewed too', compliance2).then(
        () => 'OK',
        (e: unknown) => (e instanceof AppError ? e.code : 'THROWN'),
      ),
    ])
    expect(signed.sort()).toEqual(['OK', 'conflict'])
    expect(await a.list({ pendingOnly: true })).toEqual([])
    expect(await b.list()).toMatchObject([{ id, username: 'agent', classes: ['identifier'] }])
    const trail = (await opened.store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map((r) => String(r[0]))
    // One sign-off recorded: the refused one left nothing behind.
    expect(trail.filter((r) => r.includes('"phi.reveal-review"'))).toHaveLength(1)
    expect(await verifyChainRows(auditRows(storeAuditPages(opened.store), 50), keys)).toMatchObject({
      ok: true,
      checked: 2,
    })
  })
})
