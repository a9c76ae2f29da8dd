// Canary: a fake SSN and a patient name are planted in run input, a connector failure, a task
// answer and bad input. They must never appear in logs, error messages, audit records, or any
// response to a role that may not see them (the front-desk agent may see the name, never the SSN).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AnswerError, createNodeRegistry, defineNodeType, type ConnectorAdapter, type JsonValue } from '@carepath/dsl'
import {
  createTestRuntime,
  intakeFlow,
  intakeSuite,
  publishFlow,
  testRegistry,
  type TestRuntime,
} from '@carepath/runtime/testing'

const SSN = '987-65-4329'
const NAME = 'Zebediah Canarywood'
const output: string[] = []

/** An adapter that (wrongly) quotes patient data in its error text. */
const leakyConnectorFor =
  (...values: string[]): ConnectorAdapter =>
  async (request) => {
    throw new Error(`payer lookup failed for ${values.join(' / ')} (${JSON.stringify(request)})`)
  }
const leakyConnector = leakyConnectorFor(SSN, NAME)

const askType = testRegistry.get('test.ask')!
const isRecord = (v: JsonValue): v is { [key: string]: JsonValue } =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
/** What a refused tRPC call rejects with, as far as these checks read it. */
interface TRPCClientErrorLike {
  message: string
  data?: unknown
  cause?: unknown
}

describe('PHI canary', () => {
  let t: TestRuntime
  const responses: Record<string, unknown> = {}
  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream)
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        output.push(String(chunk))
        return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
      })
    }
    for (const level of ['log', 'error', 'warn', 'info'] as const)
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(' ')))
    t = await createTestRuntime({ connectors: { echo: leakyConnector } })
    await publishFlow(t, intakeFlow(), [intakeSuite])
    await publishFlow(t, { ...intakeFlow({ withCall: true }), id: 'intake-call' })
  })
  afterAll(async () => {
    vi.restoreAllMocks()
    await t.close()
  })

  it('never shows the SSN, and the name only to the role that may see it', async () => {
    const input = { score: 9, patient: { name: NAME, ssn: SSN } }
    const run = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'canary-1' })
    const failed = await t.as.agent.runs.start({ flowId: 'intake-call', input, idempotencyKey: 'canary-2' })
    // Held for an operator: the connector failed on every attempt and the node has no error port.
    expect(failed.status).toBe('incident')
    responses.inbox = await t.as.agent.tasks.inbox()
    const task = (responses.inbox as { id: string }[])[0]!
    responses.badAnswer = await t.as.agent.tasks
      .answer({ id: task.id, answer: { approved: SSN } })
      .catch((e: Error) => ({ message: e.message, cause: String(e.cause) }))
    responses.badStart = await t.as.agent.runs
      .start({ flowId: 'intake-check', input: { patient: { ssn: SSN } }, idempotencyKey: `${SSN}`.repeat(30) })
      .catch((e: Error) => ({ message: e.message }))
    responses.answer = await t.as.agent.tasks.answer({ id: task.id, answer: { approved: true } })
    responses.incidents = await t.as.operator.incidents.list({})
    for (const role of ['agent', 'reviewer', 'analyst', 'developer', 'auditor', 'operator'] as const) {
      responses[`run-${role}`] = await t.as[role].runs.get({ id: run.id })
      responses[`failed-${role}`] = await t.as[role].runs.get({ id: failed.id })
      responses[`list-${role}`] = await t.as[role].runs.list()
    }
    responses.audit = await t.as.auditor.audit.list({ limit: 1000 })
    responses.review = await t.as.reviewer.review.get({ id: 'intake-check' })
    responses.simulation = await t.as.reviewer.simulate.run({
      flowId: 'intake-check',
      suite: { cases: [{ id: 'c', input }] },
    })

    // The agent (front desk: demographics) sees the name in its run and task; nobody sees the SSN.
    expect(JSON.stringify(responses['run-agent'])).toContain(NAME)
    for (const [key, value] of Object.entries(responses)) {
      const text = JSON.stringify(value)
      expect([key, text.includes(SSN)]).toEqual([key, false])
      if (!['run-agent', 'inbox', 'failed-agent'].includes(key))
        expect([key, text.includes(NAME)]).toEqual([key, false])
    }
    // The audit trail as stored, and everything written to the console or log.
    const stored = t.runtime.db.$client
      .prepare('SELECT record FROM audit_log UNION ALL SELECT message FROM incidents')
      .all() as { record: string }[]
    expect(stored.length).toBeGreaterThan(10)
    for (const { record } of stored) {
      expect(record).not.toContain(SSN)
      expect(record).not.toContain(NAME)
    }
    expect(output.join('\n')).not.toContain(SSN)
    expect(output.join('\n')).not.toContain(NAME)
  })
})

