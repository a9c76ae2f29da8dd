// A flow's life on the store, on SQLite and on PostgreSQL from one suite: created, saved as a new
// revision, submitted, approved by someone else, published; two saves racing on one draft from
// two stores (two runtime processes on PostgreSQL); the approval policy's four eyes; change-notice
// subscriptions; queues. Every change is audited through the store, and the chain verifies.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import type { Principal } from '../auth/auth.service.ts'
import { settings, users } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import { OPERATIONS_SETTINGS_KEY } from '../operations/alerts.service.ts'
import { createChangeNoticesService } from '../notices/change-notices.service.ts'
import { createQueuesService } from '../queues/queues.service.ts'
import { createApprovalPolicyService } from '../review/approval-policy.ts'
import { createReviewService } from '../review/review.service.ts'
import { createSimulationPort } from '../review/simulation-port.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { intakeFlow, testRegistry } from '../testing/test-registry.ts'
import { createFlowsService } from './flows.service.ts'
import { appErrorOf } from '../testing/app-error-of.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
let tick = Date.parse('2026-03-01T09:00:00.000Z')
const now = () => new Date(tick++)

const person = (username: string, role: Principal['role']): Principal => ({
  userId: `u-${username}`,
  username,
  role,
  flowRoles: [],
})
const analyst = person('analyst', 'analyst')
const reviewer = person('reviewer', 'reviewer')
const admin = person('admin', 'admin')
const admin2 = person('admin2', 'admin')

/** The services one runtime process would build over its store. */
function servicesOver(store: Store) {
  const audit = createStoreAuditRecorder(store, keys, now)
  const flows = createFlowsService({ store, audit, now, registry: testRegistry })
  const queues = createQueuesService({ store, audit, now, registry: testRegistry })
  const approvalPolicy = createApprovalPolicyService({ store, audit, now })
  const review = createReviewService({
    store,
    audit,
    now,
    registry: testRegistry,
    flows,
    queues,
    approvalPolicy,
    simulation: createSimulationPort(testRegistry),
  })
  const notices = createChangeNoticesService({
    store,
    audit,
    now,
    flows,
    owners: () => ({ owners: {}, defaultOwners: {}, rules: [] }),
    connectors: {},
  })
  return { flows, queues, approvalPolicy, review, notices }
}

