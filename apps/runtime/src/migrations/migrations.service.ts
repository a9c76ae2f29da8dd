// Moving waiting runs of one version to the published one (Camunda's process-instance
// migration): an analyst proposes a plan (where each waiting step goes in the new version), the
// simulator replays every waiting run's recorded input, connector responses and answers against
// the new version and reports which would have taken another path; a reviewer who did not
// propose it approves (four eyes); applying moves each run, audited per run, its log recording
// both hashes (`run.migrated`) so it still replays.
import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import type { NodeRegistry } from '@carepath/dsl'
import { foldEvents, replayRecorded, waitingNode, type RunEvent } from '@carepath/engine'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { migrationApplied, migrationDecided } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { runMigrations } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Flows } from '../flows/flows.service.ts'
import type { RunsService } from '../runs/runs.service.ts'
import type { Store } from '../store/store.ts'
import {
  migrationReportSchema,
  migrationResultsSchema,
  type MigrationReport,
  type MigrationResults,
  type PlannedRun,
} from './migration-report.schema.ts'

export interface MigrationsDeps {
  store: Store
  audit: AuditRecorder
  now: () => Date
  registry: NodeRegistry
  flows: Pick<Flows, 'requireFlow' | 'versionByHash'>
  runs: RunsService
}

/** Decisions on one migration are serialised: an approval sees the status last committed. */
const migrationKey = (id: string) => `carepath:migration:${id}`

