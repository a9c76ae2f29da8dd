// The accounting of access as an auditor meets it: every access to one patient's data, found by
// the patient's identifier through a keyed hash (never a plaintext index), with who, when, which
// run or task and which PHI classes were shown; the other patient's runs stay out; the search by
// user, run, action and time; the CSV export; and each search audited without the identifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intakeFlow } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { accessRowsCsv, type AccessRow } from './audit-search.ts'
import { identifiersIn, patientRef } from './patient-index.ts'

const SSN_A = '111-22-3333'
const SSN_B = '444-55-6666'

describe('accounting of access', () => {
  let t: TestRuntime
  let runA: string
  let runB: string
  let taskA: string
  let startedAt: string
  beforeAll(async () => {
    t = await createTestRuntime()
    await publishFlow(t, intakeFlow())
    startedAt = t.runtime.now().toISOString()
    t.advance(60_000)
    const start = async (ssn: string, name: string, key: string) =>
      (
        await t.as.agent.runs.start({
          flowId: 'intake-check',
          input: { score: 9, patient: { name, ssn } },
          idempotencyKey: key,
        })
      ).id
    runA = await start(SSN_A, 'Ada Accounting', 'a')
    runB = await start(SSN_B, 'Ben Other', 'b')
    t.advance(60_000)
    await t.as.agent.runs.get({ id: runA })
    const inbox = await t.as.agent.tasks.inbox()
    taskA = inbox.find((task) => task.runId === runA)!.id
    await t.as.agent.tasks.claim({ id: taskA })
    await t.as.agent.tasks.answer({ id: taskA, answer: { approved: true } })
    // A reviewer is shown no PHI class of this flow: their look is not an access to patient data.
    await t.as.reviewer.runs.get({ id: runB })
    await t.as.agent.runs.get({ id: runB })
  })
  afterAll(() => t.close())

  const search = (input: Parameters<TestRuntime['as']['auditor']['audit']['search']>[0]) =>
    t.as.auditor.audit.search(input)
  const summary = (rows: AccessRow[]) => rows.map((r) => [r.action, r.who, r.run, r.tasks, r.classes])

  it("lists every access to one patient's data, newest first, with the classes shown", async () => {
    const { rows } = await search({ patient: SSN_A, accessOnly: true })
    expect(summary(rows)).toEqual([
      ['task.answer', 'agent', runA, [taskA], ['demographic']],
      ['task.claim', 'agent', runA, [taskA], ['demographic']],
      ['task.read', 'agent', runA, [taskA], ['demographic']],
      ['run.read', 'agent', runA, [], ['none', 'demographic']],
      ['run.start', 'agent', runA, [], null],
    ])
    expect(rows.every((r) => r.at > startedAt)).toBe(true)
    // The other patient's runs are not in this patient's list, nor this patient's in theirs.
    const other = await search({ patient: SSN_B, accessOnly: true })
    expect(other.rows.map((r) => r.run)).toEqual(expect.arrayContaining([runB]))
    expect(other.rows.some((r) => r.run === runA)).toBe(false)
    expect(other.rows.filter((r) => r.action === 'run.read').map((r) => r.who)).toEqual(['agent'])
    expect((await search({ patient: 'no-such-mrn' })).rows).toEqual([])
  })

  it('searches by user, run, action and time', async () => {
    const byUser = await search({ user: 'agent', action: 'run.read' })
    expect(byUser.rows.map((r) => r.run)).toEqual([runB, runA])
    expect((await search({ user: 'reviewer', accessOnly: true })).rows).toEqual([])
    const byRun = await search({ run: runA, action: 'task.read' })
    expect(byRun.rows.map((r) => r.tasks)).toEqual([[taskA]])
    const before = await search({ to: startedAt, accessOnly: true })
    expect(before.rows).toEqual([])
    const paged = await search({ patient: SSN_A, accessOnly: true, limit: 2 })
    expect(paged.rows).toHaveLength(2)
    const next = await search({ patient: SSN_A, accessOnly: true, limit: 2, before: paged.nextBefore! })
    expect(next.rows[0]!.action).toBe('task.read')
  })

  it('keeps the identifier out of the index and the trail: a keyed hash under a key outside the database', async () => {
    const refs = t.runtime.db.$client.prepare('SELECT ref FROM patient_refs').all()
    expect(JSON.stringify(refs)).not.toContain(SSN_A)
    expect(refs).toContainEqual({ ref: patientRef(t.runtime.keys.phiReferenceSecret, SSN_A) })
    expect(patientRef('another installation key 0123', SSN_A)).not.toBe(
      patientRef(t.runtime.keys.phiReferenceSecret, SSN_A),
    )
    await search({ patient: SSN_A })
    const trail = (await t.runtime.audit.list({ limit: 1000 })).items.map((i) => i.record)
    const searches = trail.filter((r) => r.action === 'audit.search')
    expect(searches.length).toBeGreaterThan(0)
    expect(searches.at(-1)).toMatchObject({ agent: { who: 'auditor' }, why: { filters: ['patient'], exported: false } })
    expect(JSON.stringify(trail)).not.toContain(SSN_A)
  })

  it('exports the search as CSV, audited as an export, with formula-looking cells defused', async () => {
    const { csv, rows } = await t.as.auditor.audit.exportCsv({ patient: SSN_A, accessOnly: true })
    const lines = csv.trimEnd().split('\r\n')
    expect(lines[0]).toBe('seq,at,who,role,action,outcome,flow,run,tasks,classes')
    expect(lines).toHaveLength(rows + 1)
    expect(lines[1]).toContain(`,task.answer,success,intake-check,${runA},${taskA},demographic`)
    const last = (await t.runtime.audit.list({ limit: 1000 })).items.at(-1)!.record
    expect(last).toMatchObject({ action: 'audit.search', why: { exported: true } })
    const row: AccessRow = {
      seq: 1,
      at: 'x',
      who: '=HYPERLINK("x")',
      role: 'a,b',
      action: 'run.read',
      outcome: 'success',
      flow: null,
      run: null,
      tasks: [],
      classes: null,
    }
    expect(accessRowsCsv([row]).split('\r\n')[1]).toBe(`1,x,"'=HYPERLINK(""x"")","a,b",run.read,success,,,,`)
  })

  it('indexes every identifier of a run, however many its input holds', async () => {
    // A flow whose patients carry a list of member ids: more than one statement's worth (500 a
    // statement), one of them twice, each indexed once.
    const intake = intakeFlow()
    const patient = intake.facts.properties?.patient
    const members = { type: 'array', items: { type: 'string' }, 'x-phi': 'identifier' } as const
    await publishFlow(t, {
      ...intake,
      id: 'intake-members',
      facts: {
        ...intake.facts,
        properties: {
          ...intake.facts.properties,
          patient: { ...patient, properties: { ...patient?.properties, members } },
        },
      },
    })
    const ids = Array.from({ length: 1_201 }, (_, i) => `M-${i}`)
    const { id } = await t.as.agent.runs.start({
      flowId: 'intake-members',
      input: { score: 9, patient: { name: 'Many', members: [...ids, ids[0]!] } },
      idempotencyKey: 'many',
    })
    const indexed = t.runtime.db.$client.prepare('SELECT count(*) AS n FROM patient_refs WHERE run_id = ?').get(id)
    expect(indexed).toEqual({ n: 1_201 })
    const last = patientRef(t.runtime.keys.phiReferenceSecret, ids[1_200]!)
    expect(t.runtime.db.$client.prepare('SELECT run_id FROM patient_refs WHERE ref = ?').all(last)).toEqual([
      { run_id: id },
    ])
  })

  it('indexes the runs that start together (one group commit, one statement) each under its own patients', async () => {
    const ssns = ['900-00-0001', '900-00-0002', '900-00-0003', '900-00-0001']
    const ids = await Promise.all(
      ssns.map(
        async (ssn, i) =>
          (
            await t.as.agent.runs.start({
              flowId: 'intake-check',
              input: { score: 9, patient: { name: `Group ${i}`, ssn } },
              idempotencyKey: `group-${i}`,
            })
          ).id,
      ),
    )
    const runsOf = (ssn: string) =>
      t.runtime.db.$client
        .prepare<[Buffer], { run_id: string }>('SELECT run_id FROM patient_refs WHERE ref = ? ORDER BY run_id')
        .all(patientRef(t.runtime.keys.phiReferenceSecret, ssn))
        .map((row) => row.run_id)
    expect(runsOf('900-00-0001')).toEqual([ids[0]!, ids[3]!].sort())
    expect(runsOf('900-00-0002')).toEqual([ids[1]])
    expect(runsOf('900-00-0003')).toEqual([ids[2]])
  })

  it('finds identifier-class values anywhere in an input, and only those', () => {
    const found = identifiersIn(intakeFlow().facts, { score: 9, patient: { name: 'N', ssn: ' 9 ' } })
    expect(found).toEqual(['9'])
  })

  it('is for auditors only', async () => {
    await expect(t.as.agent.audit.search({ patient: SSN_A })).rejects.toThrow(/may not/)
  })
})