describeOnEachStore('a flow’s life on the store', (backend) => {
  let opened: OpenedStore
  let store: Store
  let services: ReturnType<typeof servicesOver>
  beforeEach(async () => {
    opened = await backend.open('flows')
    store = opened.store
    services = servicesOver(store)
  })
  afterEach(() => opened.dispose())
  const verify = () => verifyChainRows(auditRows(storeAuditPages(store), 50), keys)
  const actions = async () =>
    (await store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map(
      (row) => (JSON.parse(String(row[0])) as { action: string }).action,
    )

  it('is created, saved, submitted, approved by another person and published', async () => {
    const { flows, review } = services
    const created = await flows.create(intakeFlow(), analyst)
    expect(created).toMatchObject({ id: 'intake-check', revision: 1 })
    const saved = await flows.save('intake-check', intakeFlow({ min: 7 }), 1, analyst)
    expect(saved.revision).toBe(2)
    expect(saved.hash).not.toBe(created.hash)
    // Case does not matter in a search, on either database.
    expect((await flows.list('INTAKE')).map((f) => f.id)).toEqual(['intake-check'])
    expect(await flows.list('no such')).toEqual([])

    await review.submit('intake-check', analyst)
    const refused = await appErrorOf(review.approve('intake-check', saved.hash, 'mine', analyst))
    expect(refused.code).toBe('forbidden')
    expect((await review.get('intake-check')).reviewStatus).toBe('open')
    expect(await review.approve('intake-check', saved.hash, 'looks right', reviewer)).toMatchObject({
      status: 'approved',
    })
    const published = await review.publish('intake-check', saved.hash, reviewer)
    expect(published.publishedHash).toBe(saved.hash)

    const flow = await flows.get('intake-check')
    expect(flow).toMatchObject({ status: 'published', draft: { revision: 2 }, published: { hash: saved.hash } })
    expect(flow.reviews.map((r) => r.status)).toEqual(['published'])
    expect((await flows.history('intake-check')).map((r) => [r.revision, r.status])).toEqual([
      [2, 'published'],
      [1, 'draft'],
    ])
    expect(await flows.version('intake-check', saved.hash)).toMatchObject({ id: 'intake-check' })
    expect(await actions()).toEqual([
      'flow.create',
      'flow.save',
      'review.submit',
      'review.approve',
      'review.approve',
      'review.publish',
    ])
    expect(await verify()).toMatchObject({ ok: true, checked: 6 })
  })

  it('refuses a second flow with the same id, and changes nothing', async () => {
    await services.flows.create(intakeFlow(), analyst)
    const again = await appErrorOf(services.flows.create(intakeFlow({ min: 9 }), analyst))
    expect(again.code).toBe('conflict')
    expect((await services.flows.history('intake-check')).length).toBe(1)
    expect(await verify()).toMatchObject({ ok: true, checked: 1 })
  })

  it('leaves one winner and one conflict when two processes save the same draft at once', async () => {
    await services.flows.create(intakeFlow(), analyst)
    const other = servicesOver(await opened.another())
    const outcomes = await Promise.allSettled([
      services.flows.save('intake-check', intakeFlow({ min: 6 }), 1, analyst),
      other.flows.save('intake-check', intakeFlow({ min: 8 }), 1, person('developer', 'developer')),
    ])
    const won = outcomes.filter((o) => o.status === 'fulfilled')
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]).toBeInstanceOf(AppError)
    expect((lost[0] as AppError).code).toBe('conflict')
    // The winner's revision is the draft, and nothing of the loser's was written.
    const flow = await services.flows.get('intake-check')
    expect(flow.draft.revision).toBe(2)
    const winner = won[0]?.status === 'fulfilled' ? won[0].value : undefined
    expect(flow.draft.hash).toBe(winner?.hash)
    expect((await services.flows.history('intake-check')).map((r) => r.revision)).toEqual([2, 1])
    expect(await actions()).toEqual(['flow.create', 'flow.save'])
    expect(await verify()).toMatchObject({ ok: true, checked: 2 })
  })

  it('counts both of two approvals given at once from two processes', async () => {
    const { flows, review, approvalPolicy } = services
    // The flow's process owner (Operations → Owners) gives the process sign-off.
    await store.db.insert(settings).values({
      key: OPERATIONS_SETTINGS_KEY,
      value: { owners: { 'intake-check': { process: [{ user: 'lead' }] } }, defaultOwners: {}, rules: [] },
    })
    // Two sign-offs are needed for a threshold change: each approval must see the other's.
    await approvalPolicy.propose(
      { requirements: { threshold: ['reviewer', 'process'] } },
      { who: 'admin', role: 'admin' },
    )
    await approvalPolicy.approve({ who: 'admin2', role: 'admin' })
    const { hash: v1 } = await flows.create(intakeFlow(), analyst)
    await review.submit('intake-check', analyst)
    await review.approve('intake-check', v1, 'ok', reviewer)
    await review.publish('intake-check', v1, reviewer)
    const { hash } = await flows.save('intake-check', intakeFlow({ min: 9 }), 1, analyst)
    await review.submit('intake-check', analyst)
    const signOffs = (await review.get('intake-check')).signOffs.map((s) => s.kind)
    expect(signOffs).toEqual(expect.arrayContaining(['reviewer', 'process']))
    const other = servicesOver(await opened.another())
    await Promise.all([
      review.approve('intake-check', hash, 'threshold per policy', reviewer, { as: 'reviewer' }),
      other.review.approve('intake-check', hash, 'the front desk agrees', person('lead', 'reviewer'), {
        as: 'process',
      }),
    ])
    const after = await review.get('intake-check')
    expect(after.approvals.map((a) => a.as).sort()).toEqual(['process', 'reviewer'])
    expect(after.reviewStatus).toBe('approved')
    expect(await verify()).toMatchObject({ ok: true })
  })

  it('changes the approval policy only when a second admin approves it', async () => {
    const { approvalPolicy } = services
    const proposed = await approvalPolicy.propose(
      { requirements: { threshold: ['reviewer', 'process'] } },
      { who: admin.username, role: 'admin' },
    )
    expect(proposed).toMatchObject({ isDefault: true, proposal: { proposedBy: 'admin' } })
    expect((await appErrorOf(approvalPolicy.approve({ who: admin.username, role: 'admin' }))).code).toBe('forbidden')
    const approved = await approvalPolicy.approve({ who: admin2.username, role: 'admin' })
    expect(approved).toMatchObject({ isDefault: false, proposal: null })
    expect((await approvalPolicy.current()).requirements.threshold).toEqual(['reviewer', 'process'])
    expect((await appErrorOf(approvalPolicy.discard({ who: admin.username, role: 'admin' }))).code).toBe('conflict')
    expect(await actions()).toEqual(['approval-policy.propose', 'approval-policy.approve'])
    expect(await verify()).toMatchObject({ ok: true, checked: 2 })
  })

  it('keeps change-notice subscriptions, audits only real changes, and tells subscribers', async () => {
    const { flows, notices } = services
    await flows.create(intakeFlow(), analyst)
    const other = servicesOver(await opened.another())
    // The same subscription from two processes at once: one row, one audit record.
    await Promise.all([
      notices.subscribe('intake-check', true, reviewer),
      other.notices.subscribe('intake-check', true, reviewer),
    ])
    expect(await notices.subscribed('intake-check', reviewer)).toEqual({ flowId: 'intake-check', subscribed: true })
    expect(await notices.recipientsOf('intake-check')).toEqual([{ user: 'reviewer' }])
    const sent = await notices.send({ flowId: 'intake-check', kind: 'retired', hash: null, previousHash: null }, admin)
    expect(sent.recipients).toEqual(['user:reviewer'])
    expect((await notices.mine(reviewer)).map((n) => [n.kind, n.read])).toEqual([['retired', false]])
    await notices.markRead(sent.id, true, reviewer)
    expect((await notices.mine(reviewer))[0]?.read).toBe(true)
    expect((await appErrorOf(notices.markRead(sent.id, true, analyst))).code).toBe('not-found')
    await notices.subscribe('intake-check', false, reviewer)
    await notices.subscribe('intake-check', false, reviewer)
    expect(await notices.subscribed('intake-check', reviewer)).toMatchObject({ subscribed: false })
    expect(await actions()).toEqual(['flow.create', 'flow.subscribe', 'notice.send', 'flow.unsubscribe'])
    expect(await verify()).toMatchObject({ ok: true, checked: 4 })
  })

  it('lists queues with their members and the steps that send work to them', async () => {
    const { flows, queues } = services
    await store.db.insert(users).values({
      id: 'u-desk',
      username: 'desk',
      role: 'agent',
      passwordHash: 'x',
      flowRoles: ['front-desk'],
      createdAt: now().toISOString(),
      disabled: false,
    })
    await flows.create(intakeFlow(), analyst)
    const named = await queues.save(
      { name: 'front-desk', description: 'Calls at reception', phi: null, baseVersion: null },
      admin,
    )
    expect((await queues.list()).find((q) => q.name === 'front-desk')?.phi).toBeNull()
    expect(await queues.clearances()).toEqual(new Map())
    expect(await queues.warnings(intakeFlow())).toEqual(
      expect.not.arrayContaining([expect.stringContaining('"front-desk"')]),
    )
    // The same queue again (the save's update on either database), now cleared for two classes
    // given out of order: stored once each, in the classes' own order.
    await queues.save(
      {
        name: 'front-desk',
        description: 'Calls and walk-ins at reception',
        phi: ['contact', 'identifier'],
        baseVersion: named.version,
      },
      admin,
    )
    const desk = (await queues.list()).find((q) => q.name === 'front-desk')
    expect(desk).toMatchObject({
      description: 'Calls and walk-ins at reception',
      phi: ['identifier', 'contact'],
      members: ['desk'],
    })
    expect(await queues.clearances()).toEqual(new Map([['front-desk', ['identifier', 'contact']]]))
    // The intake flow's front-desk role shows demographics, beyond that clearance.
    expect(await queues.warnings(intakeFlow())).toEqual([
      'The role "front-desk" shows demographic data, but the queue "front-desk" is cleared for identifier and contact data only: its people will see demographic data hidden. An admin changes the clearance under Users and queues.',
    ])
    expect(await actions()).toEqual(['flow.create', 'queue.save', 'queue.save'])
    const whys = (await store.sql.values('SELECT record FROM audit_log ORDER BY seq'))
      .map((row) => JSON.parse(String(row[0])) as { action: string; why?: unknown })
      .filter((record) => record.action === 'queue.save')
      .map((record) => record.why)
    expect(whys).toEqual([
      { queue: 'front-desk', description: 'Calls at reception', phi: null },
      { queue: 'front-desk', description: 'Calls and walk-ins at reception', phi: ['identifier', 'contact'] },
    ])
    expect(await verify()).toMatchObject({ ok: true, checked: 3 })
  })
})
