import { describe, expect, it } from 'vitest'
import { progressLine, terminalProgress } from './progress-bar.ts'

describe('progress bar', () => {
  it('shows the share done, the count and the time so far', () => {
    expect(progressLine(0, 100_000, 0, 10)).toBe('[----------]   0% 0/100,000 cases, 0.0 s')
    expect(progressLine(40_000, 100_000, 3140, 10)).toBe('[####------]  40% 40,000/100,000 cases, 3.1 s')
    expect(progressLine(100_000, 100_000, 9000, 10)).toBe('[##########] 100% 100,000/100,000 cases, 9.0 s')
  })

  it('draws on a terminal only, at most every interval, and always the last step', () => {
    const written: string[] = []
    let now = 0
    const terminal = terminalProgress({ isTTY: true, write: (t: string) => written.push(t) }, () => now, 100)
    terminal.update({ done: 0, total: 10 })
    now = 50
    terminal.update({ done: 5, total: 10 })
    now = 60
    terminal.update({ done: 10, total: 10 })
    terminal.end()
    expect(written).toEqual([`\r${progressLine(0, 10, 0)}`, `\r${progressLine(10, 10, 60)}`, '\n'])

    const piped: string[] = []
    const pipe = terminalProgress({ isTTY: false, write: (t: string) => piped.push(t) }, () => 0)
    pipe.update({ done: 10, total: 10 })
    pipe.end()
    expect(piped).toEqual([])
  })
})
