// Work queues as an admin manages them: every queue a flow sends work to or a person works,
// with its description, its PHI clearance, its members and the flows (and steps) that send tasks to it.
// A save names the version it was based on and is refused when someone saved the queue since, so two
// admins editing one queue never silently undo each other's change.
import { and, eq, inArray, isNotNull } from 'drizzle-orm'
import {
  clearanceProblems,
  phiClassSchema,
  queueSteps,
  unworkedQueueWarnings,
  type FlowDocument,
  type PhiClass,
} from '@carepath/dsl'
import { queueSaved } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { flows, flowVersions, queues, users } from '../db/schema.ts'
import type { FlowDeps } from '../flows/flows.service.ts'
import type { QueueClearances } from '../phi/redaction-gate.ts'
import { staleSave, versionAfter } from '../store/row-versions.ts'
import type { Store } from '../store/store.ts'

const storedClearance = phiClassSchema.array()
const PHI_ORDER = phiClassSchema.options

/**
 * A stored clearance read back through its schema; one that does not read as classes clears the
 * queue for nothing (fail closed), never for everything.
 */
function clearanceOf(stored: unknown): PhiClass[] | null {
  if (stored === null || stored === undefined) return null
  const parsed = storedClearance.safeParse(stored)
  return parsed.success ? parsed.data : []
}

/** One queue as the admin screen lists it. */
export interface QueueView {
  name: string
  description: string
  /** The PHI classes the queue's people are cleared to see; null when no clearance is set (no cap). */
  phi: PhiClass[] | null
  /**
   * The version of the saved queue, which a save sends back as its `baseVersion`; null for a queue
   * never saved (named only by a flow's step or a person's membership).
   */
  version: string | null
  /** Usernames of the active people who work it (`*` users work every queue). */
  members: string[]
  /** The flows whose draft or published version sends tasks here, with those steps' titles. */
  flows: { id: string; title: string; steps: string[] }[]
}

/** What an admin saves: the queue's description and clearance, and the version the edit started from. */
export interface QueueSave {
  name: string
  description: string
  /** The classes its people are cleared to see (any order); null for no clearance. */
  phi: readonly PhiClass[] | null
  /** The `version` the admin read; null when the queue was never saved (a first save). */
  baseVersion: string | null
}

