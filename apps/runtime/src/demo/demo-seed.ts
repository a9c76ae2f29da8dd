// `carepath serve --demo`: on an empty database, one user per role and the example flows,
// published through the real lifecycle (created by analyst, simulated on submit, approved and
// published by reviewer), so the demo holds nothing the gate did not let through.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Principal } from '../auth/auth.service.ts'
import type { UserRole } from '../db/schema.ts'
import type { Runtime } from '../runtime.ts'

export const DEMO_USERS: readonly { username: string; role: UserRole }[] = [
  { username: 'analyst', role: 'analyst' },
  { username: 'developer', role: 'developer' },
  { username: 'reviewer', role: 'reviewer' },
  { username: 'reviewer2', role: 'reviewer' },
  { username: 'agent', role: 'agent' },
  { username: 'clinician', role: 'agent' },
  { username: 'auditor', role: 'auditor' },
  { username: 'admin', role: 'admin' },
  { username: 'operator', role: 'operator' },
  // Governance officers: both hold the compliance role; the demo names `compliance` the default
  // compliance owner and `security` the default security owner, so a change sending PHI outside
  // needs both of them (and a reviewer) before it is published.
  { username: 'compliance', role: 'compliance' },
  { username: 'security', role: 'compliance' },
]

/** The example flows' queues that need a clinical licence: no call-centre agent works them. */
export const CLINICAL_QUEUES: ReadonlySet<string> = new Set(['clinician', 'nurse', 'utilization-reviewer'])

export interface DemoResult {
  created: boolean
  users: string[]
  flows: { id: string; hash: string }[]
  problems: string[]
}

function flowFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.flow.json'))
    .sort()
    .map((f) => join(dir, f))
}

/** Seed the demo when the database has no user yet; otherwise do nothing. */
export async function seedDemo(runtime: Runtime, examplesDir: string, password: string): Promise<DemoResult> {
  if (runtime.auth.userCount() > 0) return { created: false, users: [], flows: [], problems: [] }
  const system = { who: 'carepath-demo', role: 'system' }
  // The ten workflows, then the HL7 entry flows that start work from inbound messages.
  // Drafts (examples/drafts) stay out: they are second versions to try the review flow with.
  const flowFiles = [...flowFilesIn(examplesDir), ...flowFilesIn(join(examplesDir, 'hl7-entry'))]
  const documents = flowFiles.map((f) => ({
    file: f,
    raw: JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>,
  }))
  // The call-centre agent works the administrative queues of the example flows; clinical queues
  // (a controlled-substance refill, a critical lab) are worked by the clinician alone.
  const exampleRoles = [
    ...new Set(documents.flatMap((d) => Object.keys((d.raw.roles as Record<string, unknown> | undefined) ?? {}))),
  ].sort()
  const queuesOf = (username: string) =>
    username === 'clinician'
      ? exampleRoles.filter((r) => CLINICAL_QUEUES.has(r))
      : exampleRoles.filter((r) => !CLINICAL_QUEUES.has(r))
  const principals = new Map<string, Principal>()
  for (const user of DEMO_USERS) {
    const flowRoles = user.role === 'agent' ? queuesOf(user.username) : []
    const added = await runtime.auth.addUser({ username: user.username, password, role: user.role, flowRoles }, system)
    principals.set(user.username, { userId: added.id, username: user.username, role: user.role, flowRoles })
  }
  // The tour logs in with a password alone: the demo's own people are exempt from the MFA policy
  // (which stays on for every role, so anyone an admin adds later needs a second factor).
  const policy = runtime.mfa.policy()
  runtime.mfa.setPolicy(
    { ...policy, passwordOnly: [...policy.passwordOnly, ...DEMO_USERS.map((u) => u.username)] },
    system,
  )
  runtime.alerts.configure(
    {
      ...runtime.alerts.config(),
      defaultOwners: { compliance: [{ user: 'compliance' }], security: [{ user: 'security' }] },
    },
    system,
  )
  const analyst = principals.get('analyst') as Principal
  const reviewer = principals.get('reviewer') as Principal
  const flows: DemoResult['flows'] = []
  const problems: string[] = []
  for (const { file, raw } of documents) {
    try {
      const suiteFile = file.replace(/\.flow\.json$/, '.suite.json')
      const suites = existsSync(suiteFile) ? [JSON.parse(readFileSync(suiteFile, 'utf8')) as unknown] : []
      const { id, hash } = runtime.flows.create(raw, analyst, suites)
      await runtime.review.submit(id, analyst)
      runtime.review.approve(id, hash, 'Demo: example flow, simulated against its suite.', reviewer)
      runtime.review.publish(id, hash, reviewer)
      flows.push({ id, hash })
    } catch (error) {
      problems.push(`${relative(examplesDir, file)}: ${error instanceof Error ? error.message : 'could not be loaded'}`)
    }
  }
  return { created: true, users: DEMO_USERS.map((u) => u.username), flows, problems }
}
