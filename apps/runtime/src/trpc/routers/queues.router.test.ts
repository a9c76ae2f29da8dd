// Work queues as managed entities: every queue a flow sends work to is listed with its members and
// the steps sending work there; a queue nobody works is a publish warning until an admin adds
// someone to it, and that person then receives the task.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
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

describeOnEachRuntime('work queues', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await open()
  })
  afterEach(() => t.close())

  it('lists each queue with its members and the steps that send work to it', async () => {
    await t.as.analyst.flows.create({ document: pharmacyFlow(), suites: [intakeSuite] })
    await t.as.admin.queues.save({ name: 'pharmacy', description: 'Refill checks by the pharmacy team' })
    const listed = await t.as.analyst.queues.list()
    expect(listed.find((q) => q.name === 'pharmacy')).toEqual({
      name: 'pharmacy',
      description: 'Refill checks by the pharmacy team',
      members: [],
      // The step has no title: it is named by its type and number, never by its id.
      flows: [{ id, title: intakeFlow().title, steps: ['Test ask 1'] }],
    })
    expect(listed.find((q) => q.name === 'front-desk')?.members).toEqual(['agent'])
    // A bad name changes nothing; only admins name queues.
    const bad = await t.as.admin.queues.save({ name: 'Not A Queue', description: '' }).catch((e: unknown) => e)
    expect((bad as TRPCError).code).toBe('BAD_REQUEST')
    const refused = await t.as.analyst.queues.save({ name: 'x-y', description: '' }).catch((e: unknown) => e)
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
    await t.as.admin.users.setFlowRoles({ username: 'pharmacist', flowRoles: ['pharmacy'] })
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
})