export function createMigrationsService(deps: MigrationsDeps) {
  const { store, audit, now, registry, flows, runs } = deps
  const db = store.db

  async function requireMigration(id: string) {
    const row = await db.select().from(runMigrations).where(eq(runMigrations.id, id)).get()
    if (!row) throw new AppError('not-found', `No migration with id "${id}".`, { path: 'id' })
    return row
  }

  /** The waiting runs of `fromHash`, each replayed against the published version, with the mapping applied. */
  async function report(flowId: string, fromHash: string, toHash: string, mapping: Record<string, string>) {
    const target = await runs.documentFor(flowId, toHash)
    const waiting = await runs.store.waitingRuns(flowId, fromHash)
    const logs: { id: string; events: RunEvent[] }[] = []
    for (const row of waiting) logs.push({ id: row.id, events: await runs.store.events(row.id) })
    const replay = await replayRecorded(target, logs, {
      registry,
      now: now().toISOString(),
      loadFlow: (id, hash) => runs.documentFor(id, hash),
    })
    const planned: PlannedRun[] = logs.map((log) => {
      const at = waitingNode(foldEvents(log.events)) ?? null
      const mapped = at === null ? undefined : Object.hasOwn(mapping, at) ? mapping[at] : at
      const toNode = mapped !== undefined && Object.hasOwn(target.nodes, mapped) ? mapped : null
      const c = replay.cases.find((item) => item.id === log.id)
      const split = c?.changes?.path
      const note =
        at === null
          ? 'It waits inside a subflow, which cannot move.'
          : toNode === null
            ? `The new version has no node "${mapped ?? at}": map "${at}" to one of its nodes.`
            : split
              ? `Replayed against the new version, its path splits at step ${split.index + 1}: "${split.base ?? 'end'}" before, "${split.candidate ?? 'end'}" now.`
              : c?.status === 'failed'
                ? 'Replayed against the new version, its recorded answers or responses do not fit.'
                : null
      return { runId: log.id, waitingAt: at, toNode, replay: c?.status ?? 'failed', note }
    })
    const result: MigrationReport = {
      runs: planned,
      summary: {
        runs: planned.length,
        movable: planned.filter((r) => r.toNode !== null).length,
        needsMapping: planned.filter((r) => r.waitingAt !== null && r.toNode === null).length,
        changed: planned.filter((r) => r.replay !== 'unchanged').length,
      },
    }
    return result
  }

  /** Propose moving the waiting runs of `fromHash` to the published version, with the simulator's report. */
  async function plan(
    input: { flowId: string; fromHash: string; mapping: Record<string, string> },
    principal: Principal,
  ) {
    const flow = await flows.requireFlow(input.flowId)
    if (!flow.publishedHash) throw new AppError('conflict', 'This flow has no published version to move runs to.')
    if (flow.publishedHash === input.fromHash)
      throw new AppError('conflict', 'The runs of the published version are already on it.', { path: 'fromHash' })
    if (!(await flows.versionByHash(input.flowId, input.fromHash)))
      throw new AppError('not-found', `Flow "${input.flowId}" has no version ${input.fromHash}.`, { path: 'fromHash' })
    const result = await report(input.flowId, input.fromHash, flow.publishedHash, input.mapping)
    const id = randomUUID()
    const at = now().toISOString()
    await store.transaction(async () => {
      await db.insert(runMigrations).values({
        id,
        flowId: input.flowId,
        fromHash: input.fromHash,
        toHash: flow.publishedHash as string,
        mapping: input.mapping,
        report: result,
        status: 'proposed',
        proposedBy: principal.username,
        proposedAt: at,
      })
      await audit.record(
        migrationDecided('migration.plan', auditActor(principal), input.flowId, flow.publishedHash as string, {
          migration: id,
          fromHash: input.fromHash,
          runs: result.summary.runs,
          changed: result.summary.changed,
        }),
      )
    })
    return get(id)
  }

  /** A stored plan, its JSON read back through its schemas. */
  function read(row: typeof runMigrations.$inferSelect) {
    return {
      ...row,
      report: migrationReportSchema.parse(row.report),
      results: row.results === null ? null : migrationResultsSchema.parse(row.results),
    }
  }

  async function get(id: string) {
    return read(await requireMigration(id))
  }

  /** Approve a proposed plan: a reviewer who did not propose it. */
  async function approve(id: string, principal: Principal) {
    await store.transaction(async () => {
      await store.sql.serialize(migrationKey(id))
      const row = await get(id)
      if (row.status !== 'proposed') throw new AppError('conflict', `This migration is already ${row.status}.`)
      if (row.proposedBy === principal.username)
        throw new AppError('forbidden', 'Someone other than the person who proposed a migration must approve it.')
      await db
        .update(runMigrations)
        .set({ status: 'approved', approvedBy: principal.username })
        .where(eq(runMigrations.id, id))
      await audit.record(
        migrationDecided('migration.approve', auditActor(principal), row.flowId, row.toHash, {
          migration: id,
          fromHash: row.fromHash,
          runs: row.report.summary.runs,
          changed: row.report.summary.changed,
        }),
      )
    })
    return get(id)
  }

  /** Move every run of an approved plan that can move; each run's move and its audit record commit together. */
  async function apply(id: string, principal: Principal) {
    const row = await get(id)
    if (row.status !== 'approved') throw new AppError('conflict', 'Only an approved migration can be applied.')
    const plan = row.report
    const results: MigrationResults = []
    for (const planned of plan.runs) {
      if (planned.toNode === null) {
        results.push({ runId: planned.runId, moved: false, reason: planned.note ?? 'no node to go on from' })
        continue
      }
      const toNode = planned.toNode
      try {
        await runs.migrate(planned.runId, { migration: id, toHash: row.toHash, toNode }, auditActor(principal), () =>
          audit.record(
            migrationApplied(auditActor(principal), row.flowId, row.toHash, planned.runId, {
              migration: id,
              fromHash: row.fromHash,
              fromNode: planned.waitingAt ?? '',
              toNode,
            }),
          ),
        )
        results.push({ runId: planned.runId, moved: true })
      } catch (error) {
        // The run moved on since the plan (it was answered, timed out): it stays where it is.
        if (!(error instanceof AppError)) throw error
        results.push({ runId: planned.runId, moved: false, reason: error.message })
      }
    }
    await db
      .update(runMigrations)
      .set({ status: 'applied', appliedAt: now().toISOString(), results })
      .where(and(eq(runMigrations.id, id), eq(runMigrations.status, 'approved')))
    return get(id)
  }

  async function list(flowId: string) {
    const rows = await db
      .select()
      .from(runMigrations)
      .where(eq(runMigrations.flowId, flowId))
      .orderBy(runMigrations.proposedAt, runMigrations.id)
      .all()
    return rows.map(read)
  }

  return { plan, get, approve, apply, list }
}
export type MigrationsService = ReturnType<typeof createMigrationsService>
