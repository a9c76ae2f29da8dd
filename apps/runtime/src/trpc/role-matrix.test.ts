// Walks every procedure × every role: a procedure answers FORBIDDEN exactly to the roles this
// table (written independently of the routers) leaves out, and UNAUTHORIZED to callers without
// a session. A procedure missing from the table fails the test, so none ships unchecked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { USER_ROLES, type UserRole } from '../db/schema.ts'
import { createTestRuntime, type TestRuntime } from '../testing/test-runtime.ts'
import { appRouter } from './routers/_app.ts'

const ALL = USER_ROLES
const EXPECTED: Record<string, readonly UserRole[]> = {
  'auth.me': ALL,
  'auth.logout': ALL,
  'auth.mfaStatus': ALL,
  'auth.mfaRemove': ALL,
  'auth.mfaRecoveryCodes': ALL,
  'security.mfaPolicy': ['admin'],
  'security.setMfaPolicy': ['admin'],
  'security.retention': ['admin'],
  'security.rotateKeys': ['admin'],
  'security.setRetention': ['admin'],
  'security.setInboundRetention': ['admin'],
  'security.requestReveal': ['agent', 'developer', 'reviewer', 'auditor', 'analyst'],
  'security.reveals': ['auditor'],
  'security.signOffReveal': ['auditor'],
  'users.list': ['admin'],
  'users.add': ['admin'],
  'users.setFlowRoles': ['admin'],
  'users.set': ['admin'],
  'users.createToken': ['admin'],
  'tokens.create': ['admin'],
  'tokens.list': ['admin'],
  'tokens.revoke': ['admin'],
  'phiMap.get': ['analyst', 'developer', 'reviewer', 'auditor', 'admin', 'compliance'],
  'phiMap.preview': ['analyst', 'developer', 'reviewer', 'auditor', 'admin', 'compliance'],
  'phiMap.diff': ['analyst', 'developer', 'reviewer', 'auditor', 'admin', 'compliance'],
  'phiMap.rollup': ['auditor', 'admin', 'compliance'],
  'phiMap.markReviewed': ['auditor', 'admin', 'compliance'],
  'flows.list': ['analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance'],
  'flows.get': ['analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance'],
  'flows.history': ['analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance'],
  'flows.version': ['analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance'],
  'flows.create': ['analyst', 'developer'],
  'flows.save': ['analyst', 'developer'],
  'flows.suite': ['analyst', 'developer', 'reviewer', 'compliance'],
  'flows.duplicate': ['analyst', 'developer'],
  'flows.retire': ['reviewer'],
  'queues.list': ['admin', 'analyst', 'developer', 'reviewer'],
  'queues.save': ['admin'],
  'simulate.run': ['analyst', 'developer', 'reviewer'],
  'review.submit': ['analyst', 'developer'],
  'review.get': ['analyst', 'developer', 'reviewer', 'auditor', 'compliance'],
  'review.approve': ['reviewer', 'compliance'],
  'review.reject': ['reviewer', 'compliance'],
  'governance.owners': ['analyst', 'developer', 'reviewer', 'auditor', 'compliance', 'operator', 'admin'],
  'governance.policy': ['admin', 'compliance', 'reviewer', 'auditor'],
  'governance.proposePolicy': ['admin'],
  'governance.approvePolicy': ['admin'],
  'governance.discardPolicy': ['admin'],
  'review.override': ['reviewer'],
  'review.publish': ['reviewer'],
  'review.rollback': ['reviewer'],
  'runs.start': ['agent', 'developer'],
  'runs.list': ['agent', 'developer', 'reviewer', 'auditor', 'analyst', 'operator'],
  'runs.get': ['agent', 'developer', 'reviewer', 'auditor', 'analyst', 'operator'],
  'runs.replay': ['auditor', 'admin'],
  'tasks.inbox': ['agent'],
  'tasks.claim': ['agent'],
  'tasks.answer': ['agent'],
  'tasks.release': ['agent'],
  'tasks.reassign': ['agent'],
  'tasks.escalate': ['agent'],
  'tasks.overdue': ['agent', 'developer', 'admin'],
  'audit.list': ['auditor'],
  'audit.verify': ['auditor'],
  'audit.search': ['auditor'],
  'audit.exportCsv': ['auditor'],
  'settings.integrations': ['developer', 'admin'],
  'settings.setIntegrations': ['developer'],
  'settings.review': ['developer', 'admin'],
  'settings.propose': ['developer', 'admin'],
  'settings.pins': ['developer', 'admin'],
  'settings.proposeRepin': ['developer', 'admin'],
  'settings.approve': ['admin'],
  'settings.reject': ['admin'],
  'incidents.list': ['operator', 'admin'],
  'incidents.retry': ['operator', 'admin'],
  'incidents.bulkRetry': ['operator', 'admin'],
  'incidents.skip': ['operator', 'admin'],
  'incidents.cancel': ['operator', 'admin'],
  'deadLetters.list': ['operator', 'admin'],
  'deadLetters.reprocess': ['operator', 'admin'],
  'deadLetters.bulkReprocess': ['operator', 'admin'],
  'metrics.flows': ['operator', 'admin', 'reviewer', 'auditor'],
  'metrics.connectors': ['operator', 'admin', 'reviewer', 'auditor'],
  'metrics.compare': ['operator', 'admin', 'reviewer', 'auditor'],
  'alerts.list': ['operator', 'admin'],
  'alerts.mine': ALL,
  'alerts.evaluate': ['operator', 'admin'],
  'alerts.settings': ['operator', 'admin'],
  'alerts.setSettings': ['operator', 'admin'],
  'alerts.candidates': ['operator', 'admin'],
  'events.deliver': ['developer', 'agent'],
  'events.list': ['developer', 'admin', 'auditor'],
  'migrations.plan': ['analyst', 'developer'],
  'migrations.list': ['analyst', 'developer', 'reviewer', 'auditor'],
  'migrations.approve': ['reviewer'],
  'migrations.migrate': ['reviewer'],
  'embed.hostApps': ['admin'],
  'embed.saveHostApp': ['admin'],
  'embed.issueLaunch': ['admin'],
  'attachments.list': ['analyst', 'developer', 'reviewer', 'auditor', 'agent'],
  'attachments.settings': ALL,
  'attachments.setSettings': ['admin'],
  'notices.mine': ALL,
  'notices.markRead': ALL,
  'notices.subscription': ['analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance'],
  'notices.subscribe': ['analyst', 'developer', 'reviewer', 'auditor', 'agent', 'operator', 'compliance'],
}
// Public: the log-in steps (the enrolment steps take a log-in challenge or a session).
const PUBLIC = new Set([
  'auth.login',
  'auth.methods',
  'auth.ssoExchange',
  'auth.mfaVerify',
  'auth.mfaEnrolStart',
  'auth.mfaEnrolConfirm',
  'embed.launch',
  'auth.passkeyOptions',
  'auth.passkeyVerify',
  'auth.passkeyEnrolStart',
  'auth.passkeyEnrolFinish',
])
// Procedures without input are called bare; every other gets an input its schema refuses, so an
// allowed role sees BAD_REQUEST (and nothing is written) while a refused role sees FORBIDDEN first.
const NO_INPUT = new Set([
  'auth.me',
  'auth.logout',
  'auth.mfaStatus',
  'auth.mfaRecoveryCodes',
  'security.mfaPolicy',
  'security.retention',
  'users.list',
  'queues.list',
  'tokens.list',
  'tasks.inbox',
  'tasks.overdue',
  'audit.verify',
  'settings.integrations',
  'settings.review',
  'settings.pins',
  'metrics.connectors',
  'alerts.mine',
  'alerts.evaluate',
  'alerts.settings',
  'alerts.candidates',
  'embed.hostApps',
  'phiMap.rollup',
  'phiMap.markReviewed',
  'governance.policy',
  'attachments.settings',
  'notices.mine',
])

