// Work queues as managed entities: every queue a flow sends work to is listed with its members and
// the steps sending work there; a queue nobody works is a publish warning until an admin adds
// someone to it, and that person then receives the task. A queue's PHI clearance caps what its
// people see, whatever a flow's role asks for, and a role asking beyond it is a publish warning.
// A save names the version it was based on: one over a newer change is a CONFLICT in plain words.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { REDACTED, type FlowDocument } from '@carepath/dsl'
import { intakeFlow, intakeSuite } from '../../testing/test-registry.ts'
import {
  describeOnEachRuntime,
  passwordOnly,
  sessionToken,
  TEST_PASSWORD,
  type TestRuntime,
} from '../../testing/test-runtime.ts'

const id = 'intake-check'
/** The intake flow with its human step sent to a new queue. */
function pharmacyFlow() {
  const document = intakeFlow()
  const ask = document.nodes['ask']!
  ask.config = { ...ask.config, role: 'pharmacy' }
  return { ...document, roles: { ...document.roles, pharmacy: { phi: ['demographic' as const] } } }
}

/** The intake flow with a coverage fact the front desk's role asks for and its step shows. */
function coverageFlow(): FlowDocument {
  const document = intakeFlow()
  const patient = document.facts.properties?.['patient']
  if (!patient?.properties) throw new Error('the intake flow has a patient')
  patient.properties['plan'] = { type: 'string', 'x-phi': 'coverage' }
  const ask = document.nodes['ask']!
  ask.config = { ...ask.config, shows: ['patient.name', 'patient.plan'] }
  return { ...document, roles: { 'front-desk': { phi: ['demographic', 'coverage'] } } }
}
const PLAN = 'Gold PPO 4411'

