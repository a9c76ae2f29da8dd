import { describe, expect, it } from 'vitest'
import { addDuration, durationSchema, parseDuration, toInstant } from './iso-duration.ts'

describe('ISO-8601 durations', () => {
  it('parses the common forms and refuses the rest', () => {
    expect(parseDuration('PT30M')).toMatchObject({ minutes: 30, hours: 0 })
    expect(parseDuration('P1Y2M3W4DT5H6M7S')).toEqual({
      years: 1,
      months: 2,
      weeks: 3,
      days: 4,
      hours: 5,
      minutes: 6,
      seconds: 7,
    })
    for (const bad of ['P', 'PT', '30M', 'P1.5D', 'P1DT', 'pt30m', '']) expect(parseDuration(bad), bad).toBeUndefined()
    expect(durationSchema.safeParse('P0D').success).toBe(false)
    expect(durationSchema.safeParse('P2D').success).toBe(true)
  })

  it('adds exact time and calendar months', () => {
    const at = '2025-01-31T10:00:00.000Z'
    expect(addDuration(at, parseDuration('PT30M')!)).toBe('2025-01-31T10:30:00.000Z')
    expect(addDuration(at, parseDuration('P2D')!)).toBe('2025-02-02T10:00:00.000Z')
    expect(addDuration(at, parseDuration('P1M')!)).toBe('2025-02-28T10:00:00.000Z')
    expect(addDuration('2024-01-31T00:00:00Z', parseDuration('P1M')!)).toBe('2024-02-29T00:00:00.000Z')
    expect(addDuration(at, parseDuration('P1Y11M')!)).toBe('2026-12-31T10:00:00.000Z')
  })

  it('reads date and date-time facts, refusing impossible dates', () => {
    expect(toInstant('2025-03-01')).toBe('2025-03-01T00:00:00.000Z')
    expect(toInstant('2025-03-01T08:00:00+02:00')).toBe('2025-03-01T06:00:00.000Z')
    expect(toInstant('2025-02-30')).toBeUndefined()
    expect(toInstant('next tuesday')).toBeUndefined()
    expect(toInstant(20250301)).toBeUndefined()
  })
})
