import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { parseCron } from './cron.ts'
import { nextScheduledRun, triggerSchedule } from './trigger-schedule.node.ts'

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
    expect(problem({ schedule: { kind: 'cron', cron: '60 7 * * *' } })).toMatch(/minute field "60" is outside 0-59/)
    expect(problem({ schedule: { kind: 'cron', cron: '0 7 * * FRI-MON' } })).toMatch(/runs backwards/)
    expect(problem({ schedule: { kind: 'cron', cron: '*/0 * * * *' } })).toMatch(/step must be at least 1/)
    expect(problem({ schedule: { kind: 'interval', every: '15 minutes' } })).toMatch(/ISO-8601/)
    expect(problem({ schedule: { kind: 'interval', every: 'PT15M' }, timezone: 'Mars/Olympus' })).toMatch(/IANA/)
    expect(
      problem({ schedule: { kind: 'cron', cron: '0 7 * * MON-FRI' }, timezone: 'America/Chicago' }),
    ).toBeUndefined()
  })

  it('parses lists, ranges, steps and names', () => {
    const parsed = parseCron('*/20 8-10 1,15 JAN-MAR 7')
    if (typeof parsed === 'string') throw new Error(parsed)
    expect([...parsed.minutes]).toEqual([0, 20, 40])
    expect([...parsed.hours]).toEqual([8, 9, 10])
    expect([...parsed.months]).toEqual([1, 2, 3])
    expect(parsed.weekdays.has(0)).toBe(true)
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
