import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { intakeFlow } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'

describe('audit trail', () => {
  let t: TestRuntime
  beforeEach(async () => {
    t = await createTestRuntime()
  })
  afterEach(() => t.close())

  it('is refused UPDATE and DELETE by the database itself, like run logs and saved versions', async () => {
    await publishFlow(t, intakeFlow())
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 1 }, idempotencyKey: 'k' })
    const sql = t.runtime.db.$client
    expect(() => sql.prepare("UPDATE audit_log SET record = '{}' WHERE seq = 1").run()).toThrow(/append-only/)
    expect(() => sql.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/)
    expect(() => sql.prepare('DELETE FROM run_events').run()).toThrow(/append-only/)
    expect(() => sql.prepare("UPDATE flow_versions SET document = '{}'").run()).toThrow(/immutable/)
    expect(await t.runtime.audit.verify()).toMatchObject({ ok: true })
  })

  it('chains records and names the first one whose content no longer matches', async () => {
    const before = await t.runtime.audit.verify()
    expect(before.ok).toBe(true)
    expect(before.checked).toBeGreaterThan(5)
    // Tamper the way an attacker with file access would: drop the trigger, edit, put it back.
    const sql = t.runtime.db.$client
    sql.exec('DROP TRIGGER audit_log_no_update')
    sql.prepare(`UPDATE audit_log SET record = replace(record, '"success"', '"failure"') WHERE seq = 3`).run()
    expect(await t.runtime.audit.verify()).toMatchObject({ ok: false, firstBroken: { seq: 3 } })
    expect(await t.as.auditor.audit.verify()).toMatchObject({ ok: false, firstBroken: { seq: 3 } })
  })

  it('records who, role, action, what and outcome in the shape of a FHIR AuditEvent', async () => {
    const { items } = await t.as.auditor.audit.list({ limit: 3 })
    expect(items[0]?.record).toMatchObject({
      resourceType: 'AuditEvent',
      action: 'user.add',
      outcome: 'success',
      agent: { who: 'test', role: 'system' },
      entity: { user: 'analyst' },
    })
    const next = await t.as.auditor.audit.list({ limit: 3, cursor: items[2]!.seq })
    expect(next.items[0]?.seq).toBe(4)
  })
})
