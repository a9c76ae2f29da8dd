import { z } from 'zod'

/** Days of the week as calendars name them. */
export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, like 08:00')

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * A flow's working calendar: when its people work, in which time zone, and which days are
 * holidays. Human steps due "in business hours" count only this time (a critical callback due in
 * 30 calendar minutes does not need it; a referral due in 2 business days does).
 */
export const flowCalendarSchema = z
  .object({
    timezone: z
      .string()
      .refine(knownZone, 'an IANA time zone such as America/Chicago or UTC')
      .describe('The time zone the working hours and holidays are read in.'),
    days: z.array(z.enum(WEEKDAYS)).min(1).default(['MON', 'TUE', 'WED', 'THU', 'FRI']).describe('Working days.'),
    opens: timeOfDay.default('08:00').describe('When the working day starts (local time).'),
    closes: timeOfDay.default('17:00').describe('When the working day ends (local time).'),
    holidays: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'))
      .default([])
      .describe('Days nobody works (local dates), e.g. 2026-12-25.'),
  })
  .strict()
  .refine((calendar) => calendar.opens < calendar.closes, {
    message: 'the working day must close after it opens',
    path: ['closes'],
  })
/** A flow's working calendar (see `flowCalendarSchema`). */
export type FlowCalendar = z.output<typeof flowCalendarSchema>