// Every response kind, with the value planted where each can pick it up: run input, a mocked
// connector failure in a suite case, a task answer a careless node type quotes back. Each check
// has its control: the unredacted data does hold the value, and an agent whose flow role may see
// the class does see it, so a check that cannot fail would show.
const MRN = 'MRN-CANARY-448812'
const PATIENT = 'Philomena Quillsbury'

/** The intake ask, but its answer check quotes the answer back (as a careless node type might). */
const quotingAsk = defineNodeType({
  ...askType,
  type: 'canary.ask',
  answer(ctx, config, answer) {
    const approved = isRecord(answer) ? answer.approved : undefined
    if (typeof approved !== 'boolean')
      throw new AnswerError(`${JSON.stringify(approved)} is not a yes or no answer.`, 'approved')
    return askType.answer!(ctx, config, answer)
  },
})

describe('PHI canary, every response kind', () => {
  let t: TestRuntime
  const input = { score: 9, patient: { name: PATIENT, ssn: MRN } }
  const leakyCase = {
    id: 'lookup-fails',
    input,
    // The mocked connector failure quotes the patient, as the leaky adapter above does.
    mocks: { call: { $error: `lookup failed for ${PATIENT} (${MRN})` } },
  }
  const quotingCase = { id: 'bad-answer', input, answers: { ask: { approved: PATIENT } } }
  const quotingFlow = {
    ...intakeFlow(),
    id: 'intake-quoting',
    nodes: { ...intakeFlow().nodes, ask: { ...intakeFlow().nodes.ask!, type: 'canary.ask' } },
  }

  beforeAll(async () => {
    t = await createTestRuntime({
      connectors: { echo: leakyConnectorFor(PATIENT, MRN) },
      registry: createNodeRegistry([...testRegistry.list(), quotingAsk]),
    })
    await publishFlow(t, intakeFlow(), [intakeSuite])
    // The leaky case fails on purpose (its call fails quoting the patient): let it through.
    await publishFlow(
      t,
      { ...intakeFlow({ withCall: true }), id: 'intake-call' },
      [{ cases: [leakyCase] }],
      'fails on purpose',
    )
    await publishFlow(t, quotingFlow, [])
  })
  afterAll(() => t.close())

  const leaks = (value: unknown) => {
    const text = JSON.stringify(value)
    return { name: text.includes(PATIENT), mrn: text.includes(MRN) }
  }

  it('run view and its events: the name only to the front desk, the identifier to nobody', async () => {
    const run = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'kinds-1' })
    const failed = await t.as.agent.runs.start({ flowId: 'intake-call', input, idempotencyKey: 'kinds-2' })
    // Held for an operator: the connector failed on every attempt and the node has no error port.
    expect(failed.status).toBe('incident')
    const stored = JSON.stringify(await t.runtime.runs.store.events(failed.id))
    expect(stored).toContain(PATIENT) // control: the log holds the value

    const agentView = await t.as.agent.runs.get({ id: run.id })
    expect(agentView.facts).toMatchObject({ patient: { name: PATIENT } })
    expect(leaks(agentView)).toEqual({ name: true, mrn: false })
    for (const role of ['reviewer', 'analyst', 'developer', 'auditor', 'operator'] as const) {
      const view = await t.as[role].runs.get({ id: run.id })
      expect([role, leaks(view)]).toEqual([role, { name: false, mrn: false }])
      expect([role, leaks(view.events)]).toEqual([role, { name: false, mrn: false }])
    }
    // The connector's failure message quotes both values: nobody gets it as it was written.
    const failedView = await t.as.agent.runs.get({ id: failed.id })
    expect(failedView.incident?.message).toContain('payer lookup failed for')
    expect(leaks(failedView.incident)).toEqual({ name: false, mrn: false })
    const incidents = await t.as.operator.incidents.list({})
    expect(incidents.incidents.map((i) => i.message)).toEqual([expect.stringContaining('payer lookup failed for')])
    expect(leaks(incidents)).toEqual({ name: false, mrn: false })
    expect(leaks(failedView.events.filter((e) => e.type !== 'run.started'))).toEqual({ name: false, mrn: false })
    expect(leaks(await t.as.reviewer.runs.get({ id: failed.id }))).toEqual({ name: false, mrn: false })
  })

  it('task view: the shown name to the front desk, nothing else', async () => {
    const inbox = await t.as.agent.tasks.inbox()
    expect(inbox.length).toBeGreaterThan(0)
    expect(inbox[0]?.view).toEqual({ patient: { name: PATIENT } })
    expect(leaks(inbox)).toEqual({ name: true, mrn: false })
  })

  it('simulation report: problems and failure messages quoting a case value are redacted', async () => {
    const flow = await t.runtime.flowService.get('intake-call')
    const candidate = await t.runtime.flowService.version('intake-call', flow.draft.hash)
    const raw = await t.runtime.review.simulate({ base: null, candidate, suites: flow.suites, generate: false })
    // Control: unredacted, the name is in the case's problems and in the candidate's error.
    expect(leaks(raw.cases[0]?.problems)).toEqual({ name: true, mrn: true })
    expect(leaks(raw.cases[0]?.candidate?.error?.message)).toEqual({ name: true, mrn: true })

    const { report } = await t.as.reviewer.simulate.run({ flowId: 'intake-call', generate: false })
    // The words the simulator wrote stay; the mocked failure text is case data and goes whole.
    expect(report.cases[0]?.problems).toContain('The run failed at "Test call 1": [redacted]')
    expect(leaks(report)).toEqual({ name: false, mrn: false })
    const sent = await t.as.analyst.simulate.run({ flowId: 'intake-check', suite: { cases: [leakyCase] } })
    expect(leaks(sent)).toEqual({ name: false, mrn: false })
  })

  it('review: the stored report leaves through the same policy', async () => {
    const row = t.runtime.db.$client.prepare("SELECT report FROM reviews WHERE flow_id = 'intake-call'").get() as {
      report: string
    }
    expect(row.report).toContain(PATIENT) // control: the stored report holds the value
    for (const role of ['reviewer', 'analyst', 'developer', 'auditor'] as const) {
      const review = await t.as[role].review.get({ id: 'intake-call' })
      expect(review.report?.cases.length).toBeGreaterThan(0)
      expect([role, leaks(review)]).toEqual([role, { name: false, mrn: false }])
    }
  })

  it('test data: a suite case marked synthetic shows as written to those who may read the suite, to no one else', async () => {
    const madeUp = { ...leakyCase, id: 'made-up', synthetic: true }
    const sent = await t.as.analyst.simulate.run({ flowId: 'intake-call', suite: { cases: [madeUp, leakyCase] } })
    const [shown, hidden] = sent.report.cases
    expect(shown?.id).toBe('made-up')
    expect(leaks(shown)).toEqual({ name: true, mrn: true })
    expect(leaks(hidden)).toEqual({ name: false, mrn: false })

    await publishFlow(
      t,
      { ...intakeFlow({ withCall: true }), id: 'intake-made-up' },
      [{ cases: [madeUp] }],
      'the made-up case fails on purpose',
    )
    for (const role of ['reviewer', 'analyst', 'developer'] as const)
      expect([role, leaks(await t.as[role].review.get({ id: 'intake-made-up' }))]).toEqual([
        role,
        { name: true, mrn: true },
      ])
    // The auditor may not read suites: the same case leaves redacted like patient data.
    expect(leaks(await t.as.auditor.review.get({ id: 'intake-made-up' }))).toEqual({ name: false, mrn: false })
  })

  it('validation problems quoting a value: a refused answer and a refused simulated answer', async () => {
    const run = await t.as.agent.runs.start({ flowId: 'intake-quoting', input, idempotencyKey: 'kinds-3' })
    const task = (await t.as.agent.tasks.inbox()).find((x) => x.runId === run.id)!
    const refused = await t.as.agent.tasks.answer({ id: task.id, answer: { approved: MRN } }).then(
      () => undefined,
      (e: TRPCClientErrorLike) => e,
    )
    expect(refused?.message).toContain('is not a yes or no answer')
    expect(leaks([refused?.message, refused?.data, String(refused?.cause)])).toEqual({ name: false, mrn: false })

    const { report } = await t.as.analyst.simulate.run({ flowId: 'intake-quoting', suite: { cases: [quotingCase] } })
    expect(report.cases[0]?.status).toBe('failed')
    expect(report.cases[0]?.problems.join(' ')).toContain('is not a yes or no answer')
    expect(leaks(report)).toEqual({ name: false, mrn: false })
  })

  it('audit records: references, never values', async () => {
    const { items } = await t.as.auditor.audit.list({ limit: 1000 })
    expect(items.some((i) => i.record.action === 'run.start')).toBe(true)
    expect(leaks(items)).toEqual({ name: false, mrn: false })
    const stored = t.runtime.db.$client.prepare('SELECT record FROM audit_log').all()
    expect(leaks(stored)).toEqual({ name: false, mrn: false })
  })
})
