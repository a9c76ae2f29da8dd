// The demo seed publishes its example flows as the installation itself: the trail names a system
// actor for every create, submission and publication (no demo person who took no action), the
// chain still verifies, and a version the gate would refuse is still refused.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { clearanceProblems, flowDocumentSchema } from '@carepath/dsl'
import { createRuntime, type Runtime } from '../runtime.ts'
import { CLINICAL_QUEUES, DEMO_SEED_ACTOR, seedDemo } from './demo-seed.ts'

const examples = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples')
const FLOW = 'eligibility-verification'

let dir: string
let runtime: Runtime
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-seed-'))
  runtime = await createRuntime({ dbFile: join(dir, 'carepath.db'), now: () => new Date('2026-03-01T09:00:00.000Z') })
})
afterEach(async () => {
  await runtime.close()
  rmSync(dir, { recursive: true, force: true })
})

/** An examples folder holding one example flow (and its suite), so the seed simulates one flow. */
function examplesWith(...flows: string[]): string {
  const folder = join(dir, 'examples')
  mkdirSync(folder)
  for (const flow of flows)
    for (const suffix of ['.flow.json', '.suite.json'])
      copyFileSync(join(examples, flow + suffix), join(folder, flow + suffix))
  return folder
}

const allRecords = async () => (await runtime.audit.list({ limit: 10_000 })).items.map((i) => i.record)

describe('the demo seed', () => {
  it('creates, submits and publishes as the system actor, and the chain verifies', async () => {
    const demo = await seedDemo(runtime, examplesWith(FLOW), 'demo password for the test')
    expect(demo.problems).toEqual([])
    expect(demo.flows.map((f) => f.id)).toEqual([FLOW])
    const lifecycle = (await allRecords()).filter((r) => r.entity.flow === FLOW)
    expect(lifecycle.map((r) => r.action)).toEqual(['flow.create', 'review.submit', 'review.publish'])
    for (const record of lifecycle) expect(record.agent).toEqual({ who: DEMO_SEED_ACTOR, role: 'system' })
    const publish = lifecycle.find((r) => r.action === 'review.publish')
    expect(publish?.action === 'review.publish' && publish.why).toMatchObject({
      reason: expect.stringMatching(/demo seed.*no person reviewed it/),
      previous: null,
    })
    // No demo person appears as having approved or published anything.
    expect((await allRecords()).filter((r) => r.action === 'review.approve')).toEqual([])
    expect(await runtime.flowService.get(FLOW)).toMatchObject({
      status: 'published',
      published: { hash: demo.flows[0]!.hash },
    })
    expect(await runtime.audit.verify()).toMatchObject({ ok: true })
  })

  it('gives the call-centre agent the administrative queues and the clinician the clinical ones', async () => {
    await seedDemo(runtime, examplesWith(FLOW, 'lab-result-routing'), 'demo password for the test')
    const queuesOf = async (username: string) => (await runtime.auth.flowRolesOf(username)) ?? []
    const agent = await queuesOf('agent')
    const clinician = await queuesOf('clinician')
    expect(agent).toContain('front-desk')
    expect(clinician).toContain('clinician')
    // No queue is worked by both, and the agent works no clinical queue at all.
    expect(agent.filter((q) => CLINICAL_QUEUES.has(q))).toEqual([])
    expect(clinician.filter((q) => agent.includes(q))).toEqual([])
  })

  it('clears each example queue for what its roles ask, so no example flow or draft warns of a clearance', async () => {
    const demo = await seedDemo(runtime, examples, 'demo password for the test')
    expect(demo.problems).toEqual([])
    const listed = await runtime.queues.list()
    // The front desk's roles across the examples and drafts; the integration roles ask for no PHI.
    expect(listed.find((q) => q.name === 'front-desk')?.phi).toEqual([
      'identifier',
      'demographic',
      'contact',
      'coverage',
      'financial',
    ])
    expect(listed.find((q) => q.name === 'go-live-approver')?.phi).toEqual([])
    // Described as the flows title the role, so an admin reads what each queue is for.
    expect(listed.find((q) => q.name === 'eligibility-specialist')?.description).toBe(
      'Eligibility and billing specialist',
    )
    expect(listed.filter((q) => q.description === '').map((q) => q.name)).toEqual([])
    // A queue only a draft names (the second eligibility version's financial counsellors) is not
    // made by the seed: it appears, with no clearance, once that draft is submitted.
    expect(listed.find((q) => q.name === 'financial-counselor')).toBeUndefined()
    expect(listed.filter((q) => q.phi === null).map((q) => q.name)).toEqual([])
    for (const { id, hash } of demo.flows)
      expect(await runtime.review.publishWarnings(id, hash)).toEqual(
        expect.not.arrayContaining([expect.stringContaining('is cleared for')]),
      )
    const cleared = await runtime.queues.clearances()
    for (const file of readdirSync(join(examples, 'drafts'))) {
      const draft = flowDocumentSchema.parse(JSON.parse(readFileSync(join(examples, 'drafts', file), 'utf8')))
      expect({ file, problems: clearanceProblems(draft, (queue) => cleared.get(queue)) }).toEqual({
        file,
        problems: [],
      })
    }
    const saves = (await allRecords()).filter((r) => r.action === 'queue.save')
    expect(saves.length).toBe(listed.length)
    for (const record of saves) expect(record.agent).toEqual({ who: DEMO_SEED_ACTOR, role: 'system' })
  })

  it('still refuses a flow whose own test case fails its expectation', async () => {
    const folder = examplesWith(FLOW)
    const suiteFile = join(folder, `${FLOW}.suite.json`)
    const suite = z
      .object({
        cases: z.array(z.object({ expect: z.object({ outcome: z.string() }).partial().optional() }).passthrough()),
      })
      .passthrough()
      .parse(JSON.parse(readFileSync(suiteFile, 'utf8')))
    // Every case now expects an outcome the flow never ends with.
    for (const c of suite.cases) c.expect = { outcome: 'never-reached' }
    writeFileSync(suiteFile, JSON.stringify(suite))
    const demo = await seedDemo(runtime, folder, 'demo password for the test')
    expect(demo.flows).toEqual([])
    expect(demo.problems.join(' ')).toMatch(/test cases? fails?/)
    expect((await runtime.flowService.get(FLOW)).status).not.toBe('published')
    expect(await runtime.audit.verify()).toMatchObject({ ok: true })
  })
})
