import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canonicalJson } from '@carepath/dsl'
import { intakeFlow } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { buildArchive, verifyArchive } from './audit-archive.ts'
import { createExplanationStore } from './audit-explanations.ts'
import { shapeHash, type ExplanationShape } from './decision-why.ts'

describe('decision explanations stored once', () => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await createTestRuntime()
    await publishFlow(t, intakeFlow())
  })
  afterEach(() => t.close())

  const runRecords = () =>
    t.runtime.db.$client
      .prepare<[], { seq: number; record: string }>(
        "SELECT seq, record FROM audit_log WHERE json_extract(record, '$.action') = 'run.start' ORDER BY seq",
      )
      .all()

  it('keeps a shape once and each run its references, and reads every record whole', async () => {
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 9 }, idempotencyKey: 'a' })
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 8 }, idempotencyKey: 'b' })
    const [first, second] = runRecords()
    // Stored: the hash of the step's path (its decisions' nodes, ports and shapes) and each
    // decision's references, never the explanation again.
    expect(first?.record).toMatch(/"decisions":\{"seen":"[0-9a-f]{24}","shape":"[0-9a-f]{64}"\}/)
    expect(first?.record).not.toContain('"explanation"')
    expect(first?.record).not.toContain('"node"')
    const shapes = t.runtime.db.$client.prepare('SELECT count(*) AS n FROM audit_explanations').get()
    expect(shapes).toEqual({ n: 1 })
    const { items } = await t.as.auditor.audit.list({ limit: 100 })
    const read = items.filter((i) => i.record.action === 'run.start')
    expect(read.map((i) => i.seq)).toEqual([first?.seq, second?.seq])
    const [a, b] = read.map((i) => (i.record.action === 'run.start' ? i.record.why.decisions : []))
    expect(a?.[0]?.explanation.rules[0]?.conditions[0]).toMatchObject({ fact: 'score', result: true })
    // Same shape, each run's own reference to the value it saw.
    expect(a?.[0]?.explanation.rules[0]?.conditions[0]?.seen).toMatch(/^hmac:/)
    expect(a?.[0]?.explanation.rules[0]?.conditions[0]?.seen).not.toBe(
      b?.[0]?.explanation.rules[0]?.conditions[0]?.seen,
    )
    expect(await t.runtime.audit.verify()).toMatchObject({ ok: true })
  })

  it('is append-only, and an explanation edited behind the triggers fails verify and the archive', async () => {
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 9 }, idempotencyKey: 'a' })
    const sql = t.runtime.db.$client
    expect(() => sql.prepare("UPDATE audit_explanations SET explanation = '{}'").run()).toThrow(/append-only/)
    expect(() => sql.prepare('DELETE FROM audit_explanations').run()).toThrow(/append-only/)
    const archive = await buildArchive(t.runtime.store, t.runtime.keys, { now: new Date('2026-12-01T00:00:00Z') })
    expect(archive.explanations).toHaveLength(1)
    expect(verifyArchive(JSON.stringify(archive), t.runtime.keys)).toMatchObject({ ok: true })
    sql.exec('DROP TRIGGER audit_explanations_no_update')
    sql.prepare("UPDATE audit_explanations SET explanation = replace(explanation, 'true', 'false')").run()
    const verdict = await t.runtime.audit.verify()
    expect(verdict.ok).toBe(false)
    expect(verdict.problems.join(' ')).toMatch(/does not match its hash: it was edited/)
    const altered = { ...archive, explanations: [{ ...archive.explanations![0]!, explanation: '{}' }] }
    expect(verifyArchive(JSON.stringify(altered), t.runtime.keys).ok).toBe(false)
  })

  it('reads a record written with its explanations whole (before they were stored once) as it was', async () => {
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 9 }, idempotencyKey: 'a' })
    const { items } = await t.as.auditor.audit.list({ limit: 100 })
    const whole = items.find((i) => i.record.action === 'run.start')
    expect(whole).toBeDefined()
    expect(await t.runtime.audit.readRecord(JSON.stringify(whole?.record))).toEqual(whole?.record)
  })

  it('reads a record that names a shape per decision (before paths) whole', async () => {
    const shape: ExplanationShape = {
      outcome: 'high',
      fired: ['high'],
      rules: [
        {
          id: 'high',
          fired: true,
          conditions: [{ path: 'all.0', fact: 'score', operator: 'greaterThan', expected: 5, result: true }],
        },
      ],
    }
    const json = canonicalJson(shape)
    const hash = shapeHash(json)
    await t.runtime.store.sql.run('INSERT INTO audit_explanations (hash, explanation) VALUES (?, ?)', [hash, json])
    const record = {
      action: 'run.start',
      why: { decisions: [{ node: 'check', port: 'high', shape: hash, seen: ['hmac:0123456789abcdef01234567'] }] },
    }
    const read = await createExplanationStore(t.runtime.store).expand(record)
    expect(read).toEqual({
      action: 'run.start',
      why: {
        decisions: [
          {
            node: 'check',
            port: 'high',
            explanation: {
              ...shape,
              rules: [
                {
                  ...shape.rules[0],
                  conditions: [{ ...shape.rules[0]!.conditions[0], seen: 'hmac:0123456789abcdef01234567' }],
                },
              ],
            },
          },
        ],
      },
    })
  })
})
