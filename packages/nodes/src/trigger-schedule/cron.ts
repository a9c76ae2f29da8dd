// Five-field cron expressions (minute hour day-of-month month day-of-week) read in an IANA time
// zone. The calendar and DST arithmetic is croner's (a maintained, dependency-free library that
// runs in the browser too); this file only words its refusals for an analyst and pins the options.
// Pure: the caller passes the instant to search from.
import { Cron as Croner } from 'croner'

/** A parsed cron expression, ready to say when it next fires in a time zone. */
export interface Cron {
  /** The expression as written. */
  readonly expression: string
}

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const

/**
 * Croner's refusal as a sentence about the analyst's expression. Croner names the problem
 * ("Invalid value for minute: 60"); the sentences below keep the field's name in words.
 */
function explain(text: string, message: string): string {
  const fields = text.trim().split(/\s+/)
  const invalid = /Invalid value for (\w+): (.*)$/.exec(message)
  if (invalid) {
    const field = invalid[1] === 'dayOfMonth' ? 'day of month' : invalid[1] === 'dayOfWeek' ? 'day of week' : invalid[1]
    return `the ${field} field holds "${invalid[2]}", which is outside its range`
  }
  if (/larger than to value/.test(message)) {
    // Croner has turned names into numbers by now ('FRI-MON' → '5-1'): find the field it meant.
    const index = fields.findIndex((field, at) => {
      const alone = FIELD_NAMES.map((_, i) => (i === at ? field : '*')).join(' ')
      return parseFails(alone)
    })
    const range = fields[index] ?? ''
    return `the ${FIELD_NAMES[index] ?? 'a'} range "${range}" runs backwards (write the smaller value first)`
  }
  if (/illegal stepping/.test(message)) return 'a step (the number after /) must be at least 1'
  return `not a cron expression: ${message.replace(/^CronPattern: /, '')}`
}

function parseFails(text: string): boolean {
  try {
    new Croner(text, { paused: true, mode: '5-part' })
    return false
  } catch {
    return true
  }
}

/** Parse a five-field cron expression; returns a plain sentence when it is not one. */
export function parseCron(text: string): Cron | string {
  if (text.trim().split(/\s+/).length !== 5) {
    return 'a cron expression has five fields: minute hour day-of-month month day-of-week'
  }
  try {
    new Croner(text, { paused: true, mode: '5-part' })
    return { expression: text }
  } catch (error) {
    return explain(text, error instanceof Error ? error.message : String(error))
  }
}

const zones = new Map<string, boolean>()

/** Whether the runtime knows this IANA time zone (e.g. America/Chicago). */
export function isTimeZone(zone: string): boolean {
  let known = zones.get(zone)
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone })
      known = true
    } catch {
      known = false
    }
    zones.set(zone, known)
  }
  return known
}

/**
 * The first instant strictly after `after` at which the cron fires, read in `zone`, or undefined
 * when it never does (`0 0 30 2 *`). DST, as cron users expect: a time that does not exist on the
 * spring-forward day fires once at the first valid minute after the gap (02:30 → 03:00), a time
 * that occurs twice on the fall-back day fires once (the first occurrence). Day of month and day
 * of week, when both restricted, match when either does (Vixie cron).
 */
export function nextCronTime(cron: Cron, zone: string, after: string): string | undefined {
  const job = new Croner(cron.expression, { paused: true, mode: '5-part', timezone: zone, domAndDow: false })
  return job.nextRun(new Date(after))?.toISOString() ?? undefined
}
