// Five-field cron expressions (minute hour day-of-month month day-of-week) and the next time
// one fires in an IANA time zone. Pure: the caller passes the instant to search from.

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const

/** A parsed cron expression: the allowed values of each field. */
export interface Cron {
  minutes: ReadonlySet<number>
  hours: ReadonlySet<number>
  days: ReadonlySet<number>
  months: ReadonlySet<number>
  weekdays: ReadonlySet<number>
  /** Vixie-cron rule: when both day fields are restricted, either one matching is enough. */
  dayOrWeekday: boolean
}

type Field = (typeof FIELDS)[number]

function parseValue(text: string, field: Field): number | undefined {
  const names: readonly string[] = 'names' in field ? field.names : []
  const named = names.indexOf(text.toUpperCase())
  if (named >= 0) return named + (field.name === 'month' ? 1 : 0)
  if (!/^\d+$/.test(text)) return undefined
  const value = Number(text)
  return value >= field.min && value <= field.max ? value : undefined
}

function parseField(text: string, field: Field): Set<number> | string {
  const values = new Set<number>()
  for (const part of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part)
    if (!match) return `the ${field.name} field "${part}" is not a value, range, list or step`
    const [, range = '', stepText] = match
    const step = stepText === undefined ? 1 : Number(stepText)
    if (step < 1) return `the ${field.name} step must be at least 1`
    let low: number | undefined = field.min
    let high: number | undefined = field.max
    if (range !== '*') {
      const [from = '', to] = range.split('-')
      low = parseValue(from, field)
      high = to === undefined ? (stepText === undefined ? low : field.max) : parseValue(to, field)
    }
    if (low === undefined || high === undefined) {
      return `the ${field.name} field "${part}" is outside ${field.min}-${field.max}`
    }
    if (low > high) return `the ${field.name} range "${part}" runs backwards`
    for (let value = low; value <= high; value += step) values.add(value)
  }
  return values
}

/** Parse a five-field cron expression; returns a plain sentence when it is not one. */
export function parseCron(text: string): Cron | string {
  const parts = text.trim().split(/\s+/)
  if (parts.length !== 5) return 'a cron expression has five fields: minute hour day-of-month month day-of-week'
  const sets: Set<number>[] = []
  for (const [index, field] of FIELDS.entries()) {
    const parsed = parseField(parts[index] ?? '', field)
    if (typeof parsed === 'string') return parsed
    sets.push(parsed)
  }
  const [minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ]
  if (weekdays.has(7)) weekdays.add(0)
  return {
    minutes,
    hours,
    days,
    months,
    weekdays,
    dayOrWeekday: !parts[2]!.startsWith('*') && !parts[4]!.startsWith('*'),
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Whether the runtime knows this IANA time zone (e.g. America/Chicago). */
export function isTimeZone(zone: string): boolean {
  try {
    localFormatter(zone)
    return true
  } catch {
    return false
  }
}

function localFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    })
    formatters.set(zone, formatter)
  }
  return formatter
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

function localParts(epochMs: number, zone: string) {
  const parts: Record<string, string> = {}
  for (const part of localFormatter(zone).formatToParts(epochMs)) parts[part.type] = part.value
  return {
    month: Number(parts['month']),
    day: Number(parts['day']),
    weekday: WEEKDAYS.indexOf(parts['weekday'] ?? ''),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
  }
}

const MINUTE = 60_000

/**
 * The first instant strictly after `after` at which the cron fires, read in `zone`.
 * Skips whole days and hours that cannot match, so a search stays short; gives up after
 * about five years (a cron such as `0 0 30 2 *` never fires).
 */
export function nextCronTime(cron: Cron, zone: string, after: string): string | undefined {
  let at = Math.floor(new Date(after).getTime() / MINUTE) * MINUTE + MINUTE
  const limit = at + 5 * 366 * 24 * 60 * MINUTE
  while (at < limit) {
    const local = localParts(at, zone)
    const dayMatches = cron.dayOrWeekday
      ? cron.days.has(local.day) || cron.weekdays.has(local.weekday)
      : cron.days.has(local.day) && cron.weekdays.has(local.weekday)
    if (!cron.months.has(local.month) || !dayMatches) {
      // Jump to about an hour before local midnight, then to midnight: a DST change at any
      // hour but midnight itself cannot make the search skip a matching minute.
      const toMidnight = (24 - local.hour) * 60 - local.minute
      at += (toMidnight > 90 ? toMidnight - 60 : toMidnight) * MINUTE
    } else if (!cron.hours.has(local.hour)) {
      at += (60 - local.minute) * MINUTE
    } else if (!cron.minutes.has(local.minute)) {
      at += MINUTE
    } else {
      return new Date(at).toISOString()
    }
  }
  return undefined
}
