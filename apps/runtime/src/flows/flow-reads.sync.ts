// Synchronous reads of the flows on the runtime's SQLite connection, for the callers that have
// not moved to the store yet (store/README.md). Each is listed with the method it needs; when the
// last one moves, this file goes. Nothing here is cached: every call reads the database.
//   - runs/runs.service.ts: `version` (a run's document by its hash, on the run path).
//   - evidence/attachments.service.ts: `requireFlow` and `versionByHash` (an attachment's subject).
//   - integrations/webhook/webhook-runtime.ts: `list` and `get(id).published` (webhook targets).
//   - integrations/hl7/hl7-runtime.ts and runtime.ts' audit search and patient index: `version`.
import { and, desc, eq, sql } from 'drizzle-orm'
import type { FlowDocument } from '@carepath/dsl'
import type { Db } from '../db/open-db.ts'
import { flows, flowVersions } from '../db/schema.ts'
import { AppError } from '../errors.ts'

export function createSyncFlowReads(db: Db) {
  function requireFlow(id: string) {
    const flow = db.select().from(flows).where(eq(flows.id, id)).get()
    if (!flow) throw new AppError('not-found', `No flow with id "${id}".`, { path: 'id' })
    return flow
  }

  /** As `Flows.versionByHash`: the published revision with this hash first, else the newest. */
  function versionByHash(id: string, hash: string) {
    return db
      .select()
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, id), eq(flowVersions.hash, hash)))
      .orderBy(desc(sql`${flowVersions.status} = 'published'`), desc(flowVersions.revision))
      .get()
  }

  function version(id: string, hash: string): FlowDocument {
    requireFlow(id)
    const row = versionByHash(id, hash)
    if (!row) throw new AppError('not-found', `Flow "${id}" has no version with hash ${hash}.`, { path: 'hash' })
    return row.document
  }

  function list() {
    return db
      .select({ id: flows.id, title: flows.title, status: flows.status, publishedHash: flows.publishedHash })
      .from(flows)
      .orderBy(flows.id)
      .all()
  }

  /** A flow and its published document, if any. */
  function get(id: string) {
    const flow = requireFlow(id)
    const published = flow.publishedHash ? versionByHash(id, flow.publishedHash) : undefined
    return {
      id: flow.id,
      status: flow.status,
      published: published ? { document: published.document, hash: published.hash } : null,
    }
  }

  return { requireFlow, versionByHash, version, list, get }
}
export type SyncFlowReads = ReturnType<typeof createSyncFlowReads>