async function outcome(t: TestRuntime, token: string | undefined, path: string): Promise<string> {
  const [ns, name] = path.split('.') as [string, string]
  const caller = t.caller(token) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>
  try {
    await (NO_INPUT.has(path) ? caller[ns]![name]!() : caller[ns]![name]!(42))
    return 'OK'
  } catch (error) {
    if (error instanceof TRPCError) return error.code
    throw error
  }
}

describe('role × procedure matrix', () => {
  let t: TestRuntime
  beforeAll(async () => {
    t = await createTestRuntime()
  })
  afterAll(() => t.close())

  const procedures = Object.keys(appRouter._def.procedures).sort()

  it('has an expectation for every procedure', () => {
    expect(procedures.filter((p) => !PUBLIC.has(p) && !(p in EXPECTED))).toEqual([])
  })

  // Log-out last: it ends the sessions the other checks use.
  const ordered = [...procedures.filter((p) => p !== 'auth.logout'), 'auth.logout'].filter((p) => !PUBLIC.has(p))
  it.each(ordered)('%s checks the role', async (path) => {
    const allowed = EXPECTED[path] ?? []
    for (const role of USER_ROLES) {
      const got = await outcome(t, t.tokens[role], path)
      if (allowed.includes(role)) expect([path, role, got]).not.toEqual([path, role, 'FORBIDDEN'])
      else expect([path, role, got]).toEqual([path, role, 'FORBIDDEN'])
      expect(got).not.toBe('UNAUTHORIZED')
      expect(got).not.toBe('INTERNAL_SERVER_ERROR')
    }
    expect(await outcome(t, undefined, path)).toBe('UNAUTHORIZED')
    expect(await outcome(t, 'not-a-session', path)).toBe('UNAUTHORIZED')
  })
})