describeOnEachRuntime('work queues', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await open()
  })
  afterEach(() => t.close())

  it('lists each queue with its members and the steps that send work to it', async () => {
    await t.as.analyst.flows.create({ document: pharmacyFlow(), suites: [intakeSuite] })
    await t.as.admin.queues.save({
      name: 'pharmacy',
      description: 'Refill checks by the pharmacy team',
      phi: null,
      baseVersion: null,
    })
    const listed = await t.as.analyst.queues.list()
    expect(listed.find((q) => q.name === 'pharmacy')).toEqual({
      name: 'pharmacy',
      description: 'Refill checks by the pharmacy team',
      phi: null,
      version: '2026-03-01T09:00:00.000Z',
      members: [],
      // The step has no title: it is named by its type and number, never by its id.
      flows: [{ id, title: intakeFlow().title, steps: ['Test ask 1'] }],
    })
    // A queue only a membership names was never saved: it has no version yet.
    expect(listed.find((q) => q.name === 'front-desk')).toMatchObject({ members: ['agent'], version: null })
    // A bad name changes nothing; only admins name queues.
    const bad = await t.as.admin.queues
      .save({ name: 'Not A Queue', description: '', phi: null, baseVersion: null })
      .catch((e: unknown) => e)
    expect((bad as TRPCError).code).toBe('BAD_REQUEST')
    // A clearance names PHI classes, each once; what is not PHI (`none`) is always seen and is no clearance.
    for (const phi of [['coverage', 'coverage'], ['none'], ['secret']]) {
      const refusedClearance = await t.as.admin.queues
        .save({ name: 'pharmacy', description: '', phi: phi as ['coverage'], baseVersion: null })
        .catch((e: unknown) => e)
      expect((refusedClearance as TRPCError).code).toBe('BAD_REQUEST')
    }
    const refused = await t.as.analyst.queues
      .save({ name: 'x-y', description: '', phi: null, baseVersion: null })
      .catch((e: unknown) => e)
    expect((refused as TRPCError).code).toBe('FORBIDDEN')
    const audited = (await t.runtime.audit.list({ limit: 50 })).items.map((i) => i.record)
    expect(audited.filter((r) => r.action === 'queue.save')).toHaveLength(1)
  })

  it('warns on a step whose queue nobody works, until an admin adds a person, who then gets the task', async () => {
    const { hash } = await t.as.analyst.flows.create({ document: pharmacyFlow(), suites: [intakeSuite] })
    await t.as.analyst.review.submit({ id })
    const warned = await t.as.reviewer.review.get({ id })
    expect(warned.publishWarnings).toEqual([
      expect.stringMatching(/"Test ask 1".*queue "pharmacy", which nobody works/),
    ])

    await t.runtime.auth.addUser(
      { username: 'pharmacist', password: TEST_PASSWORD, role: 'agent' },
      { who: 'test', role: 'system' },
    )
    const listed = (await t.as.admin.users.list()).find((u) => u.username === 'pharmacist')
    await t.as.admin.users.setFlowRoles({
      username: 'pharmacist',
      flowRoles: ['pharmacy'],
      baseVersion: listed?.version ?? '',
    })
    expect((await t.as.reviewer.review.get({ id })).publishWarnings).toEqual([])
    await t.as.reviewer.review.approve({ id, hash, comment: '' })
    await t.as.reviewer.review.publish({ id, hash })

    await t.as.agent.runs.start({
      flowId: id,
      input: { score: 7, patient: { name: 'Test Patient' } },
      idempotencyKey: 'q-1',
    })
    await passwordOnly(t.runtime, ['pharmacist'])
    const pharmacist = t.caller(sessionToken(await t.runtime.auth.login('pharmacist', TEST_PASSWORD)))
    expect((await pharmacist.tasks.inbox()).map((task) => task.role)).toEqual(['pharmacy'])
    // The front-desk agent does not see it.
    expect(await t.as.agent.tasks.inbox()).toEqual([])
  })

  it('hides from a queue’s people the classes beyond its clearance, though the flow’s role asks for them', async () => {
    const cleared = await t.as.admin.queues.save({
      name: 'front-desk',
      description: 'Reception',
      phi: ['demographic'],
      baseVersion: null,
    })
    expect((await t.as.admin.queues.list()).find((q) => q.name === 'front-desk')?.phi).toEqual(['demographic'])
    const { hash } = await t.as.analyst.flows.create({ document: coverageFlow(), suites: [intakeSuite] })
    await t.as.analyst.review.submit({ id })
    expect((await t.as.reviewer.review.get({ id })).publishWarnings).toEqual([
      'The role "front-desk" shows coverage data, but the queue "front-desk" is cleared for demographic data only: its people will see coverage data hidden. An admin changes the clearance under Users and queues.',
    ])
    await t.as.reviewer.review.approve({ id, hash, comment: '' })
    await t.as.reviewer.review.publish({ id, hash })
    const run = await t.as.agent.runs.start({
      flowId: id,
      input: { score: 7, patient: { name: 'Test Patient', plan: PLAN } },
      idempotencyKey: 'cleared-1',
    })

    // The task view and the run view: the name shows, the plan is redacted.
    const [task] = await t.as.agent.tasks.inbox()
    expect(task?.view).toEqual({ patient: { name: 'Test Patient', plan: REDACTED } })
    const viewed = await t.as.agent.runs.get({ id: run.id })
    expect(viewed.facts).toMatchObject({ patient: { name: 'Test Patient', plan: REDACTED } })
    expect(JSON.stringify(viewed)).not.toContain(PLAN)
    // Break-glass may still reveal what the clearance hides (audited and reviewed like any reveal).
    const reveal = await t.as.agent.security.requestReveal({
      runId: run.id,
      classes: ['coverage', 'demographic'],
      reason: 'Payer on the line asks which plan',
      minutes: 5,
    })
    expect(reveal.classes).toEqual(['coverage'])

    // With no clearance set, the role alone decides again: the plan shows in the task.
    await t.as.admin.queues.save({
      name: 'front-desk',
      description: 'Reception',
      phi: null,
      baseVersion: cleared.version,
    })
    expect((await t.as.agent.tasks.inbox())[0]?.view).toEqual({ patient: { name: 'Test Patient', plan: PLAN } })
    expect((await t.as.reviewer.review.get({ id })).publishWarnings).toEqual([])
  })

  it('refuses a save over a change made since the admin read the queue, with a plain CONFLICT', async () => {
    await t.as.admin.queues.save({ name: 'front-desk', description: 'Reception', phi: null, baseVersion: null })
    await t.runtime.auth.addUser(
      { username: 'admin2', password: TEST_PASSWORD, role: 'admin' },
      { who: 'test', role: 'system' },
    )
    await passwordOnly(t.runtime, ['admin2'])
    const admin2 = t.caller(sessionToken(await t.runtime.auth.login('admin2', TEST_PASSWORD)))
    // Both admins read the queue; the second narrows its clearance first.
    const read = (await t.as.admin.queues.list()).find((q) => q.name === 'front-desk')
    const read2 = (await admin2.queues.list()).find((q) => q.name === 'front-desk')
    expect(read?.version).toBe(read2?.version)
    await admin2.queues.save({
      name: 'front-desk',
      description: 'Reception',
      phi: ['demographic'],
      baseVersion: read2?.version ?? null,
    })

    const stale = await t.as.admin.queues
      .save({ name: 'front-desk', description: 'Front desk', phi: null, baseVersion: read?.version ?? null })
      .catch((e: unknown) => e)
    expect(stale).toBeInstanceOf(TRPCError)
    expect((stale as TRPCError).code).toBe('CONFLICT')
    expect((stale as TRPCError).message).toBe(
      'Someone else changed the queue "front-desk" since you opened it (at 2026-03-01 09:00:00 UTC, by admin2). Reload to see their change; nothing was saved.',
    )
    const now = (await t.as.admin.queues.list()).find((q) => q.name === 'front-desk')
    expect(now).toMatchObject({ description: 'Reception', phi: ['demographic'] })
    const audited = (await t.runtime.audit.list({ limit: 50 })).items.map((i) => i.record)
    expect(audited.filter((r) => r.action === 'queue.save').map((r) => r.agent.who)).toEqual(['admin', 'admin2'])

    // A version that is not one (a save must say what it was based on) is refused at the edge.
    const shapeless = await t.as.admin.queues
      .save({ name: 'front-desk', description: 'Reception', phi: null, baseVersion: 'yesterday' })
      .catch((e: unknown) => e)
    expect((shapeless as TRPCError).code).toBe('BAD_REQUEST')
    // Based on what the list now says, the save goes through.
    await t.as.admin.queues.save({
      name: 'front-desk',
      description: 'Front desk',
      phi: ['demographic'],
      baseVersion: now?.version ?? null,
    })
    expect((await t.as.admin.queues.list()).find((q) => q.name === 'front-desk')).toMatchObject({
      description: 'Front desk',
      phi: ['demographic'],
    })
  })
})
