// The PHI touchpoint map as the runtime serves it: per flow version (with the installation's
// connector settings, so encryption is known where it can be, and its queues' PHI clearances, so
// a class a queue's clearance withholds is not reported as seen), its diff against the published
// version, and the installation's rollup (every flow, every system) with the date a compliance
// person last reviewed it. The review record is a setting; recording it is audited.
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import {
  buildPhiMap,
  describeEndpoint,
  migrateFlow,
  diffPhiMaps,
  PHI_CLASSES,
  type FlowDocument,
  type NodeRegistry,
  type PhiClass,
  type PhiEndpoint,
  type PhiMap,
  type PhiMapDiff,
} from '@carepath/dsl'
import { describeBuiltinEndpoints } from '@carepath/nodes'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { phiMapReviewed } from '../audit/audit-entries.ts'
import { settings } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Flows } from '../flows/flows.service.ts'
import type { IntegrationSettings } from '../integrations/index.ts'
import type { QueueClearances } from './redaction-gate.ts'
import type { Store } from '../store/store.ts'
import { writeSetting } from '../review/stored-setting.ts'

const REVIEW_KEY = 'phi-map-review'
const reviewSchema = z.object({ reviewedOn: z.iso.datetime(), reviewedBy: z.string() }).strict()
/** When the installation's map was last reviewed, and by whom. */
export type PhiMapReview = z.infer<typeof reviewSchema>

/** A review is due a quarter (three calendar months) after the last one. */
export function reviewDueOn(reviewedOn: string): string {
  const due = new Date(reviewedOn)
  due.setUTCMonth(due.getUTCMonth() + 3)
  return due.toISOString()
}

/** One version's map, with which version it is. */
export interface VersionMap {
  flowId: string
  revision: number
  hash: string
  status: string
  map: PhiMap
}

/** One flow in the rollup: the version that runs (the draft when none is published yet). */
export interface RollupFlow {
  flowId: string
  title: string
  revision: number
  published: boolean
  classes: PhiClass[]
  systems: string[]
  /** Where the flow asks for a class a queue's clearance withholds: `coverage: asked for by …`. */
  withheld: string[]
}

/** One outside system in the rollup, and what reaches it from which flows. */
export interface RollupSystem extends PhiEndpoint {
  classes: PhiClass[]
  flows: string[]
}

/** The installation's rollup. */
export interface PhiMapRollup {
  flows: RollupFlow[]
  systems: RollupSystem[]
  review: PhiMapReview | null
  /** When the next review is due (null: never reviewed). */
  reviewDue: string | null
  /** No review yet, or the last one is a quarter old or older. */
  overdue: boolean
}

export interface PhiMapDeps {
  store: Store
  audit: AuditRecorder
  now: () => Date
  registry: NodeRegistry
  flows: Pick<Flows, 'history' | 'get' | 'version' | 'list'>
  /** The installation's connector settings, read when a map is built (they change). */
  settings: () => IntegrationSettings
  /** The queues' PHI clearances (the queues service's), read when a map is built (they change). */
  clearances: () => Promise<QueueClearances>
}

/** Whether the map is due for review, from its last review and whether there is any flow to map. */
export type PhiMapReviewStatus = Pick<PhiMapRollup, 'review' | 'reviewDue' | 'overdue'>

export function reviewStatusOf(last: PhiMapReview | null, anyFlow: boolean, now: Date): PhiMapReviewStatus {
  const reviewDue = last ? reviewDueOn(last.reviewedOn) : null
  const overdue = anyFlow && (reviewDue === null || reviewDue <= now.toISOString())
  return { review: last, reviewDue, overdue }
}

/** The stored review setting, read through its schema. */
export function storedReview(value: unknown): PhiMapReview | null {
  const parsed = reviewSchema.safeParse(value)
  return parsed.success ? parsed.data : null
}

/** Where the review is stored (the settings table). */
export const PHI_MAP_REVIEW_KEY = REVIEW_KEY

const sorted = <T>(values: Iterable<T>) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

