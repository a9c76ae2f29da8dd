// ISO-8601 durations (PT30M, P2D, P1Y2M) and calendar arithmetic on the injected clock.
// Pure and UTC-based, so the same run computes the same due time on every machine.
import { z } from 'zod'

const DURATION_PATTERN = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/

/** The parts of an ISO-8601 duration (whole numbers only). */
export interface Duration {
  years: number
  months: number
  weeks: number
  days: number
  hours: number
  minutes: number
  seconds: number
}

/** Parse `PT30M`, `P2D`, `P1Y2M10DT2H` ...; undefined when it is not a non-empty ISO-8601 duration. */
export function parseDuration(text: string): Duration | undefined {
  const match = DURATION_PATTERN.exec(text)
  if (!match || text === 'P' || text.endsWith('T')) return undefined
  const part = (index: number): number => Number(match[index] ?? 0)
  return {
    years: part(1),
    months: part(2),
    weeks: part(3),
    days: part(4),
    hours: part(5),
    minutes: part(6),
    seconds: part(7),
  }
}

/** A zod schema for a positive ISO-8601 duration string. */
export const durationSchema = z.string().refine((text) => {
  const duration = parseDuration(text)
  return duration !== undefined && Object.values(duration).some((part) => part > 0)
}, 'an ISO-8601 duration such as PT30M, P2D or P1M')

/**
 * Add a duration to an instant. Years and months move the calendar date (Jan 31 + P1M is
 * the last day of February, as most people expect); the rest is exact time.
 */
export function addDuration(instant: string, duration: Duration): string {
  const start = new Date(instant)
  if (Number.isNaN(start.getTime())) throw new RangeError('not a valid instant')
  const totalMonths = start.getUTCMonth() + duration.years * 12 + duration.months
  const year = start.getUTCFullYear() + Math.floor(totalMonths / 12)
  const month = ((totalMonths % 12) + 12) % 12
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const shifted = Date.UTC(
    year,
    month,
    Math.min(start.getUTCDate(), lastDay),
    start.getUTCHours(),
    start.getUTCMinutes(),
    start.getUTCSeconds(),
    start.getUTCMilliseconds(),
  )
  const exact =
    ((((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 60 + duration.minutes) * 60 + duration.seconds) *
    1000
  return new Date(shifted + exact).toISOString()
}

/** Read a date (`2025-03-01`, taken as midnight UTC) or date-time fact as an ISO instant. */
export function toInstant(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) return undefined
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(date.getTime())) return undefined
  // Reject dates the Date constructor silently rolls over, such as 2025-02-30.
  if (date.toISOString().slice(0, 10) !== value.slice(0, 10) && value.length === 10) return undefined
  return date.toISOString()
}
