import { describe, expect, it } from 'vitest'
import { flowCalendarSchema } from '@carepath/dsl'
import { addBusinessTime } from './business-time.ts'
import { parseDuration } from './iso-duration.ts'

// A clinic in Chicago, open 08:00–17:00 Monday to Friday, closed on Christmas Day.
const calendar = flowCalendarSchema.parse({ timezone: 'America/Chicago', holidays: ['2026-12-25'] })
const add = (start: string, duration: string) => addBusinessTime(start, parseDuration(duration)!, calendar)

describe('business time', () => {
  it('counts hours only while the clinic is open', () => {
    // Monday 2026-03-02 10:00 CST (16:00 UTC) + 4h = 14:00 the same day.
    expect(add('2026-03-02T16:00:00Z', 'PT4H')).toBe('2026-03-02T20:00:00.000Z')
    // Monday 15:00 CST + 4h: 2h today, 2h from Tuesday's opening → Tuesday 10:00 CST.
    expect(add('2026-03-02T21:00:00Z', 'PT4H')).toBe('2026-03-03T16:00:00.000Z')
  })

  it('starts counting at the next opening when the task comes in after hours or at the weekend', () => {
    // Friday 2026-03-06 18:30 CST (00:30 UTC Saturday) + 30 min → Monday 08:30 CST.
    expect(add('2026-03-07T00:30:00Z', 'PT30M')).toBe('2026-03-09T13:30:00.000Z') // CDT from 03-08
    // Before opening: Tuesday 06:00 CST + 1h → 09:00 CST.
    expect(add('2026-03-03T12:00:00Z', 'PT1H')).toBe('2026-03-03T15:00:00.000Z')
  })

  it('moves whole days to the same time of the next working days, across the weekend and DST', () => {
    // Friday 2026-03-06 14:00 CST + 2 business days → Tuesday 14:00 CDT (the clocks changed Sunday).
    expect(add('2026-03-06T20:00:00Z', 'P2D')).toBe('2026-03-10T19:00:00.000Z')
  })

  it('skips the flow’s holidays', () => {
    // Thursday 2026-12-24 16:00 CST + 2h: one hour on the 24th, none on Christmas, one on Monday the 28th.
    expect(add('2026-12-24T22:00:00Z', 'PT2H')).toBe('2026-12-28T15:00:00.000Z')
  })

  it('refuses months and years, which have no precise length in working time', () => {
    expect(() => add('2026-03-02T16:00:00Z', 'P1M')).toThrow(/weeks, days, hours or minutes/)
  })
})
