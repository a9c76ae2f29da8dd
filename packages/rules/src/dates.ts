/**
 * Dates as Carepath's operators read them. Only ISO-8601 is accepted: a calendar date
 * (`2026-03-01`) or a date-time with `Z` or an explicit offset. A date-time without an offset is
 * refused, because reading it would depend on the machine's time zone.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/
const DAY_MS = 86_400_000

export interface ParsedDate {
  /** Milliseconds since the epoch (a calendar date is read as midnight UTC). */
  ms: number
  /** Whole UTC days since the epoch. */
  day: number
  /** True when the text carried a time of day. */
  hasTime: boolean
}

function validCalendar(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)
}

/** Parse an ISO date or offset date-time; undefined for anything else (including non-strings). */
export function parseDate(value: unknown): ParsedDate | undefined {
  if (typeof value !== 'string') return undefined
  const dateOnly = DATE.exec(value)
  if (dateOnly) {
    // Every group takes part in a match; the defaults only satisfy the index type.
    const [, y = '', m = '', d = ''] = dateOnly
    if (!validCalendar(y, m, d)) return undefined
    const ms = Date.UTC(Number(y), Number(m) - 1, Number(d))
    return { ms, day: ms / DAY_MS, hasTime: false }
  }
  const dateTime = DATE_TIME.exec(value)
  if (!dateTime) return undefined
  const [, y = '', m = '', d = ''] = dateTime
  if (!validCalendar(y, m, d)) return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) return undefined
  return { ms, day: Math.floor(ms / DAY_MS), hasTime: true }
}

/**
 * Compare two dates: by instant when both carry a time, otherwise by UTC calendar day
 * (so "2026-03-01" is neither before nor after "2026-03-01T15:00:00Z").
 */
export function compareDates(a: ParsedDate, b: ParsedDate): number {
  if (a.hasTime && b.hasTime) return Math.sign(a.ms - b.ms)
  return Math.sign(a.day - b.day)
}

/** Whole years from `birth` to `at` by the calendar: a Feb 29 birthday counts from Mar 1 in other years. */
export function ageInYears(birth: ParsedDate, at: ParsedDate): number {
  const b = new Date(birth.day * DAY_MS)
  const a = new Date(at.day * DAY_MS)
  let years = a.getUTCFullYear() - b.getUTCFullYear()
  const beforeBirthday =
    a.getUTCMonth() < b.getUTCMonth() || (a.getUTCMonth() === b.getUTCMonth() && a.getUTCDate() < b.getUTCDate())
  if (beforeBirthday) years -= 1
  return years
}

/** The calendar date `days` days after the given one, as `YYYY-MM-DD`. */
export function addDays(date: ParsedDate, days: number): string {
  return new Date((date.day + days) * DAY_MS).toISOString().slice(0, 10)
}

/** The calendar date `years` years after the given one (Feb 29 → Feb 28), as `YYYY-MM-DD`. */
export function addYears(date: ParsedDate, years: number): string {
  const d = new Date(date.day * DAY_MS)
  const y = d.getUTCFullYear() + years
  const m = d.getUTCMonth()
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay))).toISOString().slice(0, 10)
}

export { DAY_MS }
