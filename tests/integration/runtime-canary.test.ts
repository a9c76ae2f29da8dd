// Canary: a fake SSN and a patient name are planted in run input, a connector failure, a task
// answer and bad input. They must never appear in logs, error messages, audit records, or any
// response to a role that may not see them (the front-desk agent may see the name, never the SSN).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ConnectorAdapter } from '@carepath/dsl'
import { createTestRuntime, intakeFlow, intakeSuite, publishFlow, type TestRuntime } from '@carepath/runtime/testing'

const SSN = '987-65-4329'
const NAME = 'Zebediah Canarywood'
const output: string[] = []

const leakyConnector: ConnectorAdapter = async (request) => {
  // An adapter that (wrongly) quotes patient data in its error text.
  throw new Error(`payer lookup failed for ${SSN} / ${NAME} (${JSON.stringify(request)})`)
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
  afterAll(() => {
    vi.restoreAllMocks()
    t.close()
  })

  it('never shows the SSN, and the name only to the role that may see it', async () => {
    const input = { score: 9, patient: { name: NAME, ssn: SSN } }
    const run = await t.as.agent.runs.start({ flowId: 'intake-check', input, idempotencyKey: 'canary-1' })
    const failed = await t.as.agent.runs.start({ flowId: 'intake-call', input, idempotencyKey: 'canary-2' })
    expect(failed.status).toBe('failed')
    responses.inbox = await t.as.agent.tasks.inbox()
    const task = (responses.inbox as { id: string }[])[0]!
    responses.badAnswer = await t.as.agent.tasks
      .answer({ id: task.id, answer: { approved: SSN } })
      .catch((e: Error) => ({ message: e.message, cause: String(e.cause) }))
    responses.badStart = await t.as.agent.runs
      .start({ flowId: 'intake-check', input: { patient: { ssn: SSN } }, idempotencyKey: `${SSN}`.repeat(30) })
      .catch((e: Error) => ({ message: e.message }))
    responses.answer = await t.as.agent.tasks.answer({ id: task.id, answer: { approved: true } })
    for (const role of ['agent', 'reviewer', 'analyst', 'developer', 'auditor'] as const) {
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
    const stored = t.runtime.db.$client.prepare('SELECT record FROM audit_log').all() as { record: string }[]
    expect(stored.length).toBeGreaterThan(10)
    for (const { record } of stored) {
      expect(record).not.toContain(SSN)
      expect(record).not.toContain(NAME)
    }
    expect(output.join('\n')).not.toContain(SSN)
    expect(output.join('\n')).not.toContain(NAME)
  })
})
