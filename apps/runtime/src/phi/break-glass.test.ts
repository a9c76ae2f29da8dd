// Break-glass and retention as compliance meets them: a front-desk agent who may not see
// identifiers asks to see one run's SSN for fifteen minutes with a reason; it shows, is audited
// (the reason redacted of the run's values), compliance is told and must sign it off; then it
// hides again. A flow's run data past its retention period is shredded once its runs have ended,
// leaving the run rows and an intact audit trail, and the purge is audited.
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { intakeFlow } from '../testing/test-registry.ts'
import {
  describeOnEachRuntime,
  publishFlow,
  sessionToken,
  TEST_PASSWORD,
  type TestRuntime,
} from '../testing/test-runtime.ts'

const SSN = '123-45-6789'
const NAME = 'Rosalind Breakglass'

describeOnEachRuntime('break-glass', (open) => {
  let t: TestRuntime
  let runId: string
  beforeEach(async () => {
    t = await open()
    await publishFlow(t, intakeFlow())
    runId = (
      await t.as.agent.runs.start({
        flowId: 'intake-check',
        input: { score: 9, patient: { name: NAME, ssn: SSN } },
        idempotencyKey: 'bg-1',
      })
    ).id
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await t.close()
  })

  it('reveals a class for one run, for a while, audited, told to compliance and signed off by someone else', async () => {
    expect(JSON.stringify(await t.as.agent.runs.get({ id: runId }))).not.toContain(SSN)
    const told: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void told.push(String(line)))
    const reveal = await t.as.agent.security.requestReveal({
      runId,
      classes: ['identifier', 'demographic'],
      reason: `Payer needs the SSN of ${NAME} to match the claim`,
      minutes: 15,
    })
    // The agent could already see demographics: only identifiers are revealed.
    expect(reveal.classes).toEqual(['identifier'])
    expect(JSON.stringify(await t.as.agent.runs.get({ id: runId }))).toContain(SSN)
    expect(told.join('\n')).toMatch(/BREAK-GLASS agent \(agent\) revealed identifier of run/)
    const record = (await t.as.auditor.audit.list({ limit: 1000 })).items
      .map((i) => i.record)
      .find((r) => r.action === 'phi.reveal')
    expect(record).toMatchObject({
      agent: { who: 'agent' },
      entity: { run: runId },
      why: { classes: ['identifier'], minutes: 15 },
    })
    expect(JSON.stringify(record)).not.toContain(NAME)

    // Compliance's review list; an agent may not sign off, the auditor does.
    expect(await t.as.auditor.security.reveals({ pendingOnly: true })).toMatchObject([
      { id: reveal.id, username: 'agent' },
    ])
    await expect(t.as.agent.security.signOffReveal({ id: reveal.id, note: 'ok' })).rejects.toThrow(/may not/)
    await t.as.auditor.security.signOffReveal({ id: reveal.id, note: 'Checked with the payer: justified.' })
    expect(await t.as.auditor.security.reveals({ pendingOnly: true })).toEqual([])

    // Time's up: hidden again (the agent kept working meanwhile, so the session lives on).
    t.advance(14 * 60_000)
    await t.as.agent.auth.me()
    t.advance(60_000 + 1)
    expect(JSON.stringify(await t.as.agent.runs.get({ id: runId }))).not.toContain(SSN)
  })

  it('refuses a reveal without a reason worth reading, or of what the role already sees; the auditor cannot sign off their own', async () => {
    await expect(
      t.as.agent.security.requestReveal({ runId, classes: ['identifier'], reason: 'need it' }),
    ).rejects.toThrow(/at least 20 characters/)
    await expect(
      t.as.agent.security.requestReveal({
        runId,
        classes: ['demographic'],
        reason: 'I would like to see the name again',
      }),
    ).rejects.toThrow(/already see/)
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const own = await t.as.auditor.security.requestReveal({
      runId,
      classes: ['identifier'],
      reason: 'Investigating a complaint about this run',
    })
    await expect(t.as.auditor.security.signOffReveal({ id: own.id, note: 'fine' })).rejects.toThrow(/Someone else/)
  })
})

describeOnEachRuntime('retention of run data', (open) => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await open()
    await publishFlow(t, intakeFlow())
  })
  afterEach(() => t.close())

  it("shreds a flow's day of runs past its period once they have all ended; rows, metrics and the trail stay", async () => {
    const done = await t.as.agent.runs.start({
      flowId: 'intake-check',
      input: { score: 1, patient: { name: NAME, ssn: SSN } },
      idempotencyKey: 'r-done',
    })
    const waiting = await t.as.agent.runs.start({
      flowId: 'intake-check',
      input: { score: 9, patient: { name: NAME, ssn: SSN } },
      idempotencyKey: 'r-waiting',
    })
    expect([done.status, waiting.status]).toEqual(['completed', 'waiting'])
    await expect(t.as.agent.security.setRetention({ flowId: 'intake-check', days: 30 })).rejects.toThrow(/may not/)
    await t.as.admin.security.setRetention({ flowId: 'intake-check', days: 30 })
    t.advance(31 * 24 * 3600_000)
    // A month later everyone logs in afresh.
    const as = async (username: 'agent' | 'auditor') =>
      t.caller(sessionToken(await t.caller().auth.login({ username, password: TEST_PASSWORD })))
    const agent = await as('agent')
    const auditor = await as('auditor')
    // A run of that day still waits: nothing is shredded yet.
    expect(await t.runtime.retention.apply()).toEqual([])
    const [task] = await agent.tasks.inbox()
    await agent.tasks.answer({ id: task!.id, answer: { approved: true } })
    expect(await t.runtime.retention.apply()).toEqual([{ flow: 'intake-check', day: '2026-03-01', runs: 2 }])
    await expect(auditor.runs.get({ id: done.id })).rejects.toThrow(/deleted at the end of its flow's retention period/)
    const listed = await auditor.runs.list()
    expect(listed.map((r) => [r.id, r.status])).toEqual(
      expect.arrayContaining([
        [done.id, 'completed'],
        [waiting.id, 'completed'],
      ]),
    )
    const records = (await auditor.audit.list({ limit: 1000 })).items.map((i) => i.record)
    expect(records.find((r) => r.action === 'retention.purge')).toMatchObject({
      why: { flow: 'intake-check', day: '2026-03-01', runs: 2 },
    })
    expect(await auditor.audit.verify()).toMatchObject({ ok: true })
    // Applying again changes nothing.
    expect(await t.runtime.retention.apply()).toEqual([])
  })
})
