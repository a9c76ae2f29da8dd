// Due times counted in a flow's working hours: "2 business days" from Friday afternoon is Tuesday
// afternoon, and a holiday does not count. Local dates, opening times and DST come from luxon
// (time zone arithmetic is a library's job), so the same run computes the same time everywhere.
import { DateTime } from 'luxon'
import type { FlowCalendar } from '@carepath/dsl'
import type { Duration } from './iso-duration.ts'

const WEEKDAY_NUMBERS = { MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6, SUN: 7 } as const

function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number)
  return hours * 60 + minutes
}

/** The working day of `day` (local): its opening and closing instants, or undefined when nobody works. */
function workingHours(day: DateTime, calendar: FlowCalendar): { opens: DateTime; closes: DateTime } | undefined {
  const workdays: readonly number[] = calendar.days.map((name) => WEEKDAY_NUMBERS[name])
  if (!workdays.includes(day.weekday) || calendar.holidays.includes(day.toISODate() ?? '')) return undefined
  const midnight = day.startOf('day')
  return {
    opens: midnight.plus({ minutes: minutesOf(calendar.opens) }),
    closes: midnight.plus({ minutes: minutesOf(calendar.closes) }),
  }
}

/** The first working day on or after `day` (a calendar with no working day at all is refused by its schema). */
function nextWorkingDay(day: DateTime, calendar: FlowCalendar): { opens: DateTime; closes: DateTime } {
  for (let offset = 0; offset < 3 * 366; offset++) {
    const hours = workingHours(day.plus({ days: offset }), calendar)
    if (hours) return hours
  }
  throw new RangeError('The calendar has no working day in the next three years.')
}

/**
 * `start` plus `duration` counted in working time: whole days (and weeks) move to the same time
 * of the next working days, hours, minutes and seconds count only while the flow's people work.
 * Time outside working hours counts from the next opening. Months and years are refused (a
 * business month means nothing precise).
 */
export function addBusinessTime(start: string, duration: Duration, calendar: FlowCalendar): string {
  if (duration.years > 0 || duration.months > 0) {
    throw new RangeError('A due time in business hours is given in weeks, days, hours or minutes.')
  }
  const parsed = DateTime.fromISO(start, { zone: calendar.timezone })
  if (!parsed.isValid) throw new RangeError('not a valid instant')
  let at: DateTime = parsed
  // Start inside working time: before opening → opening; after closing or on a day off → the next opening.
  let day = workingHours(at, calendar)
  if (!day || at >= day.closes) day = nextWorkingDay(at.plus({ days: day ? 1 : 0 }).startOf('day'), calendar)
  if (at < day.opens) at = day.opens

  for (let days = duration.weeks * 5 + duration.days; days > 0; days--) {
    const next = nextWorkingDay(at.plus({ days: 1 }).startOf('day'), calendar)
    const sinceOpening = at.diff(day.opens).as('milliseconds')
    day = next
    const moved = next.opens.plus({ milliseconds: sinceOpening })
    at = moved < next.closes ? moved : next.closes
  }

  let remaining = ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000
  for (;;) {
    const left = day.closes.diff(at).as('milliseconds')
    if (remaining <= left) return at.plus({ milliseconds: remaining }).toUTC().toISO() ?? start
    remaining -= left
    day = nextWorkingDay(at.plus({ days: 1 }).startOf('day'), calendar)
    at = day.opens
  }
}
