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
  'users.list': ['admin'],
  'users.add': ['admin'],
  'users.setFlowRoles': ['admin'],
  'users.createToken': ['admin'],
  'tokens.create': ['admin'],
  'tokens.list': ['admin'],
  'tokens.revoke': ['admin'],
  'flows.list': ['analyst', 'developer', 'reviewer', 'auditor', 'agent'],
  'flows.get': ['analyst', 'developer', 'reviewer', 'auditor', 'agent'],
  'flows.history': ['analyst', 'developer', 'reviewer', 'auditor', 'agent'],
  'flows.version': ['analyst', 'developer', 'reviewer', 'auditor', 'agent'],
  'flows.create': ['analyst', 'developer'],
  'flows.save': ['analyst', 'developer'],
  'flows.duplicate': ['analyst', 'developer'],
  'flows.retire': ['reviewer'],
  'simulate.run': ['analyst', 'developer', 'reviewer'],
  'review.submit': ['analyst', 'developer'],
  'review.get': ['analyst', 'developer', 'reviewer', 'auditor'],
  'review.approve': ['reviewer'],
  'review.reject': ['reviewer'],
  'review.publish': ['reviewer'],
  'review.rollback': ['reviewer'],
  'runs.start': ['agent', 'developer'],
  'runs.list': ['agent', 'developer', 'reviewer', 'auditor', 'analyst'],
  'runs.get': ['agent', 'developer', 'reviewer', 'auditor', 'analyst'],
  'tasks.inbox': ['agent'],
  'tasks.claim': ['agent'],
  'tasks.answer': ['agent'],
  'tasks.release': ['agent'],
  'tasks.reassign': ['agent'],
  'tasks.escalate': ['agent'],
  'tasks.overdue': ['agent', 'developer', 'admin'],
  'audit.list': ['auditor'],
  'audit.verify': ['auditor'],
  'settings.integrations': ['developer'],
  'settings.setIntegrations': ['developer'],
  'events.deliver': ['developer', 'agent'],
  'events.list': ['developer', 'admin', 'auditor'],
  'migrations.plan': ['analyst', 'developer'],
  'migrations.list': ['analyst', 'developer', 'reviewer', 'auditor'],
  'migrations.approve': ['reviewer'],
  'migrations.migrate': ['reviewer'],
}
const PUBLIC = new Set(['auth.login'])
// Procedures without input are called bare; every other gets an input its schema refuses, so an
// allowed role sees BAD_REQUEST (and nothing is written) while a refused role sees FORBIDDEN first.
const NO_INPUT = new Set([
  'auth.me',
  'auth.logout',
  'users.list',
  'tokens.list',
  'tasks.inbox',
  'tasks.overdue',
  'audit.verify',
  'settings.integrations',
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