export function createQueuesService({
  store,
  audit,
  now,
  registry,
}: Pick<FlowDeps, 'audit' | 'now' | 'registry'> & { store: Store }) {
  const db = store.db
  /** Active users and the queues they work. */
  function workers() {
    return db
      .select({ username: users.username, flowRoles: users.flowRoles })
      .from(users)
      .where(eq(users.disabled, false))
      .all()
  }

  const worksQueue = (flowRoles: readonly string[], queue: string) =>
    flowRoles.includes('*') || flowRoles.includes(queue)

  /** Whether any active person works `queue` (a predicate over the people working now). */
  async function workedQueues(): Promise<(queue: string) => boolean> {
    const people = await workers()
    return (queue) => people.some((w) => worksQueue(w.flowRoles, queue))
  }

  /** The current draft and published document of every flow that is not retired. */
  async function liveDocuments(): Promise<{ id: string; title: string; documents: FlowDocument[] }[]> {
    const rows = await db.select().from(flows).orderBy(flows.id).all()
    const live = []
    for (const f of rows.filter((row) => row.status !== 'retired')) {
      const hashes = [f.draftHash, ...(f.publishedHash ? [f.publishedHash] : [])]
      const versions = await db
        .select({ document: flowVersions.document })
        .from(flowVersions)
        .where(and(eq(flowVersions.flowId, f.id), inArray(flowVersions.hash, hashes)))
        .all()
      live.push({ id: f.id, title: f.title, documents: versions.map((v) => v.document) })
    }
    return live
  }

  /** Each queue's clearance, for the queues that have one set (one small query). */
  async function clearances(): Promise<QueueClearances> {
    const rows = await db.select({ name: queues.name, phi: queues.phi }).from(queues).where(isNotNull(queues.phi)).all()
    return new Map(
      rows.flatMap((q) => {
        const cleared = clearanceOf(q.phi)
        return cleared ? [[q.name, cleared] as const] : []
      }),
    )
  }

  async function list(): Promise<QueueView[]> {
    const described = new Map((await db.select().from(queues).all()).map((q) => [q.name, q]))
    const people = await workers()
    const sending = new Map<string, Map<string, { title: string; steps: Set<string> }>>()
    for (const flow of await liveDocuments())
      for (const document of flow.documents)
        for (const step of queueSteps(document, registry)) {
          const byFlow = sending.get(step.queue) ?? new Map<string, { title: string; steps: Set<string> }>()
          const entry = byFlow.get(flow.id) ?? { title: flow.title, steps: new Set<string>() }
          entry.steps.add(step.title)
          byFlow.set(flow.id, entry)
          sending.set(step.queue, byFlow)
        }
    const names = new Set<string>([
      ...described.keys(),
      ...sending.keys(),
      ...people.flatMap((p) => p.flowRoles.filter((r) => r !== '*')),
    ])
    return [...names].sort().map((name) => ({
      name,
      description: described.get(name)?.description ?? '',
      phi: clearanceOf(described.get(name)?.phi),
      version: described.get(name)?.updatedAt ?? null,
      members: people.filter((p) => worksQueue(p.flowRoles, name)).map((p) => p.username),
      flows: [...(sending.get(name) ?? new Map<string, { title: string; steps: Set<string> }>()).entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, f]) => ({ id, title: f.title, steps: [...f.steps].sort() })),
    }))
  }

  /**
   * Name a queue, or change its description and PHI clearance (`phi`: the classes its people are
   * cleared to see, in the classes' own order; null for no clearance); audited with the clearance.
   * The write is a compare-and-set on the version: a first save only inserts, a later one only
   * updates the row still at `baseVersion`. Of two saves on one version, one is written and the
   * other refused (`conflict`), with nothing changed or audited.
   */
  async function save(
    { name, description, phi, baseVersion }: QueueSave,
    principal: Principal,
  ): Promise<Pick<QueueView, 'name' | 'description' | 'phi'> & { version: string }> {
    const version = versionAfter(now(), baseVersion)
    const cleared = phi === null ? null : PHI_ORDER.filter((c) => c !== 'none' && phi.includes(c))
    const row = { description, phi: cleared, updatedAt: version, updatedBy: principal.username }
    await store.transaction(async () => {
      // The row count of one statement decides: a row changed since `baseVersion` is not matched
      // (PostgreSQL re-checks the condition on the row a concurrent save committed), and a queue
      // someone else named first is left as it is. drizzle writes both statements for either database.
      const written =
        baseVersion === null
          ? await db
              .insert(queues)
              .values({ name, ...row })
              .onConflictDoNothing()
              .returning({ name: queues.name })
          : await db
              .update(queues)
              .set(row)
              .where(and(eq(queues.name, name), eq(queues.updatedAt, baseVersion)))
              .returning({ name: queues.name })
      if (written.length !== 1) {
        const current = await db
          .select({ updatedAt: queues.updatedAt, updatedBy: queues.updatedBy })
          .from(queues)
          .where(eq(queues.name, name))
          .get()
        throw staleSave(`the queue "${name}"`, current, principal.username)
      }
      await audit.record(queueSaved(auditActor(principal), { queue: name, description, phi: cleared }))
    })
    return { name, description, phi: cleared, version }
  }

  /**
   * Warnings for `document`: human steps whose queue nobody works, and roles asking for PHI
   * classes beyond their queue's clearance.
   */
  async function warnings(document: FlowDocument): Promise<string[]> {
    const cleared = await clearances()
    return [
      ...unworkedQueueWarnings(document, registry, await workedQueues()),
      ...clearanceProblems(document, (queue) => cleared.get(queue)).map((problem) => problem.message),
    ]
  }

  return { list, save, clearances, warnings }
}
export type QueuesService = ReturnType<typeof createQueuesService>
