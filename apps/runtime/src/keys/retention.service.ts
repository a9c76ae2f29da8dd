// Retention of run data with PHI, per flow: once a day of a flow's runs is older than the
// flow's retention period and none of them is still running or waiting, the data key those runs
// were sealed under is shredded. Their events and tasks become unreadable for good (the
// append-only logs are never rewritten); the run rows (status, outcome, times: the metrics) and
// the audit trail stay, and the purge itself is audited. Audit records are never purged here:
// the trail is kept at least six years (`AUDIT_RETENTION_YEARS`), longer if the installation says so.
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { AuditActor } from '../audit/audit-entries.ts'
import { retentionPurged, retentionSet } from '../audit/audit-entries.ts'
import type { AuditService } from '../audit/audit.service.ts'
import type { Db } from '../db/open-db.ts'
import { settings } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { runKeyId } from '../runs/run-store.ts'
import type { DataCipher } from './data-cipher.ts'

/** HIPAA's six years for audit records: the floor, never lowered. */
export const AUDIT_RETENTION_YEARS = 6
const KEY = 'retention.runs'
const DAY_MS = 24 * 3600_000
const SYSTEM: AuditActor = { who: 'carepath-retention', role: 'system' }

const retentionSchema = z.record(z.string(), z.number().int().min(1).max(36_500))

export function createRetentionService(deps: { db: Db; audit: AuditService; cipher: DataCipher; now: () => Date }) {
  const { db, audit, cipher, now } = deps
  const sql = db.$client

  /** Days each flow's run data is kept (flows not listed: kept until someone sets a period). */
  function periods(): Record<string, number> {
    const parsed = retentionSchema.safeParse(db.select().from(settings).where(eq(settings.key, KEY)).get()?.value)
    return parsed.success ? parsed.data : {}
  }

  function setPeriod(flowId: string, days: number | null, actor: AuditActor) {
    if (days !== null && (!Number.isInteger(days) || days < 1))
      throw new AppError('bad-input', 'A retention period is a whole number of days, at least 1.', { path: 'days' })
    const next = { ...periods() }
    if (days === null) delete next[flowId]
    else next[flowId] = days
    db.transaction(() => {
      db.insert(settings)
        .values({ key: KEY, value: next })
        .onConflictDoUpdate({ target: settings.key, set: { value: next } })
        .run()
      audit.append(retentionSet(actor, { flow: flowId, days }))
    })
    return next
  }

  /** Shred every flow-day past its period whose runs have all ended; returns what was purged. */
  function apply(): { flow: string; day: string; runs: number }[] {
    const purged: { flow: string; day: string; runs: number }[] = []
    const days = sql.prepare<[string, string], { day: string; runs: number; live: number }>(
      `SELECT substr(created_at, 1, 10) AS day, count(*) AS runs,
              sum(CASE WHEN status IN ('running', 'waiting') THEN 1 ELSE 0 END) AS live
         FROM runs WHERE flow_id = ? AND substr(created_at, 1, 10) < ? GROUP BY day ORDER BY day`,
    )
    for (const [flow, keepDays] of Object.entries(periods())) {
      const cutoff = new Date(now().getTime() - keepDays * DAY_MS).toISOString().slice(0, 10)
      for (const { day, runs, live } of days.all(flow, cutoff)) {
        // A run still going keeps its day's key until it ends (its data must stay readable to finish).
        if (live > 0) continue
        const keyId = runKeyId(flow, day)
        db.transaction(() => {
          if (!cipher.shred(keyId, now().toISOString())) return
          audit.append(retentionPurged(SYSTEM, { flow, day, runs }))
          purged.push({ flow, day, runs })
        })
      }
    }
    return purged
  }

  return { periods, setPeriod, apply, auditYears: AUDIT_RETENTION_YEARS }
}
export type RetentionService = ReturnType<typeof createRetentionService>
