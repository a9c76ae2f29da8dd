// `carepath serve --demo`: on an empty database, one user per role and the example flows,
// created, simulated on submit and published by the installation itself (a system actor, not a
// demo person who took no action), through the same gate on the document and its test cases, so
// the demo holds nothing the simulation did not let through.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { z } from 'zod'
import { flowRoleSchema, PHI_CLASSES, type PhiClass } from '@carepath/dsl'
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

/**
 * Who the trail names for everything the seed does. Usernames are lower-case words without
 * spaces, so no log-in can ever be this actor.
 */
export const DEMO_SEED_ACTOR = 'Carepath demo seed'

export interface DemoResult {
  created: boolean
  users: string[]
  flows: { id: string; hash: string }[]
  problems: string[]
}

/**
 * Each queue the documents' roles name, with every PHI class those roles ask for (in the classes'
 * own order) and, as its description, the first title a flow gives the role; the drafts add
 * classes to those queues but name no new one (a queue a draft brings appears when the draft is
 * submitted, as before). Read leniently: a document that does not parse is the seed's problem to
 * report.
 */
function queuesAsked(
  documents: readonly unknown[],
  drafts: readonly unknown[],
): Map<string, { description: string; phi: PhiClass[] }> {
  const asked = new Map<string, { description: string; classes: Set<PhiClass> }>()
  const rolesOf = (document: unknown) => {
    const parsed = flowRolesSchema.safeParse(document)
    return Object.entries(parsed.success ? parsed.data.roles : {})
  }
  for (const document of documents)
    for (const [queue, role] of rolesOf(document)) {
      const entry = asked.get(queue) ?? { description: '', classes: new Set<PhiClass>() }
      if (!entry.description && role.title) entry.description = role.title
      role.phi.forEach((c) => entry.classes.add(c))
      asked.set(queue, entry)
    }
  for (const draft of drafts)
    for (const [queue, role] of rolesOf(draft)) role.phi.forEach((c) => asked.get(queue)?.classes.add(c))
  return new Map(
    [...asked]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([queue, { description, classes }]) => [
        queue,
        { description, phi: PHI_CLASSES.filter((c) => c !== 'none' && classes.has(c)) },
      ]),
  )
}
const flowRolesSchema = z.object({ roles: z.record(z.string(), flowRoleSchema) })

function flowFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.flow.json'))
    .sort()
    .map((f) => join(dir, f))
}

/** Seed the demo when the database has no user yet; otherwise do nothing. */
export async function seedDemo(runtime: Runtime, examplesDir: string, password: string): Promise<DemoResult> {
  if ((await runtime.auth.userCount()) > 0) return { created: false, users: [], flows: [], problems: [] }
  const system = { who: DEMO_SEED_ACTOR, role: 'system' }
  // The services take a principal: this one is the installation (role `system` in the trail).
  const seed: Principal = {
    userId: DEMO_SEED_ACTOR,
    username: DEMO_SEED_ACTOR,
    role: 'analyst',
    flowRoles: [],
    system: true,
  }
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
  for (const user of DEMO_USERS) {
    const flowRoles = user.role === 'agent' ? queuesOf(user.username) : []
    await runtime.auth.addUser({ username: user.username, password, role: user.role, flowRoles }, system)
  }
  // Each example queue is described as the flows title its role, and cleared for the PHI classes
  // its roles ask for across the example flows and their second versions (examples/drafts, which
  // the tour submits for review), so no demo flow warns of a role asking beyond its queue's
  // clearance, and an admin sees a clearance set.
  const drafts = flowFilesIn(join(examplesDir, 'drafts')).map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown)
  const queues = queuesAsked(
    documents.map((d) => d.raw),
    drafts,
  )
  for (const [name, { description, phi }] of queues)
    await runtime.queues.save({ name, description, phi, baseVersion: null }, seed)
  // The tour logs in with a password alone: the demo's own people are exempt from the MFA policy
  // (which stays on for every role, so anyone an admin adds later needs a second factor).
  const policy = await runtime.mfa.policy()
  await runtime.mfa.setPolicy(
    { ...policy, passwordOnly: [...policy.passwordOnly, ...DEMO_USERS.map((u) => u.username)] },
    system,
  )
  await runtime.alerts.configure(
    {
      ...(await runtime.alerts.config()),
      defaultOwners: { compliance: [{ user: 'compliance' }], security: [{ user: 'security' }] },
    },
    system,
  )
  const flows: DemoResult['flows'] = []
  const problems: string[] = []
  for (const { file, raw } of documents) {
    try {
      const suiteFile = file.replace(/\.flow\.json$/, '.suite.json')
      const suites = existsSync(suiteFile) ? [JSON.parse(readFileSync(suiteFile, 'utf8')) as unknown] : []
      const { id } = await runtime.flowService.create(raw, seed, suites)
      const { publishedHash } = await runtime.review.publishAsSystem(
        id,
        seed,
        'Example flow published by the demo seed after its simulation; no person reviewed it.',
      )
      flows.push({ id, hash: publishedHash })
    } catch (error) {
      problems.push(`${relative(examplesDir, file)}: ${error instanceof Error ? error.message : 'could not be loaded'}`)
    }
  }
  return { created: true, users: DEMO_USERS.map((u) => u.username), flows, problems }
}
