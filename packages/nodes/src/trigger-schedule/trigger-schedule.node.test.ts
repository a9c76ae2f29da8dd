import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { parseCron } from './cron.ts'
import { nextScheduledRun, scheduledTimesBetween, triggerSchedule } from './trigger-schedule.node.ts'

const parse = (input: unknown) => triggerSchedule.config.parse(input)
const cron = (expression: string, timezone = 'UTC') => parse({ schedule: { kind: 'cron', cron: expression }, timezone })

describe('trigger.schedule', () => {
  it('is an entry point that continues on next', () => {
    expect(triggerSchedule.trigger).toBe(true)
    expect(triggerSchedule.execute(createFakeContext(), parse(triggerSchedule.defaults))).toEqual({
      kind: 'next',
      port: 'next',
    })
  })

  it('refuses malformed cron expressions, intervals and time zones with a reason', () => {
    const problem = (input: unknown) => {
      const result = triggerSchedule.config.safeParse(input)
      return result.success ? undefined : result.error.issues[0]?.message
    }
    expect(problem({ schedule: { kind: 'cron', cron: '0 7 * *' } })).toMatch(/five fields/)
    expect(problem({ schedule: { kind: 'cron', cron: '60 7 * * *' } })).toBe(
      'the minute field holds "60", which is outside its range',
    )
    expect(problem({ schedule: { kind: 'cron', cron: '0 7 * * FRI-MON' } })).toBe(
      'the day of week range "FRI-MON" runs backwards (write the smaller value first)',
    )
    expect(problem({ schedule: { kind: 'cron', cron: '*/0 * * * *' } })).toMatch(/step .* must be at least 1/)
    expect(problem({ schedule: { kind: 'cron', cron: '0 7 * * MON' }, overlap: 'sometimes' })).toBeDefined()
    expect(problem({ schedule: { kind: 'interval', every: '15 minutes' } })).toMatch(/ISO-8601/)
    expect(problem({ schedule: { kind: 'interval', every: 'PT15M' }, timezone: 'Mars/Olympus' })).toMatch(/IANA/)
    expect(
      problem({ schedule: { kind: 'cron', cron: '0 7 * * MON-FRI' }, timezone: 'America/Chicago' }),
    ).toBeUndefined()
  })

  it('takes lists, ranges, steps and names (7 is Sunday too)', () => {
    expect(parseCron('*/20 8-10 1,15 JAN-MAR 7')).toEqual({ expression: '*/20 8-10 1,15 JAN-MAR 7' })
    // Sunday 2025-01-05, 08:00 UTC: the first of */20 in 8-10 on a Sunday in January.
    expect(nextScheduledRun(cron('*/20 8-10 * JAN-MAR 7'), '2025-01-04T12:00:00Z')).toBe('2025-01-05T08:00:00.000Z')
  })

  it('keeps a daily time across DST: a time that does not exist fires just after the gap, a time that occurs twice fires once', () => {
    const daily = (time: string) => cron(time, 'America/New_York')
    // 2026-03-08: clocks go from 02:00 to 03:00 in New York. 02:30 does not exist that day.
    expect(
      scheduledTimesBetween(daily('30 2 * * *'), '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', 10).times,
    ).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT, the first minute after the gap
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ])
    // 2026-11-01: clocks go back from 02:00 to 01:00. 01:30 happens twice; the job runs once.
    expect(
      scheduledTimesBetween(daily('30 1 * * *'), '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', 10).times,
    ).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first of the two
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ])
    // A job at 07:00 stays at 07:00 local on both sides of the change.
    expect(scheduledTimesBetween(daily('0 7 * * *'), '2026-03-07T00:00:00Z', '2026-03-09T00:00:00Z', 10).times).toEqual(
      ['2026-03-07T12:00:00.000Z', '2026-03-08T11:00:00.000Z'],
    )
  })

  it('lists the times between two instants up to a limit, and says when there were more', () => {
    const hourly = cron('0 * * * *')
    expect(scheduledTimesBetween(hourly, '2026-01-01T00:00:00Z', '2026-01-01T03:00:00Z', 10)).toEqual({
      times: ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z'],
      more: false,
    })
    expect(scheduledTimesBetween(hourly, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 2)).toEqual({
      times: ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z'],
      more: true,
    })
  })

  it('finds the next weekday-morning run, read in the flow’s time zone', () => {
    // 2025-03-07 is a Friday; 07:00 in Chicago is 13:00 UTC (CST, before the DST change on 03-09).
    expect(nextScheduledRun(cron('0 7 * * MON-FRI', 'America/Chicago'), '2025-03-07T12:00:00Z')).toBe(
      '2025-03-07T13:00:00.000Z',
    )
    // After Friday's run the next is Monday, now in CDT (UTC-5).
    expect(nextScheduledRun(cron('0 7 * * MON-FRI', 'America/Chicago'), '2025-03-07T13:00:00Z')).toBe(
      '2025-03-10T12:00:00.000Z',
    )
    expect(nextScheduledRun(cron('30 2 1 * *'), '2025-01-31T23:59:00Z')).toBe('2025-02-01T02:30:00.000Z')
  })

  it('uses either day field when both are restricted, and reports a cron that never fires', () => {
    // The 13th, or any Friday: from Wed 2025-06-11 the first is Fri 06-13 anyway; from 06-14 the next is Fri 06-20.
    expect(nextScheduledRun(cron('0 9 13 * FRI'), '2025-06-14T00:00:00Z')).toBe('2025-06-20T09:00:00.000Z')
    expect(nextScheduledRun(cron('0 0 30 2 *'), '2025-01-01T00:00:00Z')).toBeUndefined()
  })

  it('adds the interval to the previous run', () => {
    expect(nextScheduledRun(parse({ schedule: { kind: 'interval', every: 'PT15M' } }), '2025-01-01T10:00:00Z')).toBe(
      '2025-01-01T10:15:00.000Z',
    )
  })
})
