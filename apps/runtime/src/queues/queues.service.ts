// Work queues as an admin manages them: every queue a flow sends work to or a person works,
// with its description, its members and the flows (and steps) that send tasks to it.
import { and, eq, inArray } from 'drizzle-orm'
import { queueSteps, unworkedQueueWarnings, type FlowDocument } from '@carepath/dsl'
import { queueSaved } from '../audit/audit-entries.ts'
import type { Principal } from '../auth/auth.service.ts'
import { flows, flowVersions, queues, users } from '../db/schema.ts'
import type { FlowDeps } from '../flows/flows.service.ts'
import type { Store } from '../store/store.ts'

/** One queue as the admin screen lists it. */
export interface QueueView {
  name: string
  description: string
  /** Usernames of the active people who work it (`*` users work every queue). */
  members: string[]
  /** The flows whose draft or published version sends tasks here, with those steps' titles. */
  flows: { id: string; title: string; steps: string[] }[]
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

  async function list(): Promise<QueueView[]> {
    const described = new Map((await db.select().from(queues).all()).map((q) => [q.name, q.description]))
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
      description: described.get(name) ?? '',
      members: people.filter((p) => worksQueue(p.flowRoles, name)).map((p) => p.username),
      flows: [...(sending.get(name) ?? new Map<string, { title: string; steps: Set<string> }>()).entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, f]) => ({ id, title: f.title, steps: [...f.steps].sort() })),
    }))
  }

  /** Name a queue (or change its description); audited. */
  async function save(name: string, description: string, principal: Principal) {
    const at = now().toISOString()
    await store.transaction(async () => {
      // Hand-written: drizzle's SQLite builder qualifies the conflict target, which PostgreSQL refuses.
      await store.sql.run(
        `INSERT INTO queues (name, description, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET description = excluded.description,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [name, description, at, principal.username],
      )
      await audit.record(queueSaved({ who: principal.username, role: principal.role }, { queue: name, description }))
    })
    return { name, description }
  }

  return {
    list,
    save,
    /** Warnings for the human steps of `document` whose queue nobody works. */
    warnings: async (document: FlowDocument) => unworkedQueueWarnings(document, registry, await workedQueues()),
  }
}
export type QueuesService = ReturnType<typeof createQueuesService>
