import { and, desc, eq, inArray, or, sql } from 'drizzle-orm'
import {
  connectorProblems,
  documentHash,
  validateFlow,
  type FlowDocument,
  type JsonValue,
  type NodeRegistry,
} from '@carepath/dsl'
import { flowHashOf } from '@carepath/engine'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { flowCreated, flowRetired, flowSaved } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { flows, flowVersions, reviews } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import { newestReviewFirst } from '../review/newest-review.ts'
import { mergedSuite, requireSuite, sameSuite } from './flow-suite.ts'
import { PLAINTEXT, type DataCipher } from '../keys/data-cipher.ts'
import { openJson, sealJson } from '../keys/sealed-json.ts'

export interface FlowDeps {
  store: Store
  audit: AuditRecorder
  now: () => Date
  registry: NodeRegistry
  /** Test cases may be imported from runs: they are sealed at rest (none: the store's own tests). */
  cipher?: DataCipher
}

/** The data key test suites are sealed under. */
const SUITES_KEY = 'suites'

/** Parse and validate a document, or throw `invalid-document` with every problem. */
export function requireValidDocument(raw: unknown, registry: NodeRegistry): FlowDocument {
  const result = validateFlow(raw, registry)
  const errors = result.problems.filter((p) => p.severity === 'error')
  if (!result.valid || !result.document || errors.length > 0) {
    const first = errors[0] ?? result.problems[0]
    throw new AppError(
      'invalid-document',
      `The flow is not valid: ${first?.message ?? 'it does not have the shape of a flow'}`,
      {
        path: first ? `document.${first.path}`.replace(/\.$/, '') : 'document',
        problems: result.problems,
      },
    )
  }
  return result.document
}

/** The key a flow's read-then-write work is serialised on (`Store.sql.serialize`): its next revision. */
export const flowKey = (id: string) => `carepath:flow:${id}`

const staleDraft = (current: number, base: number) =>
  new AppError(
    'conflict',
    `Someone saved this flow since you opened it (revision ${current}, yours ${base}). Reload and reapply your change.`,
    { path: 'baseRevision' },
  )

