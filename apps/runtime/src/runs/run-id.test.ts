import { describe, expect, it } from 'vitest'
import { newRunId } from './run-id.ts'

describe('run ids', () => {
  it('are 22 letters and digits, and differ', () => {
    const ids = Array.from({ length: 10_000 }, () => newRunId())
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{9}[0-9A-Za-z]{13}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('skips bytes from 248 up, so that every letter is equally likely, and takes the rest modulo 62', () => {
    // 248 to 255 would give letters 0 to 7 a fifth more often than the rest: they are skipped.
    const bytes = [255, 248, 61, 62, 123, 124, 247]
    const random = (size: number) => Uint8Array.from({ length: size }, (_, i) => bytes[i % bytes.length] ?? 0)
    expect(newRunId(random, () => 0)).toBe('000000000' + 'z0z0z'.repeat(2) + 'z0z')
  })

  it('begin with the millisecond they were made, so they sort as their runs started', () => {
    const at = Date.UTC(2026, 11, 7, 21, 30)
    expect(newRunId(undefined, () => at).slice(0, 9)).toBe(at.toString(36).padStart(9, '0'))
    // Compared as a database compares text (byte order here; any collation: digits and small letters).
    const times = [0, 35, 36, at - 1, at, at + 1, 36 ** 9 - 1]
    const ids = times.map((t) => newRunId(undefined, () => t))
    expect([...ids].sort()).toEqual(ids)
    expect([...ids].sort((a, b) => a.slice(0, 9).localeCompare(b.slice(0, 9), 'en-US'))).toEqual(ids)
  })
})