export function createPhiMapService(deps: PhiMapDeps) {
  const { store, flows } = deps
  const db = store.db

  /** A builder of maps under the settings and clearances as they stand now (one read of each). */
  async function mapper(): Promise<(document: FlowDocument) => PhiMap> {
    const stored = deps.settings()
    const lookup = (key: string) => (Object.hasOwn(stored, key) ? stored[key] : undefined)
    const options = { describeEndpoints: describeBuiltinEndpoints(lookup), clearances: await deps.clearances() }
    return (document) => buildPhiMap(document, deps.registry, options)
  }

  /** The stored revision `revision` of a flow, or its draft. Not found: a plain 404. */
  async function revisionOf(flowId: string, revision?: number) {
    const history = await flows.history(flowId)
    const draft = (await flows.get(flowId)).draft.revision
    const row = history.find((r) => r.revision === (revision ?? draft))
    if (!row) {
      const known = history.map((r) => r.revision).join(', ')
      throw new AppError('not-found', `Flow "${flowId}" has no version ${revision} (versions: ${known}).`, {
        path: 'version',
      })
    }
    return row
  }

  /** The map of one version (the draft when `revision` is absent), built by `mapOf`. */
  async function versionMap(
    flowId: string,
    revision: number | undefined,
    mapOf: (document: FlowDocument) => PhiMap,
  ): Promise<VersionMap> {
    const row = await revisionOf(flowId, revision)
    const document = await flows.version(flowId, row.hash)
    return { flowId, revision: row.revision, hash: row.hash, status: row.status, map: mapOf(document) }
  }

  /** The map of one version (the draft when `revision` is absent). */
  async function map(flowId: string, revision?: number): Promise<VersionMap> {
    return versionMap(flowId, revision, await mapper())
  }

  /**
   * The map of a document being edited, before it is saved: it need only have the shape of a flow
   * (a draft with validation errors is still mapped, so an analyst sees what a change would send).
   */
  async function preview(raw: unknown): Promise<PhiMap> {
    const migrated = migrateFlow(raw, deps.registry)
    if (!migrated.ok) {
      const first = migrated.problems[0]
      throw new AppError(
        'bad-input',
        `The flow cannot be mapped: ${first?.message ?? 'it does not have the shape of a flow'}`,
        {
          path: 'document',
        },
      )
    }
    return (await mapper())(migrated.document)
  }

  /** What a version (the draft by default) changes in the map against the published version. */
  async function diff(
    flowId: string,
    revision?: number,
  ): Promise<{ revision: number; publishedRevision: number | null } & PhiMapDiff> {
    // Both sides under the same (today's) clearances: a clearance change is not the version's change.
    const mapOf = await mapper()
    const after = await versionMap(flowId, revision, mapOf)
    const flow = await flows.get(flowId)
    const publishedHash = flow.published?.hash
    const published = publishedHash ? (await flows.history(flowId)).find((r) => r.hash === publishedHash) : undefined
    const before = flow.published ? mapOf(flow.published.document) : undefined
    return {
      revision: after.revision,
      publishedRevision: published?.revision ?? null,
      ...diffPhiMaps(before, after.map),
    }
  }

  async function review(): Promise<PhiMapReview | null> {
    const row = await db.select().from(settings).where(eq(settings.key, REVIEW_KEY)).get()
    return storedReview(row?.value)
  }

  /** Whether the installation's map awaits its quarterly review (nothing to review: never). */
  async function reviewStatus(): Promise<PhiMapReviewStatus> {
    return reviewStatusOf(await review(), (await flows.list()).length > 0, deps.now())
  }

  /** Every flow's running version (the draft until one is published) and every system they reach. */
  async function rollup(): Promise<PhiMapRollup> {
    const systems = new Map<string, RollupSystem>()
    const rolled: RollupFlow[] = []
    const mapOf = await mapper()
    for (const f of (await flows.list()).filter((flow) => flow.status !== 'retired')) {
      const hash = f.publishedHash ?? f.draftHash
      const row = (await flows.history(f.id)).find((r) => r.hash === hash)
      const m = mapOf(await flows.version(f.id, hash))
      const sent = m.touchpoints.filter((t) => t.kind === 'sent' && t.endpoint)
      for (const t of sent) {
        if (!t.endpoint) continue
        const key = describeEndpoint(t.endpoint) + (t.endpoint.endpoint ?? '')
        const entry = systems.get(key) ?? { ...t.endpoint, classes: [], flows: [] }
        if (!entry.classes.includes(t.phiClass)) entry.classes.push(t.phiClass)
        if (!entry.flows.includes(m.title)) entry.flows.push(m.title)
        systems.set(key, entry)
      }
      rolled.push({
        flowId: f.id,
        title: m.title,
        revision: row?.revision ?? f.draftRevision,
        published: f.publishedHash !== null,
        classes: m.classes.map((c) => c.phiClass),
        systems: sorted(new Set(sent.flatMap((t) => (t.endpoint ? [describeEndpoint(t.endpoint)] : [])))),
        withheld: m.classes.flatMap((c) => (c.withheld ?? []).map((words) => `${c.phiClass}: ${words}`)),
      })
    }
    const systemList = [...systems.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => ({ ...s, classes: PHI_CLASSES.filter((c) => s.classes.includes(c)), flows: sorted(s.flows) }))
    return { flows: rolled, systems: systemList, ...(await reviewStatus()) }
  }

  /** Record that a person reviewed the installation's map today. Audited. */
  async function markReviewed(actor: { who: string; role: string }): Promise<PhiMapReview> {
    const value: PhiMapReview = { reviewedOn: deps.now().toISOString(), reviewedBy: actor.who }
    const flowIds = (await flows.list()).map((f) => f.id)
    await store.transaction(async () => {
      await writeSetting(store, REVIEW_KEY, value)
      await deps.audit.record(phiMapReviewed(actor, flowIds))
    })
    return value
  }

  return { map, preview, diff, rollup, review, reviewStatus, markReviewed }
}
export type PhiMapService = ReturnType<typeof createPhiMapService>
