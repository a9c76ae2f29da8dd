// Retention of run data with PHI, per flow: once a day of a flow's runs is older than the
// flow's retention period and none of them is still running or waiting, the data key those runs
// were sealed under is shredded. Inbound HL7 messages have one period for the installation: a day
// of them past it, every one answered, is deleted and its data key shredded (the runs they
// started keep what they need, under their own keys). Their events and tasks become unreadable for good (the
// append-only logs are never rewritten); the run rows (status, outcome, times: the metrics) and
// the audit trail stay, and the purge itself is audited. Audit records are never purged here:
// the trail is kept at least six years (`AUDIT_RETENTION_YEARS`), longer if the installation says so.
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { AuditActor } from '../audit/audit-entries.ts'
import { inboundRetentionPurged, inboundRetentionSet, retentionPurged, retentionSet } from '../audit/audit-entries.ts'
import type { AuditService } from '../audit/audit.service.ts'
import { settings } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { hl7InboundKeyId } from '../integrations/hl7/hl7-db-store.ts'
import { runKeyId } from '../runs/run-store.ts'
import { writeSetting } from '../review/stored-setting.ts'
import type { Store } from '../store/store.ts'
import type { DataCipher } from './data-cipher.ts'

/** HIPAA's six years for audit records: the floor, never lowered. */
export const AUDIT_RETENTION_YEARS = 6
const KEY = 'retention.runs'
const INBOUND_KEY = 'retention.hl7-inbound'
const DAY_MS = 24 * 3600_000
const SYSTEM: AuditActor = { who: 'carepath-retention', role: 'system' }

const daysSchema = z.number().int().min(1).max(36_500)
const retentionSchema = z.record(z.string(), daysSchema)

export function createRetentionService(deps: {
  store: Store
  audit: AuditService
  cipher: DataCipher
  now: () => Date
}) {
  const { store, audit, cipher, now } = deps

  /** Days each flow's run data is kept (flows not listed: kept until someone sets a period). */
  async function periods(): Promise<Record<string, number>> {
    const row = await store.db.select().from(settings).where(eq(settings.key, KEY)).get()
    const parsed = retentionSchema.safeParse(row?.value)
    return parsed.success ? parsed.data : {}
  }

  async function setPeriod(flowId: string, days: number | null, actor: AuditActor) {
    if (days !== null && (!Number.isInteger(days) || days < 1))
      throw new AppError('bad-input', 'A retention period is a whole number of days, at least 1.', { path: 'days' })
    return store.transaction(async () => {
      // Read and written under one lock: two admins setting two flows at once both keep theirs.
      await store.sql.serialize(`settings:${KEY}`)
      const next = { ...(await periods()) }
      if (days === null) delete next[flowId]
      else next[flowId] = days
      await writeSetting(store, KEY, next)
      await audit.record(retentionSet(actor, { flow: flowId, days }))
      return next
    })
  }

  /** Days inbound HL7 messages are kept (null: kept until someone sets a period). */
  async function inboundPeriod(): Promise<number | null> {
    const row = await store.db.select().from(settings).where(eq(settings.key, INBOUND_KEY)).get()
    const parsed = daysSchema.safeParse(row?.value)
    return parsed.success ? parsed.data : null
  }

  async function setInboundPeriod(days: number | null, actor: AuditActor): Promise<number | null> {
    if (days !== null && !daysSchema.safeParse(days).success)
      throw new AppError('bad-input', 'A retention period is a whole number of days, from 1 to 36,500.', {
        path: 'days',
      })
    return store.transaction(async () => {
      await writeSetting(store, INBOUND_KEY, days)
      await audit.record(inboundRetentionSet(actor, { days }))
      return days
    })
  }

  /**
   * Delete every day of inbound HL7 messages past the period, shredding the day's data key; a day
   * with a message still to be answered (or to be retried) waits for it. Returns what was purged.
   */
  async function applyInbound(): Promise<{ day: string; messages: number }[]> {
    const keepDays = await inboundPeriod()
    if (keepDays === null) return []
    const cutoff = new Date(now().getTime() - keepDays * DAY_MS).toISOString().slice(0, 10)
    const days = await store.sql.all<{ day: string; open: number }>(
      `SELECT substr(received_at, 1, 10) AS day, sum(CASE WHEN lease_until IS NULL THEN 0 ELSE 1 END) AS open
         FROM hl7_messages WHERE received_at < ? GROUP BY substr(received_at, 1, 10) ORDER BY day`,
      [cutoff],
    )
    const purged: { day: string; messages: number }[] = []
    for (const { day, open } of days) {
      if (Number(open) > 0) continue
      const nextDay = new Date(Date.parse(day) + DAY_MS).toISOString().slice(0, 10)
      await store.transaction(async () => {
        // The day's key may already be gone (shredded by hand) or never made: the rows go all the same.
        await cipher.shred(hl7InboundKeyId(day), now().toISOString())
        const { changes } = await store.sql.run(
          'DELETE FROM hl7_messages WHERE received_at >= ? AND received_at < ? AND lease_until IS NULL',
          [day, nextDay],
        )
        const purge = { day, messages: changes }
        await audit.record(inboundRetentionPurged(SYSTEM, purge))
        purged.push(purge)
      })
    }
    return purged
  }

  /** Shred every flow-day past its period whose runs have all ended; returns what was purged. */
  async function apply(): Promise<{ flow: string; day: string; runs: number }[]> {
    const purged: { flow: string; day: string; runs: number }[] = []
    for (const [flow, keepDays] of Object.entries(await periods())) {
      const cutoff = new Date(now().getTime() - keepDays * DAY_MS).toISOString().slice(0, 10)
      const days = await store.sql.all<{ day: string; runs: number; live: number }>(
        `SELECT substr(created_at, 1, 10) AS day, count(*) AS runs,
                sum(CASE WHEN status IN ('running', 'waiting') THEN 1 ELSE 0 END) AS live
           FROM runs WHERE flow_id = ? AND substr(created_at, 1, 10) < ? GROUP BY substr(created_at, 1, 10) ORDER BY day`,
        [flow, cutoff],
      )
      for (const { day, runs, live } of days) {
        // A run still going keeps its day's key until it ends (its data must stay readable to finish).
        if (Number(live) > 0) continue
        const keyId = runKeyId(flow, day)
        await store.transaction(async () => {
          if (!(await cipher.shred(keyId, now().toISOString()))) return
          const purge = { flow, day, runs: Number(runs) }
          await audit.record(retentionPurged(SYSTEM, purge))
          purged.push(purge)
        })
      }
    }
    return purged
  }

  return { periods, setPeriod, apply, inboundPeriod, setInboundPeriod, applyInbound, auditYears: AUDIT_RETENTION_YEARS }
}
export type RetentionService = ReturnType<typeof createRetentionService>