export function createFlowsService({ store, audit, now, registry, cipher = PLAINTEXT }: FlowDeps) {
  const db = store.db
  // A flow's suites are bound to the flow: a sealed suite copied to another flow does not open.
  const sealSuite = (flowId: string, value: JsonValue) => sealJson(cipher, SUITES_KEY, `suites|${flowId}`, value)
  const openSuite = (flowId: string, stored: JsonValue) => openJson(cipher, `suites|${flowId}`, stored)
  const storedSuite = async (flowId: string, draft: JsonValue | null, older: readonly JsonValue[]) =>
    draft !== null
      ? openSuite(flowId, draft)
      : mergedSuite(flowId, await Promise.all(older.map((s) => openSuite(flowId, s))))

  async function requireFlow(id: string) {
    const flow = await db.select().from(flows).where(eq(flows.id, id)).get()
    if (!flow) throw new AppError('not-found', `No flow with id "${id}".`, { path: 'id' })
    return flow
  }

  // Revisions with the same content hash may differ in their text: the published one is the
  // one reviewed, so it comes first; otherwise the newest.
  function versionByHash(id: string, hash: string) {
    return db
      .select()
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, id), eq(flowVersions.hash, hash)))
      .orderBy(desc(sql`${flowVersions.status} = 'published'`), desc(flowVersions.revision))
      .get()
  }

  /** One revision of a flow (its document, hashes and author). */
  async function revisionRow(id: string, revision: number) {
    const row = await db
      .select()
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, id), eq(flowVersions.revision, revision)))
      .get()
    if (!row) throw new AppError('not-found', `Flow "${id}" has no revision ${revision}.`, { path: 'revision' })
    return { ...row, documentHash: row.documentHash ?? documentHash(row.document) }
  }

  function list(search?: string) {
    // Case does not matter, on either database; `%` and `_` in the search are themselves.
    const pattern = search ? `%${search.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : undefined
    const matches = (column: typeof flows.id | typeof flows.title, p: string) =>
      sql`lower(${column}) LIKE lower(${p}) ESCAPE '\\'`
    return db
      .select({
        id: flows.id,
        title: flows.title,
        status: flows.status,
        draftRevision: flows.draftRevision,
        draftHash: flows.draftHash,
        publishedHash: flows.publishedHash,
        updatedAt: flows.updatedAt,
        updatedBy: flows.updatedBy,
      })
      .from(flows)
      .where(pattern ? or(matches(flows.id, pattern), matches(flows.title, pattern)) : undefined)
      .orderBy(flows.id)
      .all()
  }

  async function get(id: string) {
    const flow = await requireFlow(id)
    const draft = await db
      .select()
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, id), eq(flowVersions.revision, flow.draftRevision)))
      .get()
    // Written in the same transaction as the flow row: missing only in a damaged database.
    if (!draft) throw new Error(`Flow "${id}" has no stored draft revision ${flow.draftRevision}.`)
    const published = flow.publishedHash ? await versionByHash(id, flow.publishedHash) : undefined
    const flowReviews = await db
      .select({
        id: reviews.id,
        hash: reviews.hash,
        revision: reviews.revision,
        status: reviews.status,
        submittedBy: reviews.submittedBy,
        submittedAt: reviews.submittedAt,
        approvals: reviews.approvals,
        comments: reviews.comments,
      })
      .from(reviews)
      .where(eq(reviews.flowId, id))
      // Newest first, the same order the review service reads them in.
      .orderBy(...newestReviewFirst)
      .all()
    return {
      id: flow.id,
      title: flow.title,
      status: flow.status,
      draft: {
        document: draft.document,
        revision: flow.draftRevision,
        hash: flow.draftHash,
        author: flow.draftAuthor,
      },
      published: published ? { document: published.document, hash: published.hash } : null,
      // The draft's test cases, one suite in the suite file format.
      suites: [await storedSuite(id, draft.suite, flow.suites)],
      reviews: flowReviews,
    }
  }

  /** The test cases saved with a revision (the draft's when none is named), in the suite file format. */
  async function suite(id: string, revision?: number): Promise<JsonValue> {
    const flow = await requireFlow(id)
    const row = await db
      .select({ suite: flowVersions.suite })
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, id), eq(flowVersions.revision, revision ?? flow.draftRevision)))
      .get()
    if (!row) throw new AppError('not-found', `Flow "${id}" has no revision ${revision}.`, { path: 'revision' })
    return storedSuite(id, row.suite, flow.suites)
  }

  /** Create a flow from a valid document; revision 1, status draft. */
  async function create(raw: unknown, principal: Principal, rawSuites: readonly unknown[] = []) {
    const document = requireValidDocument(raw, registry)
    const suite = mergedSuite(
      document.id,
      rawSuites.map((s) => requireSuite(document.id, s)),
    )
    const suites = [suite]
    const hash = flowHashOf(document)
    const at = now().toISOString()
    const exists = new AppError('conflict', `A flow with id "${document.id}" already exists.`, { path: 'document.id' })
    try {
      await store.transaction(async () => {
        if (await db.select({ id: flows.id }).from(flows).where(eq(flows.id, document.id)).get()) throw exists
        await db.insert(flows).values({
          id: document.id,
          title: document.title,
          status: 'draft',
          draftRevision: 1,
          draftHash: hash,
          draftAuthor: principal.username,
          suites: await Promise.all(suites.map((s) => sealSuite(document.id, s))),
          updatedAt: at,
          updatedBy: principal.username,
        })

        await db.insert(flowVersions).values({
          flowId: document.id,
          revision: 1,
          hash,
          documentHash: documentHash(document),
          document,
          author: principal.username,
          status: 'draft',
          createdAt: at,
          suite: await sealSuite(document.id, suite),
        })

        await audit.record(flowCreated(auditActor(principal), document.id, hash))
      })
    } catch (error) {
      // Another process created it between the check and the insert.
      throw isUniqueViolation(error) ? exists : error
    }
    // Saved all the same: connector settings are per environment and may come later.
    return { id: document.id, revision: 1, hash, warnings: connectorProblems(document, registry) }
  }

  /**
   * Save a new draft revision, with new test cases or the previous revision's. A stale base
   * revision is refused (nothing overwritten); any edit that changes the content hash or the
   * test cases voids open or approved reviews (their report no longer shows this draft).
   */
  async function save(id: string, raw: unknown, baseRevision: number, principal: Principal, rawSuite?: unknown) {
    const document = requireValidDocument(raw, registry)
    if (document.id !== id)
      throw new AppError('bad-input', `The document's id "${document.id}" does not match the flow "${id}".`, {
        path: 'document.id',
      })
    const sentSuite = rawSuite === undefined ? undefined : requireSuite(id, rawSuite)
    const hash = flowHashOf(document)
    const docHash = documentHash(document)
    const at = now().toISOString()
    try {
      return await store.transaction(async () => {
        // The draft revision read here is the last committed one: two saves on one base revision
        // leave one winner and one conflict, never a lost update.
        await store.sql.serialize(flowKey(id))
        const flow = await requireFlow(id)
        if (flow.status === 'retired')
          throw new AppError('conflict', 'This flow is retired; duplicate it to change it.', { path: 'id' })
        if (flow.draftRevision !== baseRevision) throw staleDraft(flow.draftRevision, baseRevision)
        const revision = baseRevision + 1
        const previousSuite = await suite(id)
        const nextSuite = sentSuite ?? previousSuite
        await db.insert(flowVersions).values({
          flowId: id,
          revision,
          hash,
          documentHash: docHash,
          document,
          author: principal.username,
          status: 'draft',
          createdAt: at,
          suite: await sealSuite(id, nextSuite),
        })

        // Text is reviewed too: a new title or description voids approvals like a new threshold.
        const hashChanged =
          hash !== flow.draftHash || docHash !== (await revisionRow(id, flow.draftRevision)).documentHash
        const suiteChanged = !sameSuite(previousSuite, nextSuite)
        let status = flow.status
        if (hashChanged || (suiteChanged && (status === 'in-review' || status === 'approved'))) {
          await db
            .update(reviews)
            .set({ status: 'voided' })
            .where(and(eq(reviews.flowId, id), inArray(reviews.status, ['open', 'approved'])))

          const published = flow.publishedHash ? await versionByHash(id, flow.publishedHash) : undefined
          status =
            published &&
            hash === published.hash &&
            docHash === (published.documentHash ?? documentHash(published.document))
              ? 'published'
              : 'draft'
        }
        await db
          .update(flows)
          .set({
            title: document.title,
            suites: [await sealSuite(id, nextSuite)],
            draftRevision: revision,
            draftHash: hash,
            draftAuthor: principal.username,
            status,
            updatedAt: at,
            updatedBy: principal.username,
          })
          .where(eq(flows.id, id))

        await audit.record(
          flowSaved(
            auditActor(principal),
            { flow: id, hash },
            { revision, voidedReview: hashChanged && flow.status !== status },
          ),
        )
        return { revision, hash, suiteChanged, warnings: connectorProblems(document, registry) }
      })
    } catch (error) {
      // Only when serialising is not enough (a revision written outside this service).
      if (isUniqueViolation(error)) throw staleDraft(baseRevision + 1, baseRevision)
      throw error
    }
  }

  async function history(id: string) {
    await requireFlow(id)
    return db
      .select({
        hash: flowVersions.hash,
        revision: flowVersions.revision,
        status: flowVersions.status,
        author: flowVersions.author,
        at: flowVersions.createdAt,
        publishedAt: flowVersions.publishedAt,
      })
      .from(flowVersions)
      .where(eq(flowVersions.flowId, id))
      .orderBy(desc(flowVersions.revision))
      .all()
  }

  async function version(id: string, hash: string): Promise<FlowDocument> {
    await requireFlow(id)
    const row = await versionByHash(id, hash)
    if (!row) throw new AppError('not-found', `Flow "${id}" has no version with hash ${hash}.`, { path: 'hash' })
    return row.document
  }

  async function duplicate(id: string, newId: string, principal: Principal) {
    const source = await get(id)
    const document = { ...source.draft.document, id: newId, version: 1 }
    // The cases come along, renamed to the new flow.
    const suites = source.suites.map((s) =>
      s !== null && typeof s === 'object' && !Array.isArray(s) ? { ...s, flow: newId } : s,
    )
    return create(document, principal, suites)
  }

  async function retire(id: string, principal: Principal) {
    await store.transaction(async () => {
      await store.sql.serialize(flowKey(id))
      const flow = await requireFlow(id)
      if (flow.status === 'retired') throw new AppError('conflict', 'This flow is already retired.', { path: 'id' })
      await db
        .update(flows)
        .set({ status: 'retired', updatedAt: now().toISOString(), updatedBy: principal.username })
        .where(eq(flows.id, id))

      if (flow.publishedHash) {
        await db
          .update(flowVersions)
          .set({ status: 'retired' })
          .where(and(eq(flowVersions.flowId, id), eq(flowVersions.hash, flow.publishedHash)))
      }
      await audit.record(
        flowRetired(auditActor(principal), { flow: id, ...(flow.publishedHash ? { hash: flow.publishedHash } : {}) }),
      )
    })
    return { id, status: 'retired' as const }
  }

  return {
    list,
    get,
    suite,
    create,
    save,
    history,
    version,
    duplicate,
    retire,
    requireFlow,
    versionByHash,
    revisionRow,
  }
}
/** The flows, on the store (every method awaited). */
export type Flows = ReturnType<typeof createFlowsService>
